/**
 * Control priors from the sciLaMA paper: "random" (standard-normal vectors carrying no knowledge) and
 * "shuffled" (the real vectors, handed to the wrong genes). Both are seeded and reproducible. (The
 * "self-informed" control — the transposed expression matrix — is built where the expression is.)
 */
import { Rng } from "../../native-models/random.js";
import type { PriorAlignment } from "./align.js";
import type { GenePrior } from "./types.js";

/** Standard-normal vectors of length `dim` for `genes`, from `seed`. */
export function randomPrior(genes: string[], dim: number, seed: number): GenePrior {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`randomPrior: dim must be a positive integer, got ${dim}`);
  const values = new Float32Array(genes.length * dim);
  new Rng(seed, 0x7072).fillNormal(values);
  return { name: "random", genes: genes.slice(), dim, values, source: `random N(0, 1) prior, ${dim} dims, seed ${seed}` };
}

function permuteRows(values: Float32Array, dim: number, perm: Int32Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < perm.length; i++) out.set(values.subarray(perm[i] * dim, (perm[i] + 1) * dim), i * dim);
  return out;
}

/**
 * The same vectors randomly permuted among the prior's genes: gene i gets the vector of gene perm[i]. The set of
 * vectors (and so their distribution) is unchanged; only the gene ↔ vector link is broken.
 */
export function shuffledPrior(prior: GenePrior, seed: number): GenePrior {
  const perm = new Rng(seed, 0x7368).permutation(prior.genes.length);
  return {
    name: `${prior.name} (shuffled)`,
    genes: prior.genes.slice(),
    dim: prior.dim,
    values: permuteRows(prior.values, prior.dim, perm),
    source: `${prior.source}, vectors shuffled among genes with seed ${seed}`,
  };
}

/**
 * Shuffles an aligned prior among the dataset's covered genes only (every vector used stays in use): the control
 * that keeps exactly the vectors the model would see, on the wrong genes.
 */
export function shuffledAlignment(a: PriorAlignment, seed: number): PriorAlignment {
  const perm = new Rng(seed, 0x7368).permutation(a.covered.length);
  return { ...a, name: `${a.name} (shuffled)`, matrix: permuteRows(a.matrix, a.dim, perm) };
}
