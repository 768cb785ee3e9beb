/**
 * How well predicted ln IC50 match measured ones (DeepCDR's and TGSA's measures): over all test pairs pooled, Pearson
 * (PCC), Spearman (SCC, tied values share their mean rank) and RMSE; per drug, the PCC across its test cell lines,
 * summarised by the median over drugs with enough test pairs. Pooled PCC is mostly drug potency (drugs differ by
 * several ln units); the per-drug PCC asks which cell lines respond to a drug, what a drug page shows.
 */
import { pearson, spearman } from "../analysis/impute/metrics.js";
import { quantile } from "../pp/stats.js";

export interface DrugPcc {
  drug: number;
  /** Test pairs of this drug. */
  n: number;
  /** 0 where the prediction is constant across the drug's cell lines (as a drug's mean is). */
  pcc: number;
}

export interface Scores {
  pcc: number;
  scc: number;
  rmse: number;
  /** Median of perDrug's PCC (NaN if no drug qualifies). */
  medianDrugPcc: number;
  /** The drugs with at least `minPairs` test pairs, by drug index. */
  perDrug: DrugPcc[];
}

function rmse(y: ArrayLike<number>, yhat: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i]! - yhat[i]!) ** 2;
  return Math.sqrt(s / y.length);
}

/** Scores of predictions `yhat` of the measured `y`, pair i being of drug `drug[i]`. */
export function scorePairs(y: ArrayLike<number>, yhat: ArrayLike<number>, drug: ArrayLike<number>, minPairs = 10): Scores {
  const a = Float64Array.from(y);
  const b = Float64Array.from(yhat);
  const byDrug = new Map<number, number[]>();
  for (let i = 0; i < drug.length; i++) {
    const members = byDrug.get(drug[i]!);
    if (members) members.push(i);
    else byDrug.set(drug[i]!, [i]);
  }
  const perDrug = [...byDrug.entries()]
    .filter(([, members]) => members.length >= minPairs)
    .sort(([d1], [d2]) => d1 - d2)
    .map(([d, members]) => ({
      drug: d,
      n: members.length,
      pcc: pearson(
        Float64Array.from(members, (i) => a[i]!),
        Float64Array.from(members, (i) => b[i]!),
      ),
    }));
  return {
    pcc: pearson(a, b),
    scc: spearman(a, b),
    rmse: rmse(a, b),
    medianDrugPcc: quantile(
      perDrug.map((d) => d.pcc),
      0.5,
    ),
    perDrug,
  };
}
