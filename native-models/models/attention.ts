/**
 * Multi-head self-attention (Vaswani et al. 2017) over tokens [batch, tokens, width]: queries, keys and values by
 * linear maps, split into `heads` of width/heads, softmax over the keys of QKᵀ/√d_head, heads merged, an output map.
 * Composed of batched products, reshapes and transposes, so its gradient is theirs.
 */
import type { Value } from "../graph/value.js";
import { linear, matmul, mul, reshape, softmax, transpose } from "../ops/index.js";
import { linearParams } from "./blocks.js";

/** x·W + b over the last axis of a [batch, tokens, in] value (one Gemm over the flattened rows). */
export function tokenLinear(x: Value, name: string, out: number, group: string): Value {
  const [b, t, d] = x.shape as number[];
  const p = linearParams(x.graph, name, d!, out, group, x.dtype);
  return reshape(linear(reshape(x, [b! * t!, d!]), p.w, p.b), [b!, t!, out]);
}

export function multiHeadAttention(x: Value, name: string, heads: number, group: string): Value {
  const [b, t, d] = x.shape as number[];
  if (d! % heads !== 0) throw new Error(`attention ${name}: width ${d} is not divisible by ${heads} heads`);
  const dh = d! / heads;
  // [batch, tokens, width] → [batch, heads, tokens, d_head]
  const split = (v: Value) => transpose(reshape(v, [b!, t!, heads, dh]), [0, 2, 1, 3]);
  const q = split(tokenLinear(x, `${name}.q`, d!, group));
  const k = split(tokenLinear(x, `${name}.k`, d!, group));
  const v = split(tokenLinear(x, `${name}.v`, d!, group));
  const scores = mul(matmul(q, transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(dh));
  const merged = reshape(transpose(matmul(softmax(scores, -1), v), [0, 2, 1, 3]), [b!, t!, d!]);
  return tokenLinear(merged, `${name}.out`, d!, group);
}
