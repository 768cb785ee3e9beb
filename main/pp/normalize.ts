/** Library-size normalisation and log1p on sparse data (new matrices; the input is not modified). */
import type { Matrix } from "../data/dataset.js";
import { rowSums } from "./stats.js";

/**
 * Scales each cell to `targetSum` total counts (scanpy normalize_total, target 1e4 by default). `totals` gives
 * library sizes measured elsewhere — e.g. over all genes when `m` holds only a gene subset, as Seurat does.
 */
export function normalizeTotal(m: Matrix, targetSum = 1e4, totals: ArrayLike<number> = rowSums(m)): Matrix {
  const factor = Float64Array.from(totals, (t) => (t > 0 ? targetSum / t : 0));
  if (m.kind === "csr") {
    const data = new Float32Array(m.data.length);
    for (let r = 0; r < m.nRows; r++) for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) data[k] = m.data[k] * factor[r];
    return { ...m, data };
  }
  const values = new Float32Array(m.values.length);
  for (let r = 0; r < m.nRows; r++) for (let c = 0; c < m.nCols; c++) values[r * m.nCols + c] = m.values[r * m.nCols + c] * factor[r];
  return { ...m, values };
}

export function log1p(m: Matrix): Matrix {
  if (m.kind === "csr") return { ...m, data: Float32Array.from(m.data, Math.log1p) };
  return { ...m, values: Float32Array.from(m.values, Math.log1p) };
}
