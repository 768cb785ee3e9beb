/**
 * Graph LISI as scib computes it for embedding outputs (`ilisi_graph` / `clisi_graph` with `type_="embed"`,
 * Luecken et al. 2022), which adapts the Local Inverse Simpson's Index of Korsunsky et al. 2019 to kNN graphs:
 *
 * 1. scanpy's `pp.neighbors(n_neighbors=15)` on the embedding: each cell's 15 nearest cells (itself included),
 *    turned into UMAP's fuzzy-simplicial-set connectivities (umap-learn `smooth_knn_dist` and
 *    `compute_membership_strengths`, then the fuzzy union w + wᵀ − w∘wᵀ);
 * 2. scib's C++ `knn_graph`: Dijkstra over that graph with the *connectivities as edge lengths* (as scib does: a
 *    strong connection counts as a long edge), keeping each cell's k0 = 90 nearest cells by path length;
 * 3. scib's `compute_simpson_index_graph`: on those path lengths D, a Gaussian kernel P ∝ exp(−βD) whose β is found
 *    by bisection until its entropy equals log(perplexity), perplexity = ⌊k0 / 3⌋ = 30 (tolerance 1e-5, at most
 *    50 steps); Simpson's index Σ_b (Σ_{j in b} P_j)² over the labels b; LISI = 1 / Simpson;
 * 4. the median over cells, scaled: iLISI (median − 1) / (batches − 1), cLISI (labels − median) / (labels − 1).
 *
 * Differences from scib, all small: the 15-NN search is exact here (scanpy switches to approximate NN-descent on
 * larger data unless told otherwise); UMAP's float32 arithmetic is float64 here; scib writes path lengths to a text
 * file with 6 significant digits and reads them back, here they stay in float64; ties in path length may be broken
 * differently. Cells that reach fewer than min(k0, cells − 1) others (a small disconnected component) get LISI 1,
 * as scib's padded-row rule gives them.
 */
import { checkEmbedding, checkLength, type Embedding, factorize } from "../check.js";
import { checkKnn, type Knn, knn as knnSearch, truncateKnn } from "../neighbors.js";

export interface LisiOptions {
  /** Neighbourhood size for the LISI (scib's k0, default 90); the perplexity is ⌊k0 / 3⌋. */
  k0?: number;
  /** scanpy's n_neighbors for the connectivity graph, the cell itself included (default 15). */
  neighbors?: number;
  /** Approximate (Annoy) search for the connectivity graph's neighbours (default false: exact). */
  approximate?: boolean;
  /** Precomputed neighbours of the embedding with at least neighbors − 1 per cell (the first neighbors − 1 are used). */
  knn?: Knn;
}

/** Each cell's nearest cells by shortest-path length: row-major cells × k0, padded with −1 / NaN, `counts` per cell. */
export interface PathNeighbours {
  cells: number;
  k0: number;
  indices: Int32Array;
  distances: Float64Array;
  counts: Int32Array;
}

/** A symmetric weighted graph in CSR form. */
export interface Graph {
  cells: number;
  indptr: Int32Array;
  indices: Int32Array;
  weights: Float64Array;
}

/** Steps 1–2: the graph neighbourhoods of an embedding (computed once, shared by iLISI and cLISI). */
export async function lisiNeighbourhoods(x: Embedding, cells: number, dims: number, opts: LisiOptions = {}): Promise<PathNeighbours> {
  const fn = "LISI";
  const neighbors = opts.neighbors ?? 15;
  const k0 = opts.k0 ?? 90;
  checkEmbedding(fn, x, cells, dims, 3);
  if (!Number.isInteger(neighbors) || neighbors < 2) throw new Error(`${fn}: neighbors must be an integer ≥ 2, got ${neighbors}`);
  if (neighbors > cells)
    throw new Error(`${fn}: neighbors = ${neighbors} (the cell included) needs at least ${neighbors} cells, got ${cells}`);
  if (!Number.isInteger(k0) || k0 < 3) throw new Error(`${fn}: k0 must be an integer ≥ 3, got ${k0}`);
  const k = neighbors - 1;
  let nn: Knn;
  if (opts.knn) {
    checkKnn(fn, opts.knn);
    if (opts.knn.cells !== cells) throw new Error(`${fn}: the kNN graph has ${opts.knn.cells} cells, the embedding ${cells}`);
    if (opts.knn.k < k) throw new Error(`${fn}: the kNN graph has ${opts.knn.k} neighbours per cell, ${k} are needed`);
    nn = opts.knn.k === k ? opts.knn : truncateKnn(opts.knn, k);
  } else nn = await knnSearch(x, cells, dims, k, { approximate: opts.approximate ?? false });
  const graph = umapConnectivities(nn.indices, nn.distances, cells, k);
  return shortestPathNeighbours(graph, k0);
}

/**
 * UMAP's fuzzy simplicial set (umap-learn 0.5, local_connectivity 1, set_op_mix_ratio 1) from each cell's k nearest
 * *other* cells (row-major cells × k, nearest first); the cell itself is the implicit neighbour 0 at distance 0,
 * as in scanpy's kNN lists, so scanpy's n_neighbors is k + 1.
 */
export function umapConnectivities(indices: Int32Array, distances: Float64Array, cells: number, k: number): Graph {
  const target = Math.log2(k + 1);
  let meanAll = 0;
  for (let p = 0; p < distances.length; p++) meanAll += distances[p]!;
  meanAll /= cells * (k + 1); // umap's mean includes the zero self-distances
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < cells; i++) {
    const base = i * k;
    let rho = 0;
    let sumRow = 0;
    for (let j = 0; j < k; j++) {
      const d = distances[base + j]!;
      sumRow += d;
      if (rho === 0 && d > 0) rho = d; // the smallest positive distance (rows are sorted)
    }
    let lo = 0;
    let hi = Number.POSITIVE_INFINITY;
    let mid = 1;
    for (let it = 0; it < 64; it++) {
      let psum = 0;
      for (let j = 0; j < k; j++) {
        const d = distances[base + j]! - rho;
        psum += d > 0 ? Math.exp(-(d / mid)) : 1;
      }
      if (Math.abs(psum - target) < 1e-5) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Number.POSITIVE_INFINITY ? mid * 2 : (lo + hi) / 2;
      }
    }
    let sigma = mid;
    const floor = 1e-3 * (rho > 0 ? sumRow / (k + 1) : meanAll);
    if (sigma < floor) sigma = floor;
    for (let j = 0; j < k; j++) {
      const c = indices[base + j]!;
      if (c === i) continue;
      const d = distances[base + j]! - rho;
      const v = d <= 0 || sigma === 0 ? 1 : Math.exp(-(d / sigma));
      if (v === 0) continue;
      rows.push(i);
      cols.push(c);
      vals.push(v);
    }
  }
  return symmetricFuzzyUnion(cells, rows, cols, vals);
}

/** w + wᵀ − w∘wᵀ as CSR with sorted columns (duplicate (i, j) entries summed first, as scipy's COO → CSR does). */
function symmetricFuzzyUnion(cells: number, rows: number[], cols: number[], vals: number[]): Graph {
  const directed = new Map<number, number>();
  for (let p = 0; p < rows.length; p++) {
    const key = rows[p]! * cells + cols[p]!;
    directed.set(key, (directed.get(key) ?? 0) + vals[p]!);
  }
  const lists: Map<number, number>[] = Array.from({ length: cells }, () => new Map());
  for (const [key, w] of directed) {
    const i = Math.floor(key / cells);
    const j = key - i * cells;
    const back = directed.get(j * cells + i) ?? 0;
    const u = w + back - w * back;
    if (u !== 0) {
      lists[i]!.set(j, u);
      lists[j]!.set(i, u);
    }
  }
  const indptr = new Int32Array(cells + 1);
  for (let i = 0; i < cells; i++) indptr[i + 1] = indptr[i]! + lists[i]!.size;
  const indices = new Int32Array(indptr[cells]!);
  const weights = new Float64Array(indptr[cells]!);
  for (let i = 0; i < cells; i++) {
    const entries = [...lists[i]!.entries()].sort((a, b) => a[0] - b[0]);
    let p = indptr[i]!;
    for (const [j, w] of entries) {
      indices[p] = j;
      weights[p++] = w;
    }
  }
  return { cells, indptr, indices, weights };
}

/** For every cell, its k0 nearest other cells by shortest-path length (Dijkstra, edge length = weight), nearest first. */
export function shortestPathNeighbours(g: Graph, k0: number): PathNeighbours {
  const n = g.cells;
  const indices = new Int32Array(n * k0).fill(-1);
  const distances = new Float64Array(n * k0).fill(Number.NaN);
  const counts = new Int32Array(n);
  const dist = new Float64Array(n);
  const stamp = new Int32Array(n).fill(-1); // dist[v] is valid for this source when stamp[v] === source
  const done = new Int32Array(n).fill(-1);
  const heap = new MinHeap();
  for (let s = 0; s < n; s++) {
    heap.clear();
    stamp[s] = s;
    dist[s] = 0;
    heap.push(0, s);
    let found = 0;
    while (heap.size > 0 && found < k0) {
      const d = heap.topKey();
      const v = heap.pop();
      if (done[v] === s || d > dist[v]!) continue;
      done[v] = s;
      if (v !== s) {
        indices[s * k0 + found] = v;
        distances[s * k0 + found] = d;
        found++;
      }
      for (let p = g.indptr[v]!; p < g.indptr[v + 1]!; p++) {
        const u = g.indices[p]!;
        if (done[u] === s) continue;
        const nd = d + g.weights[p]!;
        if (stamp[u] !== s || nd < dist[u]!) {
          stamp[u] = s;
          dist[u] = nd;
          heap.push(nd, u);
        }
      }
    }
    counts[s] = found;
  }
  return { cells: n, k0, indices, distances, counts };
}

/**
 * Step 3: each cell's LISI of a labelling over its path neighbourhood (scib `compute_simpson_index_graph`, then
 * 1 / Simpson). `perplexity` defaults to ⌊k0 / 3⌋.
 */
export function lisiScores(nb: PathNeighbours, codes: Int32Array, levels: number, perplexity = Math.floor(nb.k0 / 3)): Float64Array {
  const fn = "LISI";
  checkLength(fn, "the labels", codes, nb.cells);
  const need = Math.min(nb.k0, nb.cells - 1);
  const logU = Math.log(perplexity);
  const tol = 1e-5;
  const out = new Float64Array(nb.cells);
  const P = new Float64Array(nb.k0);
  const perLabel = new Float64Array(levels);
  for (let i = 0; i < nb.cells; i++) {
    const m = nb.counts[i]!;
    if (m < need) {
      out[i] = 1; // scib: a row shorter than the others is padded with NaN and scored Simpson = 1
      continue;
    }
    const D = nb.distances.subarray(i * nb.k0, i * nb.k0 + m);
    let beta = 1;
    let betaMin = Number.NEGATIVE_INFINITY;
    let betaMax = Number.POSITIVE_INFINITY;
    let H = hbeta(D, beta, P);
    let diff = H - logU;
    for (let tries = 0; Math.abs(diff) > tol && tries < 50; tries++) {
      if (diff > 0) {
        betaMin = beta;
        beta = betaMax === Number.POSITIVE_INFINITY ? beta * 2 : (beta + betaMax) / 2;
      } else {
        betaMax = beta;
        beta = betaMin === Number.NEGATIVE_INFINITY ? beta / 2 : (beta + betaMin) / 2;
      }
      H = hbeta(D, beta, P);
      diff = H - logU;
    }
    if (H === 0) {
      out[i] = -1; // scib sets Simpson = −1 when the kernel underflows; its LISI is then 1 / −1
      continue;
    }
    perLabel.fill(0);
    for (let j = 0; j < m; j++) perLabel[codes[nb.indices[i * nb.k0 + j]!]!]! += P[j]!;
    let simpson = 0;
    for (let b = 0; b < levels; b++) simpson += perLabel[b]! * perLabel[b]!;
    out[i] = 1 / simpson;
  }
  return out;
}

/** Entropy of P ∝ exp(−βD) (P written to `P`), 0 when every term underflows (scib's `Hbeta`). */
function hbeta(D: Float64Array, beta: number, P: Float64Array): number {
  let sum = 0;
  for (let j = 0; j < D.length; j++) {
    P[j] = Math.exp(-D[j]! * beta);
    sum += P[j]!;
  }
  if (sum === 0) {
    P.fill(0, 0, D.length);
    return 0;
  }
  let dp = 0;
  for (let j = 0; j < D.length; j++) dp += D[j]! * P[j]!;
  for (let j = 0; j < D.length; j++) P[j]! /= sum;
  return Math.log(sum) + (beta * dp) / sum;
}

/** Median ignoring NaN (numpy's nanmedian). */
export function nanMedian(v: ArrayLike<number>): number {
  const a = Array.from(v).filter((e) => !Number.isNaN(e));
  if (a.length === 0) return Number.NaN;
  a.sort((p, q) => p - q);
  const h = a.length >> 1;
  return a.length % 2 ? a[h]! : (a[h - 1]! + a[h]!) / 2;
}

/** scib `ilisi_graph` (scaled): (median iLISI − 1) / (batches − 1); 1 = batches perfectly mixed, 0 = separated. */
export function ilisiFrom(nb: PathNeighbours, batches: ArrayLike<string | number>): number {
  const { codes, levels } = factorize("iLISI", "the batch", batches);
  if (levels < 2) throw new Error(`iLISI: needs at least 2 batches, got ${levels}`);
  return (nanMedian(lisiScores(nb, codes, levels)) - 1) / (levels - 1);
}

/** scib `clisi_graph` (scaled): (labels − median cLISI) / (labels − 1); 1 = labels perfectly separated. */
export function clisiFrom(nb: PathNeighbours, labels: ArrayLike<string | number>): number {
  const { codes, levels } = factorize("cLISI", "the label", labels);
  if (levels < 2) throw new Error(`cLISI: needs at least 2 labels, got ${levels}`);
  return (levels - nanMedian(lisiScores(nb, codes, levels))) / (levels - 1);
}

export async function ilisiGraph(
  x: Embedding,
  cells: number,
  dims: number,
  batches: ArrayLike<string | number>,
  opts: LisiOptions = {},
): Promise<number> {
  checkLength("iLISI", "the batches", batches, cells);
  return ilisiFrom(await lisiNeighbourhoods(x, cells, dims, opts), batches);
}

export async function clisiGraph(
  x: Embedding,
  cells: number,
  dims: number,
  labels: ArrayLike<string | number>,
  opts: LisiOptions = {},
): Promise<number> {
  checkLength("cLISI", "the labels", labels, cells);
  return clisiFrom(await lisiNeighbourhoods(x, cells, dims, opts), labels);
}

/** A binary min-heap of (key, value) pairs in typed arrays, grown on demand. */
class MinHeap {
  private keys = new Float64Array(256);
  private vals = new Int32Array(256);
  size = 0;

  clear(): void {
    this.size = 0;
  }

  topKey(): number {
    return this.keys[0]!;
  }

  push(key: number, val: number): void {
    if (this.size === this.keys.length) {
      const k = new Float64Array(this.size * 2);
      k.set(this.keys);
      this.keys = k;
      const v = new Int32Array(this.size * 2);
      v.set(this.vals);
      this.vals = v;
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent]! <= key) break;
      this.keys[i] = this.keys[parent]!;
      this.vals[i] = this.vals[parent]!;
      i = parent;
    }
    this.keys[i] = key;
    this.vals[i] = val;
  }

  /** Removes the minimum and returns its value. */
  pop(): number {
    const top = this.vals[0]!;
    const n = --this.size;
    if (n > 0) {
      const key = this.keys[n]!;
      const val = this.vals[n]!;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && this.keys[c + 1]! < this.keys[c]!) c++;
        if (this.keys[c]! >= key) break;
        this.keys[i] = this.keys[c]!;
        this.vals[i] = this.vals[c]!;
        i = c;
      }
      this.keys[i] = key;
      this.vals[i] = val;
    }
    return top;
  }
}
