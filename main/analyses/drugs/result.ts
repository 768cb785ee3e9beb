/**
 * A prediction as the result page and the report show it (result.json): every value as plain numbers, each drug read
 * against its CCLE median — for a new molecule, which no line was screened with, against the model's own predictions
 * for the CCLE lines, so that it sits on the heatmap's scale too — the evaluation tables, and the per-cell overlay.
 */
import type { DrugResult, ResultDrug } from "../../api/contract.js";
import { packDrugs } from "../../drugs/pack.js";
import { type DrugBundle, predictEnsemble, referenceOmics } from "./bundle.js";
import type { DrugPrediction, PreparedPrediction } from "./predict.js";
import { DRUG_SPLITS, SPLIT_MEANING } from "./settings.js";

const median = (sorted: readonly number[]) => sorted[Math.floor(sorted.length / 2)]!;

/** The model's predictions for every CCLE line under each new molecule: its median, and the type's lines sorted. */
async function predictedLines(b: DrugBundle, p: PreparedPrediction): Promise<{ median: number; lines: number[] }[]> {
  if (!p.custom.length) return [];
  const lines = b.reference.lines.length;
  const cell = new Int32Array(lines * p.custom.length);
  const drug = new Int32Array(lines * p.custom.length);
  for (let m = 0; m < p.custom.length; m++)
    for (let l = 0; l < lines; l++) {
      cell[m * lines + l] = l;
      drug[m * lines + l] = m;
    }
  const all = [...Array(lines).keys()];
  const { mean } = await predictEnsemble(b, referenceOmics(b, all), packDrugs(p.custom), { cell, drug });
  return p.custom.map((_, m) => {
    const values = Array.from(mean.subarray(m * lines, (m + 1) * lines));
    const typed = values.filter((_, l) => !p.cancerType || b.reference.lines[l]!.tcga === p.cancerType);
    return { median: median([...values].sort((x, y) => x - y)), lines: typed.sort((x, y) => x - y) };
  });
}

/** Each cell's group index, and the first two columns of `obsm['X_umap']` interleaved (when there is one). */
function cellOverlay(p: PreparedPrediction, groups: readonly string[]): DrugResult["cells"] {
  const umap = p.dataset.obsm.get("X_umap");
  if (!umap || umap.nCols < 2) return null;
  const index = new Map(groups.map((g, i) => [g, i]));
  return {
    codes: p.labels.map((l) => (l === null ? -1 : (index.get(l) ?? -1))),
    umap: Array.from({ length: 2 * umap.nRows }, (_, k) => umap.values[(k >> 1) * umap.nCols + (k & 1)]!),
  };
}

export async function drugResult(
  b: DrugBundle,
  prepared: PreparedPrediction,
  p: DrugPrediction,
  context: { dataset: string; groupby: string },
): Promise<DrugResult> {
  const custom = await predictedLines(b, prepared);
  const firstCustom = prepared.chosen.length;
  const drugs: ResultDrug[] = p.drugs.map((d, j) => {
    const own = d.custom ? custom[j - firstCustom]! : null;
    const { ccleMedian, measured, ...identity } = d;
    return {
      ...identity,
      // A bundled drug screened on no line at all has no median; its predictions are then shown as they are.
      median: own ? own.median : (ccleMedian ?? 0),
      lines: own ? own.lines : measured,
      linesKind: own ? "predicted" : "measured",
    };
  });
  const nd = drugs.length;
  const pred = Array.from(p.pred);
  const splits = [...DRUG_SPLITS, ...Object.keys(b.reference.metrics).filter((s) => !(DRUG_SPLITS as readonly string[]).includes(s))];
  return {
    dataset: context.dataset,
    groupby: context.groupby,
    groups: p.groups,
    sizes: p.sizes,
    leftOut: prepared.leftOut,
    drugs,
    pred,
    sd: Array.from(p.sd),
    rank: Array.from(p.rank),
    percentile: Array.from(p.percentile, (v) => (Number.isNaN(v) ? null : v)),
    relative: pred.map((v, i) => v - drugs[i % nd]!.median),
    nearest: p.nearest,
    coverage: p.coverage,
    cancerType: p.cancerType,
    warning: p.warning,
    evaluation: splits
      .filter((s) => b.reference.metrics[s]?.length)
      .map((s) => ({ split: s, meaning: SPLIT_MEANING[s as (typeof DRUG_SPLITS)[number]] ?? s, rows: b.reference.metrics[s]! })),
    members: b.members.length,
    cells: cellOverlay(prepared, p.groups),
  };
}
