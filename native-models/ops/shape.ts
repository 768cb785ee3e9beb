import { allocate } from "../graph/dtype.js";
import { staticSize, type Value } from "../graph/value.js";
import { tensorProto } from "../onnx/proto.js";
import { normAxis, sameShape } from "./common.js";
import { sumToShape } from "./reduce.js";
import { defineOp } from "./registry.js";

function staticShape(x: Value, op: string): number[] {
  if (x.shape.some((d) => typeof d !== "number")) throw new Error(`${op} needs a static shape, got ${x}`);
  return x.shape as number[];
}

defineOp("transpose", {
  infer: ([x], a) => ({ dtype: x!.dtype, shape: (a.perm as number[]).map((p) => x!.shape[p]!) }),
  lower: (e, y) => e.node("Transpose", [e.name(y.inputs[0]!)], [e.name(y)], { perm: { ints: y.attrs.perm as number[] } }),
  grad: (y, g) => {
    const perm = y.attrs.perm as number[];
    const inv = perm.map((_, i) => perm.indexOf(i));
    return [transpose(g, inv)];
  },
});

defineOp("reshape", {
  infer: ([x], a) => ({ dtype: x!.dtype, shape: a.shape as number[] }),
  lower: (e, y) => e.node("Reshape", [e.name(y.inputs[0]!), e.int64s(y.shape as number[])], [e.name(y)]),
  grad: (y, g) => [reshape(g, staticShape(y.inputs[0]!, "reshape"))],
});

defineOp("expand", {
  infer: ([x], a) => ({ dtype: x!.dtype, shape: a.shape as number[] }),
  lower: (e, y) => e.node("Expand", [e.name(y.inputs[0]!), e.int64s(y.shape as number[])], [e.name(y)]),
  grad: (y, g) => [sumToShape(g, y.inputs[0]!.shape)],
});

defineOp("concat", {
  infer: (xs, a) => {
    const axis = a.axis as number;
    const first = xs[0]!;
    for (const x of xs) {
      if (x.dtype !== first.dtype || x.rank !== first.rank || x.shape.some((d, i) => i !== axis && d !== first.shape[i]))
        throw new Error(`concat: ${x} does not match ${first} outside axis ${axis}`);
    }
    const shape = [...first.shape];
    shape[axis] = xs.reduce((n, x) => n + (x.shape[axis] as number), 0);
    return { dtype: first.dtype, shape };
  },
  lower: (e, y) =>
    e.node(
      "Concat",
      y.inputs.map((x) => e.name(x)),
      [e.name(y)],
      { axis: { int: y.attrs.axis as number } },
    ),
  grad: (y, g) => {
    const axis = y.attrs.axis as number;
    let at = 0;
    return y.inputs.map((x) => {
      const n = x.shape[axis] as number;
      at += n;
      return slice(g, [at - n], [at], [axis]);
    });
  },
});

defineOp("slice", {
  infer: ([x], a) => {
    const shape = [...staticShape(x!, "slice")];
    (a.axes as number[]).forEach((ax, i) => {
      shape[ax] = (a.ends as number[])[i]! - (a.starts as number[])[i]!;
    });
    return { dtype: x!.dtype, shape };
  },
  lower: (e, y) => {
    const { starts, ends, axes } = y.attrs as { starts: number[]; ends: number[]; axes: number[] };
    e.node("Slice", [e.name(y.inputs[0]!), e.int64s(starts), e.int64s(ends), e.int64s(axes)], [e.name(y)]);
  },
  grad: (y, g) => {
    const x = y.inputs[0]!;
    const { starts, ends, axes } = y.attrs as { starts: number[]; ends: number[]; axes: number[] };
    const before = x.shape.map(() => 0);
    const after = x.shape.map(() => 0);
    axes.forEach((ax, i) => {
      before[ax] = starts[i]!;
      after[ax] = (x.shape[ax] as number) - ends[i]!;
    });
    return [pad(g, before, after)];
  },
});

defineOp("pad", {
  infer: ([x], a) => ({
    dtype: x!.dtype,
    shape: staticShape(x!, "pad").map((d, i) => d + (a.before as number[])[i]! + (a.after as number[])[i]!),
  }),
  lower: (e, y) =>
    e.node("Pad", [e.name(y.inputs[0]!), e.int64s([...(y.attrs.before as number[]), ...(y.attrs.after as number[])])], [e.name(y)]),
  grad: (y, g) => {
    const x = y.inputs[0]!;
    const before = y.attrs.before as number[];
    const axes = x.shape.map((_, i) => i);
    return [
      slice(
        g,
        before,
        before.map((b, i) => b + (x.shape[i] as number)),
        axes,
      ),
    ];
  },
});

defineOp("gather", {
  infer: ([data, idx], a) => {
    if (idx!.dtype !== "int64") throw new Error(`gather: indices must be int64, got ${idx}`);
    const axis = a.axis as number;
    return { dtype: data!.dtype, shape: [...data!.shape.slice(0, axis), ...idx!.shape, ...data!.shape.slice(axis + 1)] };
  },
  lower: (e, y) =>
    e.node(
      "Gather",
      y.inputs.map((x) => e.name(x)),
      [e.name(y)],
      { axis: { int: y.attrs.axis as number } },
    ),
  grad: (y, g) => {
    const [data, idx] = y.inputs as [Value, Value];
    const axis = y.attrs.axis as number;
    const r = idx.rank;
    // Move the gathered axes to the front, scatter-add rows into zeros, then move the data axis back.
    const front = [...Array.from({ length: r }, (_, i) => axis + i), ...Array.from({ length: axis }, (_, i) => i)];
    for (let i = axis + r; i < g.rank; i++) front.push(i);
    const rows = sameShape(
      front,
      front.map((_, i) => i),
    )
      ? g
      : transpose(g, front);
    const moved = [data.shape[axis] as number, ...(data.shape as number[]).filter((_, i) => i !== axis)];
    const scattered = scatterAddRows(rows, idx, moved[0]!);
    if (axis === 0) return [scattered, null];
    const back = Array.from({ length: data.rank }, (_, i) => (i < axis ? i + 1 : i === axis ? 0 : i));
    return [transpose(scattered, back), null];
  },
});

/** zeros(shape) with rows idx[i…] += updates[i…]; duplicates accumulate (the gradient of gather). */
defineOp("scatterAddRows", {
  infer: ([u], a) => ({ dtype: u!.dtype, shape: a.shape as number[] }),
  lower: (e, y) => {
    const [u, idx] = y.inputs as [Value, Value];
    const zeros = e.tmp("ConstantOfShape", [e.int64s(y.shape as number[])], {
      value: { tensor: tensorProto("", y.dtype, [1], allocate(y.dtype, 1)) },
    });
    const nd = e.tmp("Unsqueeze", [e.name(idx), e.int64s([idx.rank])]);
    e.node("ScatterND", [zeros, nd, e.name(u)], [e.name(y)], { reduction: { str: "add" } });
  },
  grad: (y, g) => [y.graph.node("gather", [g, y.inputs[1]!], { axis: 0 }), null],
});

export function transpose(x: Value, perm?: readonly number[]): Value {
  const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
  if ([...p].sort((a, b) => a - b).some((v, i) => v !== i)) throw new Error(`transpose: [${p.join(",")}] is not a permutation for ${x}`);
  return x.graph.node("transpose", [x], { perm: [...p] });
}

export function reshape(x: Value, shape: readonly number[]): Value {
  const from = staticSize(x.shape);
  const known = shape.filter((d) => d !== -1).reduce((n, d) => n * d, 1);
  const target = shape.map((d) => (d === -1 ? from / known : d));
  if (staticSize(target) !== from || !target.every(Number.isInteger)) throw new Error(`reshape: ${x} cannot become [${shape.join(",")}]`);
  return sameShape(x.shape, target) ? x : x.graph.node("reshape", [x], { shape: target });
}

export function expand(x: Value, shape: readonly number[]): Value {
  return sameShape(x.shape, shape) ? x : x.graph.node("expand", [x], { shape: [...shape] });
}

export function concat(xs: readonly Value[], axis: number): Value {
  if (!xs.length) throw new Error("concat: nothing to concatenate");
  return xs[0]!.graph.node("concat", xs, { axis: normAxis(axis, xs[0]!.rank, "concat") });
}

export function slice(x: Value, starts: readonly number[], ends: readonly number[], axes: readonly number[]): Value {
  const shape = staticShape(x, "slice");
  const ax = axes.map((a) => normAxis(a, x.rank, "slice"));
  ax.forEach((a, i) => {
    if (!(0 <= starts[i]! && starts[i]! <= ends[i]! && ends[i]! <= shape[a]!))
      throw new Error(`slice: [${starts[i]}, ${ends[i]}) is outside axis ${a} of ${x}`);
  });
  return x.graph.node("slice", [x], { starts: [...starts], ends: [...ends], axes: ax });
}

export function pad(x: Value, before: readonly number[], after: readonly number[]): Value {
  return x.graph.node("pad", [x], { before: [...before], after: [...after] });
}

/** zeros([rows, …]) with out[idx[i]] += updates[i] (segment sums; the gradient of gather). */
export function scatterAddRows(updates: Value, idx: Value, rows: number): Value {
  if (idx.dtype !== "int64") throw new Error(`scatterAddRows: indices must be int64, got ${idx}`);
  const tail = staticShape(updates, "scatterAddRows").slice(idx.rank);
  return updates.graph.node("scatterAddRows", [updates, idx], { shape: [rows, ...tail] });
}

export function gather(data: Value, indices: Value, axis = 0): Value {
  return data.graph.node("gather", [data, indices], { axis: normAxis(axis, data.rank, "gather") });
}
