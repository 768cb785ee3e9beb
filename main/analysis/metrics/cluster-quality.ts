/**
 * Cluster-quality indices of labelled points in an embedding, as scikit-learn defines them (the paper's Table S7
 * compares gene embeddings on known marker sets with these): Davies–Bouldin (lower is better) and
 * Calinski–Harabasz (higher is better). Points with code −1 are left out.
 */
import type { Embedding } from "../check.js";

function centroids(x: Embedding, n: number, dims: number, codes: Int32Array, k: number) {
  const c = new Float64Array(k * dims);
  const size = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const l = codes[i]!;
    if (l < 0) continue;
    size[l]!++;
    for (let d = 0; d < dims; d++) c[l * dims + d]! += x[i * dims + d]!;
  }
  for (let l = 0; l < k; l++) for (let d = 0; d < dims; d++) c[l * dims + d]! /= size[l]! || 1;
  return { c, size };
}

const levels = (codes: Int32Array) => Math.max(-1, ...codes) + 1;

export function daviesBouldin(x: Embedding, n: number, dims: number, codes: Int32Array): number {
  const k = levels(codes);
  if (k < 2) throw new Error("daviesBouldin needs at least 2 labelled groups");
  const { c } = centroids(x, n, dims, codes, k);
  const spread = new Float64Array(k);
  const count = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const l = codes[i]!;
    if (l < 0) continue;
    let s = 0;
    for (let d = 0; d < dims; d++) s += (x[i * dims + d]! - c[l * dims + d]!) ** 2;
    spread[l]! += Math.sqrt(s);
    count[l]!++;
  }
  for (let l = 0; l < k; l++) spread[l]! /= count[l]! || 1;
  let total = 0;
  for (let a = 0; a < k; a++) {
    let worst = 0;
    for (let b = 0; b < k; b++) {
      if (a === b) continue;
      let s = 0;
      for (let d = 0; d < dims; d++) s += (c[a * dims + d]! - c[b * dims + d]!) ** 2;
      const dist = Math.sqrt(s);
      // scikit-learn: a zero centroid distance contributes 0 (not Inf).
      worst = Math.max(worst, dist === 0 ? 0 : (spread[a]! + spread[b]!) / dist);
    }
    total += worst;
  }
  return total / k;
}

export function calinskiHarabasz(x: Embedding, n: number, dims: number, codes: Int32Array): number {
  const k = levels(codes);
  const { c, size } = centroids(x, n, dims, codes, k);
  const mean = new Float64Array(dims);
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (codes[i]! < 0) continue;
    m++;
    for (let d = 0; d < dims; d++) mean[d]! += x[i * dims + d]!;
  }
  for (let d = 0; d < dims; d++) mean[d]! /= m;
  let between = 0;
  for (let l = 0; l < k; l++) for (let d = 0; d < dims; d++) between += size[l]! * (c[l * dims + d]! - mean[d]!) ** 2;
  let within = 0;
  for (let i = 0; i < n; i++) {
    const l = codes[i]!;
    if (l < 0) continue;
    for (let d = 0; d < dims; d++) within += (x[i * dims + d]! - c[l * dims + d]!) ** 2;
  }
  return within === 0 ? 1 : (between * (m - k)) / (within * (k - 1));
}
