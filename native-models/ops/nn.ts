import type { Value } from "../graph/value.js";
import { normAxis, requireFloat, sameType } from "./common.js";
import { add, div, exp, mul, pow, sqrt, sub, tanh } from "./elementwise.js";
import { linear } from "./linalg.js";
import { reduceMax, reduceMean, reduceSum } from "./reduce.js";
import { defineOp } from "./registry.js";
import { gather, reshape, slice } from "./shape.js";

/** Layer normalisation over the last axis without affine parameters (add them with mul/add when wanted). */
defineOp("layerNorm", {
  infer: ([x]) => {
    requireFloat("layerNorm", x!);
    return sameType(x!);
  },
  lower: (e, y) => {
    const x = e.name(y.inputs[0]!);
    const eps = y.attrs.eps as number;
    const d = y.shape[y.rank - 1] as number;
    if (y.dtype === "float32") {
      e.node("LayerNormalization", [x, e.const("float32", [d], new Float32Array(d).fill(1))], [e.name(y)], {
        axis: { int: -1 },
        epsilon: { float: eps },
      });
      return;
    }
    // onnxruntime's CPU LayerNormalization has no float64 kernel: (x - mean) / sqrt(var + eps) by hand.
    const axes = e.int64s([-1]);
    const centred = e.tmp("Sub", [x, e.tmp("ReduceMean", [x, axes])]);
    const variance = e.tmp("ReduceMean", [e.tmp("Mul", [centred, centred]), axes]);
    e.node("Div", [centred, e.tmp("Sqrt", [e.tmp("Add", [variance, e.const(y.dtype, [], [eps])])])], [e.name(y)]);
  },
  // y = (x − μ)·r with r = 1/√(σ² + ε): ∂x = r·(g − mean(g) − y·mean(g·y)); r is recomputed from x.
  grad: (y, g) => {
    const x = y.inputs[0]!;
    const centred = sub(x, reduceMean(x, [-1], true));
    const r = div(1, sqrt(add(reduceMean(mul(centred, centred), [-1], true), y.attrs.eps as number)));
    const inner = sub(sub(g, reduceMean(g, [-1], true)), mul(y, reduceMean(mul(g, y), [-1], true)));
    return [mul(r, inner)];
  },
});

defineOp("softmax", {
  infer: ([x]) => sameType(x!),
  lower: (e, y) => e.node("Softmax", [e.name(y.inputs[0]!)], [e.name(y)], { axis: { int: y.attrs.axis as number } }),
  grad: (y, g) => [mul(y, sub(g, reduceSum(mul(g, y), [y.attrs.axis as number], true)))],
});

defineOp("logSoftmax", {
  infer: ([x]) => sameType(x!),
  lower: (e, y) => e.node("LogSoftmax", [e.name(y.inputs[0]!)], [e.name(y)], { axis: { int: y.attrs.axis as number } }),
  grad: (y, g) => [sub(g, mul(exp(y), reduceSum(g, [y.attrs.axis as number], true)))],
});

export function layerNorm(x: Value, eps = 1e-5): Value {
  return x.graph.node("layerNorm", [x], { eps });
}

/** LayerNorm with a learned scale and shift over the last axis. */
export function layerNormAffine(x: Value, scale: Value, shift: Value, eps = 1e-5): Value {
  return add(mul(layerNorm(x, eps), scale), shift);
}

export function softmax(x: Value, axis = -1): Value {
  return x.graph.node("softmax", [x], { axis: normAxis(axis, x.rank, "softmax") });
}

export function logSoftmax(x: Value, axis = -1): Value {
  return x.graph.node("logSoftmax", [x], { axis: normAxis(axis, x.rank, "logSoftmax") });
}

/**
 * Inverted dropout driven by a mask input: `mask` holds 0 or 1/(1−p) per element, drawn by the runtime from a
 * counter-based generator (seed, step), so a resumed run draws exactly the masks an uninterrupted one would.
 */
export function dropout(x: Value, mask: Value): Value {
  if (mask.dtype !== x.dtype) throw new Error(`dropout: mask ${mask} must have the dtype of ${x}`);
  return mul(x, mask);
}

/**
 * 1-D convolution ('valid' padding) over x [batch, length, channels] with w [kernel·channels, filters] and b [filters]
 * (Keras' Conv1D, or Conv2D with a 1×k kernel). Lowered as unfold + Gemm: the windows are gathered by a constant
 * index, so the gradient is gather's scatter-add and no new kernel is needed.
 */
export function conv1d(x: Value, w: Value, b: Value, kernel: number, stride = 1): Value {
  const [n, len, ch] = x.shape as number[];
  if (w.shape[0] !== kernel * ch!) throw new Error(`conv1d: weights ${w} do not match kernel ${kernel} × ${ch} channels`);
  const out = Math.floor((len! - kernel) / stride) + 1;
  if (out < 1) throw new Error(`conv1d: kernel ${kernel} is longer than the input ${x}`);
  const at = BigInt64Array.from({ length: out * kernel }, (_, i) => BigInt(Math.floor(i / kernel) * stride + (i % kernel)));
  const windows = gather(x, x.graph.constant(at, "int64", [out, kernel]), 1);
  return reshape(linear(reshape(windows, [n! * out, kernel * ch!]), w, b), [n!, out, w.shape[1] as number]);
}

/** Max pooling over non-overlapping windows of `size` along axis 1 of [batch, length, channels]; a ragged tail is dropped (Keras 'valid'). */
export function maxPool1d(x: Value, size: number): Value {
  const [n, len, ch] = x.shape as number[];
  const m = Math.floor(len! / size);
  const kept = m * size === len ? x : slice(x, [0], [m * size], [1]);
  return reduceMax(reshape(kept, [n!, m, size, ch!]), [2]);
}

/**
 * GELU in its tanh form (Hendrycks & Gimpel 2016; BERT's and GPT-2's): ½x(1 + tanh(√(2/π)(x + 0.044715x³))). It
 * differs from the erf form by < 1e-3 and needs no Erf kernel (onnxruntime's CPU Erf is float32-only, which would
 * leave float64 gradient checks without a reference).
 */
export function gelu(x: Value): Value {
  const inner = mul(add(x, mul(pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}

/** Cosine similarity of a and b along their last axis (ε keeps a zero vector at similarity 0). */
export function cosineSimilarity(a: Value, b: Value, eps = 1e-8): Value {
  const norm = (v: Value) => sqrt(reduceSum(mul(v, v), [-1]));
  return div(reduceSum(mul(a, b), [-1]), add(mul(norm(a), norm(b)), eps));
}
