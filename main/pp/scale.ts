/**
 * Per-gene standardisation to zero mean and unit variance (ddof = 1, as scanpy's `scale`), clipped at ±maxValue
 * (10 in the sciLaMA appendix), over all cells or within each group of cells (each batch). Produces a dense
 * cells × genes float32 matrix; genes with zero variance become 0.
 */
import type { Dense, Matrix } from "../data/dataset.js";
import { forEachInRow } from "../data/dataset.js";
import { matrixRows } from "../data/subset.js";
import { geneMoments } from "./stats.js";

export function scale(m: Matrix, maxValue = 10): { scaled: Dense; mean: Float64Array; std: Float64Array } {
  const { mean, variance } = geneMoments(m);
  const std = Float64Array.from(variance, (v) => (v > 0 ? Math.sqrt(v) : 1));
  const G = m.nCols;
  const values = new Float32Array(m.nRows * G);
  const clip = (v: number) => (v > maxValue ? maxValue : v < -maxValue ? -maxValue : v);
  for (let r = 0; r < m.nRows; r++) {
    const base = r * G;
    for (let g = 0; g < G; g++) values[base + g] = clip(-mean[g] / std[g]);
    forEachInRow(m, r, (g, v) => {
      values[base + g] = clip((v - mean[g]) / std[g]);
    });
  }
  return { scaled: { nRows: m.nRows, nCols: G, values }, mean, std };
}

/**
 * Each gene z-scored within each group of cells (`groups[r]`, codes 0…k−1) and clipped at ±maxValue: a batch's own
 * offset and spread of a gene (a technology's capture efficiency, say) is removed, what varies within the batch kept.
 */
export function scaleWithinGroups(m: Matrix, groups: Int32Array, maxValue = 10): Dense {
  const G = m.nCols;
  const values = new Float32Array(m.nRows * G);
  const members = new Map<number, number[]>();
  groups.forEach((g, r) => {
    const list = members.get(g);
    if (list) list.push(r);
    else members.set(g, [r]);
  });
  for (const rows of members.values()) {
    const { scaled } = scale(matrixRows(m, rows), maxValue);
    rows.forEach((r, i) => {
      values.set(scaled.values.subarray(i * G, (i + 1) * G), r * G);
    });
  }
  return { nRows: m.nRows, nCols: G, values };
}
