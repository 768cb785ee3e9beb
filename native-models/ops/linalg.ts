import type { Value } from "../graph/value.js";
import { broadcastShapes, requireFloat } from "./common.js";
import { mul } from "./elementwise.js";
import { sumToShape } from "./reduce.js";
import { defineOp } from "./registry.js";
import { transpose } from "./shape.js";

interface GemmAttrs {
  transA: boolean;
  transB: boolean;
  alpha: number;
  beta: number;
}

defineOp("gemm", {
  infer: (xs, a) => {
    const [A, B, C] = xs as [Value, Value, Value | undefined];
    for (const x of xs) requireFloat("gemm", x);
    if (A.rank !== 2 || B.rank !== 2) throw new Error(`gemm: needs matrices, got ${A} and ${B}`);
    const [m, k] = a.transA ? [A.shape[1]!, A.shape[0]!] : [A.shape[0]!, A.shape[1]!];
    const [k2, n] = a.transB ? [B.shape[1]!, B.shape[0]!] : [B.shape[0]!, B.shape[1]!];
    if (k !== k2) throw new Error(`gemm: inner sizes differ (${A}${a.transA ? "ᵀ" : ""} · ${B}${a.transB ? "ᵀ" : ""})`);
    if (C && broadcastShapes("gemm", C.shape, [m, n]).length !== 2) throw new Error(`gemm: bias ${C} does not broadcast to [${m},${n}]`);
    return { dtype: A.dtype, shape: [m, n] };
  },
  lower: (e, y) => {
    const { transA, transB, alpha, beta } = y.attrs as unknown as GemmAttrs;
    e.node(
      "Gemm",
      y.inputs.map((x) => e.name(x)),
      [e.name(y)],
      { transA: { int: transA ? 1 : 0 }, transB: { int: transB ? 1 : 0 }, alpha: { float: alpha }, beta: { float: beta } },
    );
  },
  // Y = α·op(A)·op(B) + β·C. Each case is again one Gemm with transpose flags, so no transposed copies are made.
  grad: (y, g) => {
    const [A, B, C] = y.inputs as [Value, Value, Value | undefined];
    const { transA, transB, alpha, beta } = y.attrs as unknown as GemmAttrs;
    const gg = (p: Value, q: Value, tp: boolean, tq: boolean) => gemm(p, q, null, { transA: tp, transB: tq, alpha });
    let gA: Value;
    let gB: Value;
    if (!transA && !transB) [gA, gB] = [gg(g, B, false, true), gg(A, g, true, false)];
    else if (!transA && transB) [gA, gB] = [gg(g, B, false, false), gg(g, A, true, false)];
    else if (transA && !transB) [gA, gB] = [gg(B, g, false, true), gg(A, g, false, false)];
    else [gA, gB] = [gg(B, g, true, true), gg(g, A, true, true)];
    const grads: (Value | null)[] = [gA, gB];
    if (C) grads.push(sumToShape(beta === 1 ? g : mul(g, beta), C.shape));
    return grads;
  },
});

defineOp("matmul", {
  infer: ([a, b]) => {
    requireFloat("matmul", a!);
    if (a!.rank < 2 || b!.rank < 2) throw new Error(`matmul: needs rank ≥ 2, got ${a} and ${b}`);
    if (a!.shape[a!.rank - 1] !== b!.shape[b!.rank - 2]) throw new Error(`matmul: inner sizes differ (${a} · ${b})`);
    const batch = broadcastShapes("matmul", a!.shape.slice(0, -2), b!.shape.slice(0, -2));
    return { dtype: a!.dtype, shape: [...batch, a!.shape[a!.rank - 2]!, b!.shape[b!.rank - 1]!] };
  },
  lower: (e, y) =>
    e.node(
      "MatMul",
      y.inputs.map((x) => e.name(x)),
      [e.name(y)],
    ),
  grad: (y, g) => {
    const [a, b] = y.inputs as [Value, Value];
    return [sumToShape(matmul(g, swapLast(b)), a.shape), sumToShape(matmul(swapLast(a), g), b.shape)];
  },
});

function swapLast(x: Value): Value {
  const perm = x.shape.map((_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1]!, perm[x.rank - 2]!];
  return transpose(x, perm);
}

export function gemm(a: Value, b: Value, c: Value | null, opts: Partial<GemmAttrs> = {}): Value {
  const attrs: GemmAttrs = { transA: false, transB: false, alpha: 1, beta: 1, ...opts };
  return a.graph.node("gemm", c ? [a, b, c] : [a, b], { ...attrs });
}

/** Batched matrix product with numpy broadcasting; plain matrices go through Gemm, whose gradients need no transposes. */
export function matmul(a: Value, b: Value): Value {
  if (a.rank === 2 && b.rank === 2) return gemm(a, b, null);
  return a.graph.node("matmul", [a, b]);
}

/** x·W + b with W stored [in, out]. */
export function linear(x: Value, w: Value, b?: Value): Value {
  return gemm(x, w, b ?? null);
}
