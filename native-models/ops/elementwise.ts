import { type DType, isFloat, ONNX_TYPE } from "../graph/dtype.js";
import { type Attrs, lift, type Value } from "../graph/value.js";
import type { Emitter } from "../onnx/emitter.js";
import { broadcastShapes, direct, requireFloat, sameType } from "./common.js";
import { sumToShape } from "./reduce.js";
import { defineOp, type OpDef } from "./registry.js";

type Operand = Value | number;

function binaryInfer(op: string, out?: DType) {
  return (xs: readonly Value[]) => {
    const [a, b] = xs as [Value, Value];
    if (a.dtype !== b.dtype) throw new Error(`${op}: dtypes differ (${a} and ${b})`);
    return { dtype: out ?? a.dtype, shape: broadcastShapes(op, a.shape, b.shape) };
  };
}

function binaryDef(op: string, onnxType: string, grad?: OpDef["grad"]): OpDef {
  return { infer: binaryInfer(op), lower: direct(onnxType), ...(grad ? { grad } : {}) };
}

const unbroadcast = (y: Value, ga: Value | null, gb: Value | null) => [
  ga && sumToShape(ga, y.inputs[0]!.shape),
  gb && sumToShape(gb, y.inputs[1]!.shape),
];

defineOp(
  "add",
  binaryDef("add", "Add", (y, g) => unbroadcast(y, g, g)),
);
defineOp(
  "sub",
  binaryDef("sub", "Sub", (y, g) => unbroadcast(y, g, neg(g))),
);
defineOp(
  "mul",
  binaryDef("mul", "Mul", (y, g) => {
    const [a, b] = y.inputs as [Value, Value];
    return unbroadcast(y, mul(g, b), mul(g, a));
  }),
);
defineOp(
  "div",
  binaryDef("div", "Div", (y, g) => {
    const b = y.inputs[1]!;
    const ga = div(g, b);
    return unbroadcast(y, ga, neg(mul(ga, y)));
  }),
);
for (const [op, onnxType] of [
  ["greater", "Greater"],
  ["less", "Less"],
  ["equal", "Equal"],
] as const) {
  defineOp(op, { infer: binaryInfer(op, "bool"), lower: direct(onnxType) });
}

function unary(op: string, lower: OpDef["lower"], grad: OpDef["grad"]): void {
  defineOp(op, {
    infer: ([x]) => {
      requireFloat(op, x!);
      return sameType(x!);
    },
    lower,
    grad,
  });
}

unary("neg", direct("Neg"), (_y, g) => [neg(g)]);
unary("exp", direct("Exp"), (y, g) => [mul(g, y)]);
unary("log", direct("Log"), (y, g) => [div(g, y.inputs[0]!)]);
unary("sqrt", direct("Sqrt"), (y, g) => [div(mul(g, 0.5), y)]);
unary("tanh", direct("Tanh"), (y, g) => [mul(g, sub(1, mul(y, y)))]);
unary("sigmoid", direct("Sigmoid"), (y, g) => [mul(g, mul(y, sub(1, y)))]);
unary(
  "square",
  (e, y) => e.node("Mul", [e.name(y.inputs[0]!), e.name(y.inputs[0]!)], [e.name(y)]),
  (y, g) => [mul(g, mul(y.inputs[0]!, 2))],
);
unary("relu", direct("Relu"), (y, g) => [where(greater(y, 0), g, 0)]);
unary("abs", direct("Abs"), (y, g) => [where(less(y.inputs[0]!, 0), neg(g), g)]);
unary(
  "leakyRelu",
  (e, y) => {
    const x = e.name(y.inputs[0]!);
    const alpha = y.attrs.alpha as number;
    if (y.dtype === "float32") return e.node("LeakyRelu", [x], [e.name(y)], { alpha: { float: alpha } });
    // onnxruntime's CPU LeakyRelu is float32 only: max(x,0) + alpha·min(x,0) in the other types.
    const zero = e.const(y.dtype, [], [0]);
    const neg = e.tmp("Mul", [e.tmp("Min", [x, zero]), e.const(y.dtype, [], [alpha])]);
    e.node("Add", [e.tmp("Max", [x, zero]), neg], [e.name(y)]);
  },
  (y, g) => [where(greater(y.inputs[0]!, 0), g, mul(g, y.attrs.alpha as number))],
);
unary(
  "softplus",
  (e, y) => {
    const x = e.name(y.inputs[0]!);
    if (y.dtype === "float32") return e.node("Softplus", [x], [e.name(y)]);
    // log(1 + e^x) = max(x, 0) + log(1 + e^-|x|), stable for large |x| (float64 has no Softplus kernel).
    const tail = e.tmp("Log", [e.tmp("Add", [e.const(y.dtype, [], [1]), e.tmp("Exp", [e.tmp("Neg", [e.tmp("Abs", [x])])])])]);
    e.node("Add", [e.tmp("Relu", [x]), tail], [e.name(y)]);
  },
  (y, g) => [mul(g, sigmoid(y.inputs[0]!))],
);
unary(
  "pow",
  (e, y) => e.node("Pow", [e.name(y.inputs[0]!), e.const(y.dtype, [], [y.attrs.exponent as number])], [e.name(y)]),
  (y, g) => {
    const p = y.attrs.exponent as number;
    const x = y.inputs[0]!;
    return [mul(g, p === 1 ? 1 : p === 2 ? mul(x, 2) : mul(pow(x, p - 1), p))];
  },
);
unary(
  "clip",
  (e, y) =>
    e.node(
      "Clip",
      [e.name(y.inputs[0]!), e.const(y.dtype, [], [y.attrs.min as number]), e.const(y.dtype, [], [y.attrs.max as number])],
      [e.name(y)],
    ),
  // Inside [min, max] the output equals the input exactly, so equality selects where the gradient flows.
  (y, g) => [where(equal(y, y.inputs[0]!), g, 0)],
);
defineOp("identity", { infer: ([x]) => sameType(x!), lower: direct("Identity"), grad: (_y, g) => [g] });
/** Cuts the gradient: forward identity, backward nothing. */
defineOp("stopGradient", { infer: ([x]) => sameType(x!), lower: direct("Identity"), grad: () => [null] });
defineOp("cast", {
  infer: ([x], attrs: Attrs) => ({ dtype: attrs.to as DType, shape: x!.shape }),
  lower: (e: Emitter, y: Value) => e.node("Cast", [e.name(y.inputs[0]!)], [e.name(y)], { to: { int: ONNX_TYPE[y.dtype] } }),
  grad: (y, g) => [isFloat(y.inputs[0]!.dtype) ? cast(g, y.inputs[0]!.dtype) : null],
});

defineOp("where", {
  infer: ([c, a, b]) => {
    if (c!.dtype !== "bool") throw new Error(`where: condition must be bool, got ${c}`);
    if (a!.dtype !== b!.dtype) throw new Error(`where: branches differ (${a} and ${b})`);
    return { dtype: a!.dtype, shape: broadcastShapes("where", c!.shape, a!.shape, b!.shape) };
  },
  lower: direct("Where"),
  grad: (y, g) => {
    const [c, a, b] = y.inputs as [Value, Value, Value];
    return [null, sumToShape(where(c, g, 0), a.shape), sumToShape(where(c, 0, g), b.shape)];
  },
});

/** The first float operand fixes the dtype of plain numbers. */
function pair(op: string, a: Operand, b: Operand): [Value, Value] {
  if (typeof a === "number" && typeof b === "number") throw new Error(`${op}: at least one operand must be a tensor`);
  const like = (typeof a === "number" ? b : a) as Value;
  return [lift(a, like), lift(b, like)];
}

const bin = (op: string) => (a: Operand, b: Operand) => {
  const [x, y] = pair(op, a, b);
  return x.graph.node(op, [x, y]);
};
export const add = bin("add");
export const sub = bin("sub");
export const mul = bin("mul");
export const div = bin("div");
export const greater = bin("greater");
export const less = bin("less");
export const equal = bin("equal");

const un = (op: string) => (x: Value) => x.graph.node(op, [x]);
export const neg = un("neg");
export const exp = un("exp");
export const log = un("log");
export const sqrt = un("sqrt");
export const tanh = un("tanh");
export const sigmoid = un("sigmoid");
export const square = un("square");
export const relu = un("relu");
export const abs = un("abs");
export const softplus = un("softplus");
export const identity = un("identity");
export const stopGradient = un("stopGradient");

export function leakyRelu(x: Value, alpha = 0.01): Value {
  return x.graph.node("leakyRelu", [x], { alpha });
}

export function pow(x: Value, exponent: number): Value {
  return x.graph.node("pow", [x], { exponent });
}

export function clip(x: Value, min: number, max: number): Value {
  if (!(min <= max)) throw new Error(`clip: min ${min} is above max ${max}`);
  return x.graph.node("clip", [x], { min, max });
}

export function cast(x: Value, to: DType): Value {
  return x.graph.node("cast", [x], { to });
}

export function where(cond: Value, a: Operand, b: Operand): Value {
  const [x, y] = pair("where", a, b);
  return cond.graph.node("where", [cond, x, y]);
}
