/**
 * Seeded cell orders. scran.js 4.0.9 runs Leiden and UMAP with fixed internal seeds and has no seed option; both
 * visit cells in an order that depends on their numbering, so presenting the cells in a seeded random order (and
 * restoring it afterwards) gives a different, reproducible run per seed.
 */
import { Rng } from "../../native-models/index.js";
import type { Embedding } from "./check.js";
import type { Knn } from "./neighbors.js";

/** A seeded permutation: order[newPosition] = original cell. */
export function seededOrder(cells: number, seed: number): Int32Array {
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  return new Rng(seed, 0x5eed).permutation(cells);
}

/** Rows of a row-major cells × dims matrix in the given order. */
export function permuteRows(x: Embedding, dims: number, order: Int32Array): Float64Array {
  const out = new Float64Array(order.length * dims);
  for (let r = 0; r < order.length; r++) out.set(x.subarray(order[r]! * dims, order[r]! * dims + dims), r * dims);
  return out;
}

/** The inverse: out[order[r]] = y[r] for per-cell rows of width `dims`. */
export function unpermuteRows<T extends Int32Array | Float32Array | Float64Array>(y: T, dims: number, order: Int32Array): T {
  const out = new (y.constructor as new (n: number) => T)(y.length);
  for (let r = 0; r < order.length; r++) out.set(y.subarray(r * dims, r * dims + dims), order[r]! * dims);
  return out;
}

/** A kNN graph with its cells renumbered to the given order. */
export function permuteKnn(g: Knn, order: Int32Array): Knn {
  const position = new Int32Array(g.cells);
  for (let r = 0; r < g.cells; r++) position[order[r]!] = r;
  const indices = new Int32Array(g.indices.length);
  const distances = new Float64Array(g.distances.length);
  for (let r = 0; r < g.cells; r++) {
    const src = order[r]! * g.k;
    for (let j = 0; j < g.k; j++) {
      indices[r * g.k + j] = position[g.indices[src + j]!]!;
      distances[r * g.k + j] = g.distances[src + j]!;
    }
  }
  return { cells: g.cells, k: g.k, indices, distances };
}
