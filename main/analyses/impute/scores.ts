/**
 * The imputation's tables: one row per gene, set and method (PCC, SCC, JSD, RMSE as Li et al. 2022), and one row per
 * method and set with the mean ± s.e.m. over the genes; the recommendation is the method with the best mean PCC in
 * each set, whichever it is.
 */
import { IMPUTE_METRICS, type ImputeMetric, summarize } from "../../analysis/impute/metrics.js";

/** What each gene set of the tables is, in the order they are shown. */
export const GENE_SETS = {
  panel: "panel genes, held out in turn",
  outside: "measured outside the panel",
  unseen: "measured outside the panel, unseen by the model (the prior alone)",
} as const;
export type GeneSet = keyof typeof GENE_SETS;

export const GENE_SET_ORDER = Object.keys(GENE_SETS) as GeneSet[];

export interface GeneRow {
  gene: string;
  set: GeneSet;
  method: string;
  pcc: number;
  scc: number;
  jsd: number;
  rmse: number;
}

export type MethodRow = {
  method: string;
  set: GeneRow["set"];
  /** Genes scored. */
  genes: number;
} & Record<ImputeMetric, number> &
  Record<`${ImputeMetric}Sem`, number>;

/** Mean ± s.e.m. per method and set, in `order` (the chosen model first, then the baselines). */
export function methodRows(rows: readonly GeneRow[], order: readonly string[]): MethodRow[] {
  const out: MethodRow[] = [];
  for (const set of GENE_SET_ORDER)
    for (const method of order) {
      const mine = rows.filter((r) => r.set === set && r.method === method);
      if (!mine.length) continue;
      const ones = new Uint8Array(mine.length).fill(1);
      const row = { method, set, genes: mine.length } as MethodRow;
      for (const k of IMPUTE_METRICS) {
        const s = summarize(
          Float64Array.from(mine, (r) => r[k]),
          ones,
        );
        row[k] = s.mean;
        row[`${k}Sem`] = s.sem;
      }
      out.push(row);
    }
  return out;
}

/** The method with the highest mean PCC in each set. */
export function recommend(rows: readonly MethodRow[]): Partial<Record<GeneRow["set"], string>> {
  const best: Partial<Record<GeneRow["set"], MethodRow>> = {};
  // A method without a PCC (no gene it could be scored on) is never recommended.
  for (const r of rows) if (Number.isFinite(r.pcc) && (!best[r.set] || r.pcc > best[r.set]!.pcc)) best[r.set] = r;
  return Object.fromEntries(Object.entries(best).map(([set, r]) => [set, r.method]));
}

/** Imputed values clipped to their gene's range in the data learned from, of how many. */
export interface Clipped {
  values: number;
  of: number;
}

/** What the result says of the clipping, in words (the CLI prints it; `uns['impute']['clipped']` keeps it): panel
 *  imputation clips to the reference's range of each gene, dropout imputation to its range in the data trained on. */
export function clippedNote(c: Clipped, mode: "panel" | "dropouts"): string {
  const share = c.of ? (100 * c.values) / c.of : 0;
  const range =
    mode === "panel" ? "the range the reference measured of their gene" : "their gene's range in the data the model was trained on";
  return `${c.values.toLocaleString("en-US")} of ${c.of.toLocaleString("en-US")} ${mode === "panel" ? "imputed" : "denoised"} values (${share < 0.1 && c.values ? "< 0.1" : share.toFixed(1)}%) were outside ${range} and were clipped to it (log-normalised expression is never negative)`;
}
