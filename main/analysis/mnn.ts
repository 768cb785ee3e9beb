/** Mutual-nearest-neighbour batch correction of an embedding (Haghverdi et al. 2018, as in batchelor's fastMNN) through scran.js. */
import { checkEmbedding, checkK, checkLength, type Embedding, factorize } from "./check.js";
import { scran } from "./scran.js";

export interface MnnOptions {
  /** Neighbours for the mutual-nearest-neighbour search (default 15). */
  k?: number;
  /** Which batch is the first reference (scran.js: "max-rss" default, "max-size", "max-variance", "input" = batch of cell 0). */
  referencePolicy?: "max-rss" | "max-size" | "max-variance" | "input";
  /** Approximate (Annoy) neighbour search (default true, as scran.js). */
  approximate?: boolean;
}

/** The corrected embedding, row-major cells × dims. `batch` holds any per-cell batch codes (at least 2 distinct). */
export async function mnnCorrect(
  embedding: Embedding,
  cells: number,
  dims: number,
  batch: ArrayLike<number | string>,
  opts: MnnOptions = {},
): Promise<Float64Array> {
  const fn = "MNN correction";
  const k = opts.k ?? 15;
  checkEmbedding(fn, embedding, cells, dims, 2);
  checkLength(fn, "the batch", batch, cells);
  checkK(fn, "k", k, cells);
  const { codes, levels } = factorize(fn, "the batch", batch);
  if (levels < 2) throw new Error(`${fn}: needs at least 2 batches, all ${cells} cells are in one`);
  const s = await scran();
  return s.mnnCorrect(embedding, codes, {
    numberOfDims: dims,
    numberOfCells: cells,
    k,
    referencePolicy: opts.referencePolicy ?? "max-rss",
    approximate: opts.approximate ?? true,
  });
}
