/** UMAP layout of an embedding through scran.js (umappp). */
import type { BuildNeighborSearchIndexResults } from "scran.js";
import { checkEmbedding, checkK, type Embedding } from "./check.js";
import { permuteRows, seededOrder, unpermuteRows } from "./permute.js";
import { release, scran } from "./scran.js";

export interface UmapOptions {
  /** Neighbours per cell (default 15, as scanpy/umap-learn, or cells − 1 when there are fewer cells). */
  neighbors?: number;
  /** Minimum distance between embedded points (default 0.1, umap-learn's default; scanpy uses 0.5, scran 0.01). */
  minDist?: number;
  /** Optimisation epochs (default 500). */
  epochs?: number;
  /** Approximate (Annoy) neighbour search, default true; exact is slower on large data. */
  approximate?: boolean;
  /**
   * Without a seed the run is deterministic (scran.js's fixed internal seed, cells in their given order); with one,
   * the cells are laid out in a seeded random order, which gives another reproducible layout per seed.
   */
  seed?: number;
}

/**
 * Row-major cells × 2 coordinates. Deterministic for the same input and options: scran.js 4.0.9 seeds umappp with a
 * fixed internal seed and exposes no seed option (`seed` here permutes the cells instead, see permute.ts).
 */
export async function umap(embedding: Embedding, cells: number, dims: number, opts: UmapOptions = {}): Promise<Float32Array> {
  const fn = "UMAP";
  const neighbors = opts.neighbors ?? Math.max(1, Math.min(15, cells - 1));
  const minDist = opts.minDist ?? 0.1;
  const epochs = opts.epochs ?? 500;
  checkEmbedding(fn, embedding, cells, dims, 3);
  checkK(fn, "neighbors", neighbors, cells);
  if (!(minDist >= 0) || !Number.isFinite(minDist)) throw new Error(`${fn}: minDist must be a non-negative number, got ${minDist}`);
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`${fn}: epochs must be a positive integer, got ${epochs}`);
  const s = await scran();
  let index: BuildNeighborSearchIndexResults | null = null;
  try {
    const order = opts.seed === undefined ? null : seededOrder(cells, opts.seed);
    const input = order ? permuteRows(embedding, dims, order) : embedding;
    index = s.buildNeighborSearchIndex(input, { numberOfDims: dims, numberOfCells: cells, approximate: opts.approximate ?? true });
    const { x, y } = s.runUmap(index, { neighbors, epochs, minDist });
    const out = new Float32Array(cells * 2);
    for (let i = 0; i < cells; i++) {
      out[2 * i] = x[i]!;
      out[2 * i + 1] = y[i]!;
    }
    return order ? unpermuteRows(out, 2, order) : out;
  } finally {
    release(index);
  }
}
