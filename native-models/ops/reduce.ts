import { type Shape, staticSize, type Value } from "../graph/value.js";
import { requireFloat, sameShape } from "./common.js";
import { cast, div, equal, mul } from "./elementwise.js";
import { defineOp, type OpDef } from "./registry.js";
import { expand, reshape } from "./shape.js";

function axesOf(x: Value, axes: readonly number[] | undefined, op: string): number[] {
  const all = axes ?? x.shape.map((_, i) => i);
  const norm = all.map((a) => (a < 0 ? a + x.rank : a));
  if (norm.some((a) => a < 0 || a >= x.rank) || new Set(norm).size !== norm.length)
    throw new Error(`${op}: axes [${all.join(",")}] are invalid for ${x}`);
  return norm.sort((a, b) => a - b);
}

function reducedShape(x: Value, axes: readonly number[], keepdims: boolean): Shape {
  return x.shape.flatMap((d, i) => (axes.includes(i) ? (keepdims ? [1] : []) : [d]));
}

function reduceDef(onnxType: string, mean: boolean): OpDef {
  return {
    infer: ([x], attrs) => {
      requireFloat(onnxType, x!);
      return { dtype: x!.dtype, shape: reducedShape(x!, attrs.axes as number[], attrs.keepdims as boolean) };
    },
    lower: (e, y) =>
      e.node(onnxType, [e.name(y.inputs[0]!), e.int64s(y.attrs.axes as number[])], [e.name(y)], {
        keepdims: { int: y.attrs.keepdims ? 1 : 0 },
      }),
    grad: (y, g) => {
      const x = y.inputs[0]!;
      const axes = y.attrs.axes as number[];
      const spread = expand(reshape(g, reducedShape(x, axes, true) as number[]), x.shape as number[]);
      if (!mean) return [spread];
      const count = axes.reduce((n, a) => n * (x.shape[a] as number), 1);
      return [div(spread, count)];
    },
  };
}
defineOp("reduceSum", reduceDef("ReduceSum", false));
defineOp("reduceMean", reduceDef("ReduceMean", true));

defineOp("reduceMax", {
  infer: reduceDef("ReduceMax", false).infer,
  lower: reduceDef("ReduceMax", false).lower,
  // The gradient flows to the entries equal to the maximum, split evenly between ties (a subgradient; max pooling).
  grad: (y, g) => {
    const x = y.inputs[0]!;
    const kept = reducedShape(x, y.attrs.axes as number[], true) as number[];
    const hit = cast(equal(x, expand(reshape(y, kept), x.shape as number[])), x.dtype);
    const spread = expand(reshape(g, kept), x.shape as number[]);
    return [div(mul(spread, hit), reduceSum(hit, y.attrs.axes as number[], true))];
  },
});

export function reduceSum(x: Value, axes?: readonly number[], keepdims = false): Value {
  return x.graph.node("reduceSum", [x], { axes: axesOf(x, axes, "reduceSum"), keepdims });
}

export function reduceMean(x: Value, axes?: readonly number[], keepdims = false): Value {
  return x.graph.node("reduceMean", [x], { axes: axesOf(x, axes, "reduceMean"), keepdims });
}

/** Index of the smallest entry along `axis` (int64, the axis removed; the first of ties). Not differentiable. */
defineOp("argMin", {
  infer: ([x], a) => {
    requireFloat("argMin", x!);
    return { dtype: "int64", shape: reducedShape(x!, [a.axis as number], false) };
  },
  lower: (e, y) =>
    e.node("ArgMin", [e.name(y.inputs[0]!)], [e.name(y)], {
      axis: { int: y.attrs.axis as number },
      keepdims: { int: 0 },
      select_last_index: { int: 0 },
    }),
});

export function argMin(x: Value, axis = -1): Value {
  return x.graph.node("argMin", [x], { axis: axesOf(x, [axis], "argMin")[0]! });
}

export function reduceMax(x: Value, axes?: readonly number[], keepdims = false): Value {
  return x.graph.node("reduceMax", [x], { axes: axesOf(x, axes, "reduceMax"), keepdims });
}

/** The gradient of a broadcast: sums `g` over the axes that broadcasting added or stretched, back to `shape`. */
export function sumToShape(g: Value, shape: Shape): Value {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  g.shape.forEach((d, i) => {
    if (i < lead || (shape[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  const summed = axes.length ? reduceSum(g, axes, true) : g;
  return sameShape(summed.shape, shape) ? summed : reshape(summed, shape as number[]);
}

/** Mean over rows weighted by `w` (a [rows] vector): Σ wᵢ xᵢ / Σ wᵢ, so padded rows (w = 0) do not count. */
export function weightedMean(x: Value, w: Value): Value {
  return div(reduceSum(mul(x, w)), reduceSum(w));
}

export function numel(x: Value): number {
  return staticSize(x.shape);
}
