/** Per-gene and per-cell sums over a matrix in either layout, accumulated in float64. */
import { forEachInRow, type Matrix } from "../data/dataset.js";

export interface GeneMoments {
  mean: Float64Array;
  /** Unbiased variance (ddof = 1), as scanpy's `_get_mean_var`. */
  variance: Float64Array;
  /** Number of cells with a non-zero value. */
  nCells: Float64Array;
}

export function geneMoments(m: Matrix, transform?: (v: number) => number): GeneMoments {
  const n = m.nRows;
  const sum = new Float64Array(m.nCols);
  const sq = new Float64Array(m.nCols);
  const nCells = new Float64Array(m.nCols);
  for (let r = 0; r < n; r++) {
    forEachInRow(m, r, (c, v0) => {
      const v = transform ? transform(v0) : v0;
      sum[c] += v;
      sq[c] += v * v;
      nCells[c]++;
    });
  }
  const mean = new Float64Array(m.nCols);
  const variance = new Float64Array(m.nCols);
  for (let c = 0; c < m.nCols; c++) {
    mean[c] = sum[c] / n;
    variance[c] = n > 1 ? Math.max(0, (sq[c] - n * mean[c] * mean[c]) / (n - 1)) : 0;
  }
  return { mean, variance, nCells };
}

export function rowSums(m: Matrix): Float64Array {
  const out = new Float64Array(m.nRows);
  for (let r = 0; r < m.nRows; r++) forEachInRow(m, r, (_c, v) => (out[r] += v));
  return out;
}

export function quantile(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values).sort();
  if (s.length === 0) return Number.NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(s.length - 1, lo + 1)] - s[lo]) * (pos - lo);
}
