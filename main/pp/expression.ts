/**
 * Finds the expression an analysis should start from in a dataset, whatever state the file is in: raw counts in X,
 * counts in layers['counts'] or raw, log-normalised values (e.g. a scanpy file whose X was scaled and whose raw
 * keeps the log-normalised matrix), or non-integer values on a linear scale (estimated counts from RSEM/salmon,
 * TPM, CPM: normalised per cell and log-transformed like counts). Scaled values are never mistaken for counts.
 * Import applies the same rule to every format: a dataset without such expression is refused.
 */
import type { Dataset, Matrix } from "../data/dataset.js";
import type { Frame } from "../data/frame.js";
import { DataError } from "../io/errors.js";
import { describeValues } from "./values.js";

export interface Expression {
  /**
   * "counts": raw integer counts; "linear": non-negative non-integer values on a linear scale (estimated counts,
   * TPM); "lognorm": log1p of library-size normalised values.
   */
  kind: "counts" | "linear" | "lognorm";
  matrix: Matrix;
  genes: string[];
  /** Where it came from, for the log: "X", "layers['counts']", "raw.X". */
  source: string;
}

function candidates(d: Dataset): { source: string; matrix: Matrix; var: Frame }[] {
  const out = [];
  const counts = d.layers.get("counts");
  if (counts) out.push({ source: "layers['counts']", matrix: counts, var: d.var });
  out.push({ source: "X", matrix: d.X, var: d.var });
  if (d.raw) out.push({ source: "raw.X", matrix: d.raw.X, var: d.raw.var });
  return out;
}

/** Largest value of a matrix: log1p-normalised data stays far below ~20, counts and linear-scale values do not. */
function maxValue(m: Matrix): number {
  const v = m.kind === "csr" ? m.data : m.values;
  let max = 0;
  for (let i = 0; i < v.length; i++) if (v[i]! > max) max = v[i]!;
  return max;
}

/** Counts first (the pipeline then normalises them itself), else log-normalised values, else linear-scale values. */
export function expressionOf(d: Dataset, file: string): Expression {
  const seen: string[] = [];
  let lognorm: Expression | null = null;
  let linear: Expression | null = null;
  for (const c of candidates(d)) {
    const kind = describeValues(c.matrix);
    if (kind === "counts") return { kind: "counts", matrix: c.matrix, genes: c.var.index, source: c.source };
    if (kind === "signed") seen.push(`${c.source}: negative values (scaled or batch-corrected data)`);
    else if (maxValue(c.matrix) < 20) lognorm ??= { kind: "lognorm", matrix: c.matrix, genes: c.var.index, source: c.source };
    else linear ??= { kind: "linear", matrix: c.matrix, genes: c.var.index, source: c.source };
  }
  const found = lognorm ?? linear;
  if (found) return found;
  throw new DataError(
    file,
    "raw counts or normalised expression (in X, layers['counts'] or raw)",
    seen.join("; "),
    "Scaled, centred or batch-corrected values cannot be analysed again; use the counts instead (from scanpy, keep adata.raw or layers['counts']).",
  );
}
