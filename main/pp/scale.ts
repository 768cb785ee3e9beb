/**
 * Per-gene standardisation to zero mean and unit variance (ddof = 1, as scanpy's `scale`), clipped at ±maxValue
 * (10 in the sciLaMA appendix). Produces a dense cells × genes float32 matrix; genes with zero variance become 0.
 */
import type { Dense, Matrix } from "../data/dataset.js";
import { forEachInRow } from "../data/dataset.js";
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
