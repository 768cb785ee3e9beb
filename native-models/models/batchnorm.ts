import type { Graph, Value } from "../graph/value.js";
import { add, div, mul, reduceMean, sqrt, square, sub } from "../ops/index.js";

/**
 * Where BatchNorm takes its statistics: "batch" normalises by the minibatch's own mean and variance (training, and
 * the pass that measures the population statistics); "population" by fixed statistics fed as parameters (inference).
 */
export type BnMode = "batch" | "population";

/** Parameter group of the population statistics: fed, never trained. */
export const BN_STATS = "bn.stats";

export interface BatchNormOut {
  y: Value;
  /** The statistics this call normalised by ([features] each): the minibatch's in "batch" mode. */
  mean: Value;
  variance: Value;
}

/**
 * BatchNorm over the last axis (Keras' BatchNormalization: γ·(x − μ)/√(σ² + ε) + β, biased σ², ε = 1e-3), statistics
 * over every leading axis. The population statistics are the parameters `<name>.mean` and
 * `<name>.var` of group BN_STATS; the host measures them after training over training minibatches (Ioffe & Szegedy
 * 2015, Algorithm 2) instead of keeping running averages inside the training Loop.
 */
export function batchNorm(x: Value, name: string, group: string, mode: BnMode, eps = 1e-3): BatchNormOut {
  const g: Graph = x.graph;
  const d = x.shape[x.rank - 1] as number;
  const gamma = g.param(`${name}.gamma`, [d], { group, dtype: x.dtype, init: { kind: "ones" } });
  const beta = g.param(`${name}.beta`, [d], { group, dtype: x.dtype, init: { kind: "zeros" } });
  let mean: Value;
  let variance: Value;
  if (mode === "population") {
    mean = g.param(`${name}.mean`, [d], { group: BN_STATS, dtype: x.dtype, init: { kind: "zeros" } });
    variance = g.param(`${name}.var`, [d], { group: BN_STATS, dtype: x.dtype, init: { kind: "ones" } });
  } else {
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    mean = reduceMean(x, axes);
    variance = reduceMean(square(sub(x, mean)), axes);
  }
  const y = add(mul(div(sub(x, mean), sqrt(add(variance, eps))), gamma), beta);
  return { y, mean, variance };
}
