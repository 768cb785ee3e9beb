/**
 * scPaLM's vector quantiser (van den Oord et al. 2017, with the affine reparameterisation of Huh et al. 2023): the
 * codebook used is v = c_mean + c_std ⊙ c, so one shared scale and shift move every code with the encoder's outputs
 * (codes that are never chosen still follow, which keeps them usable). Each row of z takes its nearest code by
 * squared distance; the forward output is that code, the backward is straight-through (∂z_q/∂z = I); the commitment
 * loss β‖sg(z) − e‖² + (1 − β)‖z − sg(e)‖² (means over rows and dimensions) moves the codes towards the encoder's
 * outputs and the encoder towards its codes.
 */
import type { DType } from "../graph/dtype.js";
import type { Graph, Value } from "../graph/value.js";
import { add, argMin, gather, gemm, mul, reduceMean, reduceSum, square, stopGradient, sub } from "../ops/index.js";

export interface Quantized {
  /** The chosen codes in the forward pass, z's gradient in the backward [rows, dim]. */
  zq: Value;
  /** Index of each row's code [rows] (int64). */
  index: Value;
  /** Commitment loss (scalar). */
  loss: Value;
  /** The affine codebook v [codes, dim]. */
  codebook: Value;
}

/** The codebook in use, v = c_mean + c_std ⊙ c [codes, dim], over the parameters `<name>.codes|mean|std`. */
export function affineCodebook(g: Graph, name: string, codes: number, d: number, group: string, dtype: DType): Value {
  const c = g.param(`${name}.codes`, [codes, d], { group, dtype, init: { kind: "normal", std: 1 } });
  const mean = g.param(`${name}.mean`, [d], { group, dtype, init: { kind: "zeros" } });
  const std = g.param(`${name}.std`, [d], { group, dtype, init: { kind: "ones" } });
  return add(mul(c, std), mean);
}

export function vectorQuantize(z: Value, name: string, codes: number, group: string, beta: number): Quantized {
  const v = affineCodebook(z.graph, name, codes, z.shape[1] as number, group, z.dtype);
  // ‖z − v_k‖² = ‖z‖² − 2 z·v_k + ‖v_k‖²; ‖z‖² is the same for every k, so it is left out of the argmin.
  const distance = add(gemm(z, v, null, { transB: true, alpha: -2 }), reduceSum(square(v), [1]));
  const index = argMin(distance, 1);
  const e = gather(v, index);
  const zq = add(z, stopGradient(sub(e, z)));
  const loss = add(mul(reduceMean(square(sub(stopGradient(z), e))), beta), mul(reduceMean(square(sub(z, stopGradient(e)))), 1 - beta));
  return { zq, index, loss, codebook: v };
}
