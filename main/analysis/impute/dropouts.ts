/**
 * The dropout benchmark of scPaLM's Table 1: in each cell, a fraction of the entries (10%) is drawn with probability
 * ∝ exp(−x) on log-normalised values and set to 0; a method sees the masked matrix and is scored (RMSE, MAE) on the
 * masked entries only. Taken literally the draw lands mostly on zeros (~98% on pbmc3k, where predicting 0 wins), so
 * the variant that draws only among a cell's non-zero entries is offered beside it. The trivial predictors every
 * method is compared with: zeros, each gene's mean, each gene's mean of its non-zero values (on the masked data), and
 * kNN smoothing (the mean of the cell's nearest cells in a PCA of the masked data).
 */
import { Rng } from "../../../native-models/random.js";
import { knn } from "../neighbors.js";
import { pca } from "../pca.js";

export interface DropoutMask {
  /** The masked matrix: cells × genes, row-major, the drawn entries set to 0. */
  masked: Float32Array;
  cells: number;
  genes: number;
  /** Flat indices (cell × genes + gene) of the masked entries, ascending, and their true values. */
  index: Int32Array;
  truth: Float32Array;
}

/**
 * Masks `fraction` of each cell's entries (rounded), or of its non-zero entries when `nonzeroOnly`, drawn without
 * replacement with weight exp(−x) (Efraimidis–Spirakis: the largest keys log(u)·eˣ), seeded.
 */
export function maskDropouts(
  values: ArrayLike<number>,
  cells: number,
  genes: number,
  o: { fraction: number; nonzeroOnly: boolean; seed: number },
): DropoutMask {
  const masked = Float32Array.from(values as ArrayLike<number>);
  const index: number[] = [];
  for (let c = 0; c < cells; c++) {
    const rng = new Rng(o.seed, c);
    const base = c * genes;
    const candidates: { g: number; key: number }[] = [];
    for (let g = 0; g < genes; g++) {
      const x = masked[base + g]!;
      if (o.nonzeroOnly && x === 0) continue;
      // 1 − uniform is in (0, 1]: log never sees 0.
      candidates.push({ g, key: Math.log(1 - rng.uniform()) * Math.exp(x) });
    }
    const take = Math.round(o.fraction * candidates.length);
    candidates.sort((a, b) => b.key - a.key || a.g - b.g);
    for (const { g } of candidates.slice(0, take)) index.push(base + g);
  }
  index.sort((a, b) => a - b);
  const idx = Int32Array.from(index);
  const truth = Float32Array.from(idx, (i) => masked[i]!);
  for (const i of idx) masked[i] = 0;
  return { masked, cells, genes, index: idx, truth };
}

/** A benchmark needs at least this many masked entries for its RMSE and MAE to mean something. */
export const MIN_MASKED = 50;

/** How many entries `maskDropouts` masks at `fraction`, given each cell's number of candidate entries (its genes, or
 *  its non-zero entries when only those are drawn). */
export function maskedCount(candidates: ArrayLike<number>, fraction: number): number {
  let n = 0;
  for (let c = 0; c < candidates.length; c++) n += Math.round(fraction * candidates[c]!);
  return n;
}

/** The smallest mask fraction (rounded up to two significant digits) that masks at least `need` entries, or null
 *  when even masking every candidate would not. */
export function smallestMask(candidates: ArrayLike<number>, need = MIN_MASKED): number | null {
  if (maskedCount(candidates, 1) < need) return null;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (maskedCount(candidates, mid) >= need) hi = mid;
    else lo = mid;
  }
  const step = 10 ** (Math.floor(Math.log10(hi)) - 1);
  let f = Math.ceil(hi / step) * step;
  while (maskedCount(candidates, f) < need) f += step;
  return Number(f.toPrecision(2));
}

/** The same mask scored only at the entries `keep(i)` accepts (flat index i), e.g. the genes a model knows. */
export function restrictMask(m: DropoutMask, keep: (i: number) => boolean): DropoutMask {
  const at = [...m.index.keys()].filter((k) => keep(m.index[k]!));
  return { ...m, index: Int32Array.from(at, (k) => m.index[k]!), truth: Float32Array.from(at, (k) => m.truth[k]!) };
}

/** RMSE and MAE of predictions at the masked entries (`predict(i)` for flat index i); NaN with no masked entry. */
export function maskedErrors(m: DropoutMask, predict: (i: number) => number): { rmse: number; mae: number } {
  let se = 0;
  let ae = 0;
  m.index.forEach((i, k) => {
    const e = predict(i) - m.truth[k]!;
    se += e * e;
    ae += Math.abs(e);
  });
  const n = m.index.length;
  return { rmse: Math.sqrt(se / n), mae: ae / n };
}

export const DROPOUT_BASELINES = ["zeros", "gene mean", "gene non-zero mean"] as const;

/** The trivial predictors, from the masked matrix alone: each a function of the flat index. */
export function dropoutBaselines(m: DropoutMask): Record<(typeof DROPOUT_BASELINES)[number], (i: number) => number> {
  const sum = new Float64Array(m.genes);
  const nonzero = new Float64Array(m.genes);
  for (let c = 0; c < m.cells; c++)
    for (let g = 0; g < m.genes; g++) {
      const x = m.masked[c * m.genes + g]!;
      sum[g] += x;
      if (x !== 0) nonzero[g]++;
    }
  return {
    zeros: () => 0,
    "gene mean": (i) => sum[i % m.genes]! / m.cells,
    "gene non-zero mean": (i) => (nonzero[i % m.genes]! ? sum[i % m.genes]! / nonzero[i % m.genes]! : 0),
  };
}

/**
 * kNN smoothing: each masked entry predicted as the mean of the same gene over the cell's `k` nearest cells (Euclidean,
 * in the first `pcs` principal components of the masked data, genes scaled): what any neighbourhood-based denoiser
 * (MAGIC, kNN-smoothing) starts from.
 */
export async function knnSmoothing(m: DropoutMask, k = 15, pcs = 50): Promise<(i: number) => number> {
  const dims = Math.min(pcs, m.cells - 1, m.genes - 1);
  const p = await pca({ kind: "dense", nRows: m.cells, nCols: m.genes, values: m.masked }, dims, { scale: true });
  const g = await knn(Float32Array.from(p.embedding), m.cells, dims, k);
  return (i) => {
    const cell = Math.floor(i / m.genes);
    const gene = i % m.genes;
    let s = 0;
    for (let j = 0; j < g.k; j++) s += m.masked[g.indices[cell * g.k + j]! * m.genes + gene]!;
    return s / g.k;
  };
}
