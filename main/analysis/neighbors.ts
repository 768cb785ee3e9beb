/** k nearest neighbours of each cell in an embedding (Euclidean), through scran.js. */
import type { BuildNeighborSearchIndexResults, FindNearestNeighborsResults } from "scran.js";
import { checkEmbedding, checkK, type Embedding } from "./check.js";
import { release, type Scran, scran } from "./scran.js";

/** Each cell's k nearest other cells, nearest first: row-major cells × k. */
export interface Knn {
  cells: number;
  k: number;
  indices: Int32Array;
  /** Euclidean distances (not squared). */
  distances: Float64Array;
}

export interface KnnOptions {
  /** Annoy (approximate) instead of the exact vantage-point tree; default false (exact). */
  approximate?: boolean;
}

export async function knn(embedding: Embedding, cells: number, dims: number, k: number, opts: KnnOptions = {}): Promise<Knn> {
  checkEmbedding("kNN", embedding, cells, dims, 2);
  checkK("kNN", "k", k, cells);
  const s = await scran();
  let index: BuildNeighborSearchIndexResults | null = null;
  let found: FindNearestNeighborsResults | null = null;
  try {
    index = s.buildNeighborSearchIndex(embedding, { numberOfDims: dims, numberOfCells: cells, approximate: opts.approximate ?? false });
    found = s.findNearestNeighbors(index, k);
    return fromScran(found, cells, k);
  } finally {
    release(found, index);
  }
}

/** Copies scran.js neighbour results (every cell has exactly k neighbours) into our layout. */
export function fromScran(found: FindNearestNeighborsResults, cells: number, k: number): Knn {
  const { runs, indices, distances } = found.serialize();
  for (let i = 0; i < cells; i++) if (runs[i] !== k) throw new Error(`kNN: cell ${i} got ${runs[i]} neighbours instead of ${k} (scran.js)`);
  return { cells, k, indices, distances };
}

/** Checks a Knn's shape and contents (used by the functions that accept a precomputed graph). */
export function checkKnn(fn: string, g: Knn): void {
  if (!Number.isInteger(g.cells) || g.cells < 2) throw new Error(`${fn}: the kNN graph needs at least 2 cells, got ${g.cells}`);
  checkK(fn, "the kNN graph's k", g.k, g.cells);
  if (g.indices.length !== g.cells * g.k || g.distances.length !== g.cells * g.k)
    throw new Error(
      `${fn}: the kNN graph has ${g.indices.length} indices and ${g.distances.length} distances, expected cells × k = ${g.cells * g.k}`,
    );
  for (let p = 0; p < g.indices.length; p++) {
    const j = g.indices[p]!;
    if (j < 0 || j >= g.cells) throw new Error(`${fn}: neighbour index ${j} of cell ${Math.floor(p / g.k)} is outside 0…${g.cells - 1}`);
    const d = g.distances[p]!;
    if (!(d >= 0) || !Number.isFinite(d))
      throw new Error(`${fn}: distance ${d} of cell ${Math.floor(p / g.k)} is not a finite non-negative number`);
  }
}

/** The first k (≤ g.k) neighbours of each cell. */
export function truncateKnn(g: Knn, k: number): Knn {
  if (k === g.k) return g;
  if (k > g.k) throw new Error(`kNN: cannot keep ${k} neighbours of ${g.k}`);
  const indices = new Int32Array(g.cells * k);
  const distances = new Float64Array(g.cells * k);
  for (let i = 0; i < g.cells; i++) {
    indices.set(g.indices.subarray(i * g.k, i * g.k + k), i * k);
    distances.set(g.distances.subarray(i * g.k, i * g.k + k), i * k);
  }
  return { cells: g.cells, k, indices, distances };
}

/** A scran.js neighbour-results object for a Knn, keeping the first k neighbours of each cell. */
export function toScran(s: Scran, g: Knn, k: number): FindNearestNeighborsResults {
  const t = truncateKnn(g, k);
  return s.FindNearestNeighborsResults.unserialize(new Int32Array(g.cells).fill(k), t.indices, t.distances);
}
