/**
 * Silhouette widths (Rousseeuw 1987) with Euclidean distances, as scikit-learn's `silhouette_samples` computes them,
 * and the two scib scores built on it: cell-type ASW (`scib.metrics.silhouette`) and batch ASW
 * (`scib.metrics.silhouette_batch`). Distances are ‖x‖² + ‖y‖² − 2x·y in float64, clipped at 0 (as scikit-learn's
 * `euclidean_distances`), computed once per pair in 4 × 2 register blocks: O(n²·d) time, O(n·labels) memory.
 */
import { asFloat64, checkEmbedding, checkLength, type Embedding, factorize } from "../check.js";

/**
 * Silhouette width of every cell: s = (b − a) / max(a, b), a = mean distance to the other cells of its label,
 * b = the smallest mean distance to the cells of another label; 0 for a cell alone in its label.
 */
export function silhouetteSamples(x: Embedding, cells: number, dims: number, labels: ArrayLike<string | number>): Float64Array {
  const fn = "silhouette";
  checkEmbedding(fn, x, cells, dims, 2);
  checkLength(fn, "the labels", labels, cells);
  const { codes, levels } = factorize(fn, "the label", labels);
  if (levels < 2 || levels > cells - 1)
    throw new Error(`${fn}: needs between 2 and cells − 1 = ${cells - 1} distinct labels, got ${levels}`);
  return silhouetteOfCodes(asFloat64(x), cells, dims, codes, levels);
}

/** Mean silhouette width (scikit-learn's `silhouette_score`). */
export function silhouetteScore(x: Embedding, cells: number, dims: number, labels: ArrayLike<string | number>): number {
  return mean(silhouetteSamples(x, cells, dims, labels));
}

/** scib `silhouette(adata, label_key, embed)`: (mean silhouette width of the cell labels + 1) / 2, in [0, 1]; 1 is best. */
export function cellTypeAsw(x: Embedding, cells: number, dims: number, labels: ArrayLike<string | number>): number {
  return (silhouetteScore(x, cells, dims, labels) + 1) / 2;
}

/**
 * scib `silhouette_batch(adata, batch_key, label_key, embed)` (scaled): for each cell label with 2 ≤ batches < cells
 * of that label, the silhouette widths of the batches among those cells, scored 1 − |s| per cell and averaged over
 * the label; the result is the mean over those labels (1 = batches perfectly mixed). NaN when no label qualifies.
 */
export function batchAsw(
  x: Embedding,
  cells: number,
  dims: number,
  batches: ArrayLike<string | number>,
  labels: ArrayLike<string | number>,
): number {
  const fn = "batch ASW";
  checkEmbedding(fn, x, cells, dims, 1);
  checkLength(fn, "the batches", batches, cells);
  checkLength(fn, "the labels", labels, cells);
  const b = factorize(fn, "the batch", batches);
  const l = factorize(fn, "the label", labels);
  const x64 = asFloat64(x);
  const members: number[][] = Array.from({ length: l.levels }, () => []);
  for (let i = 0; i < cells; i++) members[l.codes[i]!]!.push(i);
  let total = 0;
  let used = 0;
  for (const group of members) {
    const m = group.length;
    const sub = factorize(
      fn,
      "the batch",
      Array.from(group, (i) => b.codes[i]!),
    );
    if (sub.levels === 1 || sub.levels === m) continue;
    const xs = new Float64Array(m * dims);
    for (let r = 0; r < m; r++) xs.set(x64.subarray(group[r]! * dims, group[r]! * dims + dims), r * dims);
    const s = silhouetteOfCodes(xs, m, dims, sub.codes, sub.levels);
    let acc = 0;
    for (let r = 0; r < m; r++) acc += 1 - Math.abs(s[r]!);
    total += acc / m;
    used++;
  }
  return used === 0 ? Number.NaN : total / used;
}

/** Silhouette widths for codes 0…levels−1 (2 ≤ levels ≤ n − 1, not checked). */
export function silhouetteOfCodes(x: Float64Array, n: number, dims: number, codes: Int32Array, levels: number): Float64Array {
  const sums = distanceSumsByLabel(x, n, dims, codes, levels);
  const sizes = new Float64Array(levels);
  for (let i = 0; i < n; i++) sizes[codes[i]!]!++;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const own = codes[i]!;
    if (sizes[own]! <= 1) continue; // alone in its label: 0
    const a = sums[i * levels + own]! / (sizes[own]! - 1);
    let b = Number.POSITIVE_INFINITY;
    for (let c = 0; c < levels; c++) if (c !== own) b = Math.min(b, sums[i * levels + c]! / sizes[c]!);
    const s = (b - a) / Math.max(a, b);
    out[i] = Number.isFinite(s) ? s : 0; // 0/0 when all distances are 0, as numpy's nan_to_num
  }
  return out;
}

/** sums[i·levels + c] = Σ_{j with code c, j ≠ i} ‖x_i − x_j‖. */
function distanceSumsByLabel(x: Float64Array, n: number, d: number, codes: Int32Array, levels: number): Float64Array {
  const L = levels;
  const S = new Float64Array(n * L);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = i * d; t < i * d + d; t++) s += x[t]! * x[t]!;
    norms[i] = s;
  }
  const pair = (a: number, b: number) => {
    let dot = 0;
    for (let t = 0; t < d; t++) dot += x[a * d + t]! * x[b * d + t]!;
    const e = Math.sqrt(Math.max(norms[a]! + norms[b]! - 2 * dot, 0));
    S[a * L + codes[b]!]! += e;
    S[b * L + codes[a]!]! += e;
  };
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    for (let a = i; a < i + 4; a++) for (let b = a + 1; b < i + 4; b++) pair(a, b);
    const b0 = i * d;
    const b1 = b0 + d;
    const b2 = b1 + d;
    const b3 = b2 + d;
    const c0 = codes[i]!;
    const c1 = codes[i + 1]!;
    const c2 = codes[i + 2]!;
    const c3 = codes[i + 3]!;
    const n0 = norms[i]!;
    const n1 = norms[i + 1]!;
    const n2 = norms[i + 2]!;
    const n3 = norms[i + 3]!;
    const r0 = i * L;
    const r1 = r0 + L;
    const r2 = r1 + L;
    const r3 = r2 + L;
    let j = i + 4;
    for (; j + 2 <= n; j += 2) {
      const bj = j * d;
      const bk = bj + d;
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      let e0 = 0;
      let e1 = 0;
      let e2 = 0;
      let e3 = 0;
      for (let t = 0; t < d; t++) {
        const v = x[bj + t]!;
        const w = x[bk + t]!;
        const a0 = x[b0 + t]!;
        const a1 = x[b1 + t]!;
        const a2 = x[b2 + t]!;
        const a3 = x[b3 + t]!;
        d0 += a0 * v;
        d1 += a1 * v;
        d2 += a2 * v;
        d3 += a3 * v;
        e0 += a0 * w;
        e1 += a1 * w;
        e2 += a2 * w;
        e3 += a3 * w;
      }
      let nj = norms[j]!;
      let cj = codes[j]!;
      let q0 = Math.sqrt(Math.max(n0 + nj - 2 * d0, 0));
      let q1 = Math.sqrt(Math.max(n1 + nj - 2 * d1, 0));
      let q2 = Math.sqrt(Math.max(n2 + nj - 2 * d2, 0));
      let q3 = Math.sqrt(Math.max(n3 + nj - 2 * d3, 0));
      S[r0 + cj]! += q0;
      S[r1 + cj]! += q1;
      S[r2 + cj]! += q2;
      S[r3 + cj]! += q3;
      let r = j * L;
      S[r + c0]! += q0;
      S[r + c1]! += q1;
      S[r + c2]! += q2;
      S[r + c3]! += q3;
      nj = norms[j + 1]!;
      cj = codes[j + 1]!;
      q0 = Math.sqrt(Math.max(n0 + nj - 2 * e0, 0));
      q1 = Math.sqrt(Math.max(n1 + nj - 2 * e1, 0));
      q2 = Math.sqrt(Math.max(n2 + nj - 2 * e2, 0));
      q3 = Math.sqrt(Math.max(n3 + nj - 2 * e3, 0));
      S[r0 + cj]! += q0;
      S[r1 + cj]! += q1;
      S[r2 + cj]! += q2;
      S[r3 + cj]! += q3;
      r += L;
      S[r + c0]! += q0;
      S[r + c1]! += q1;
      S[r + c2]! += q2;
      S[r + c3]! += q3;
    }
    for (; j < n; j++) for (let a = i; a < i + 4; a++) pair(a, j);
  }
  for (; i < n; i++) for (let j = i + 1; j < n; j++) pair(i, j);
  return S;
}

function mean(v: Float64Array): number {
  let s = 0;
  for (const e of v) s += e;
  return s / v.length;
}
