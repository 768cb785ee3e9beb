/**
 * scPaLM's token-level contrastive loss (its Eq. 2, in the InfoNCE form of Chen et al. 2020 that it cites — the
 * printed equation drops the exponentials): for cell i with cell tokens h_i and h′_i from two masked views,
 *   ℓ_i = −log( exp(s(h_i, h′_i)/τ) / (exp(s(h_i, h′_i)/τ) + Σ_{j ∈ neg(i)} exp(s(h_j, h_i)/τ)) ),
 * s the cosine similarity, neg(i) the cells of other k-means pseudo-labels (a 0/1 mask the host draws, at most K per
 * cell); the loss is the mean over cells.
 */
import type { Value } from "../graph/value.js";
import { add, div, exp, gemm, log, mul, reduceMean, reduceSum, sqrt, sub } from "../ops/index.js";

const unit = (h: Value) => div(h, add(sqrt(reduceSum(mul(h, h), [1], true)), 1e-8));

export function contrastiveLoss(h: Value, h2: Value, negatives: Value, tau: number): Value {
  const a = unit(h);
  const positive = mul(reduceSum(mul(a, unit(h2)), [1]), 1 / tau);
  const others = mul(gemm(a, a, null, { transB: true }), 1 / tau);
  const denominator = add(exp(positive), reduceSum(mul(exp(others), negatives), [1]));
  return reduceMean(sub(log(denominator), positive));
}

/** Negatives of each cell: the cells of other pseudo-labels, the first `k` of them in a seeded order per cell. */
export function negativeMask(labels: ArrayLike<number>, k: number, order: (i: number) => ArrayLike<number>): Float32Array {
  const n = labels.length;
  const mask = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    let taken = 0;
    for (const j of Array.from(order(i))) {
      if (taken === k) break;
      if (labels[j] !== labels[i]) {
        mask[i * n + j] = 1;
        taken++;
      }
    }
  }
  return mask;
}
