// Multi-head self-attention and GELU (scPaLM's transformer parts): gradients against finite differences in float64,
// equivariance to the order of the tokens, values against direct computations.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { TypedArray } from "../graph/dtype.js";
import { initParams } from "../graph/init.js";
import { Graph, type Value } from "../graph/value.js";
import { multiHeadAttention } from "../models/attention.js";
import { toOnnx } from "../onnx/model.js";
import * as op from "../ops/index.js";
import { fdCheck, values } from "./fd.js";
import { runOnce, session, tensor } from "./ort.js";

const [B, T, D, H] = [2, 5, 6, 3];

function attention(x: Float64Array) {
  const g = new Graph();
  const xv = g.input("x", "float64", [B, T, D]);
  const y = multiHeadAttention(xv, "att", H, "t");
  const feeds = new Map<Value, TypedArray>([[xv, x]]);
  for (const [name, v] of initParams(g.paramsOf(), 5)) {
    const p = g.params.get(name)!.value;
    // Non-zero biases so that every term is exercised.
    feeds.set(p, p.name.endsWith(".b") ? values(p.size, p.id + 100, -0.3, 0.3) : (v as Float64Array));
  }
  return { g, xv, y, feeds };
}

async function run(y: Value, feeds: Map<Value, TypedArray>): Promise<Float64Array> {
  const s = await session(toOnnx({ inputs: [...feeds.keys()], outputs: { y } }));
  return (await runOnce(s, Object.fromEntries([...feeds].map(([v, d]) => [v.name, tensor(v, d)])))).y as Float64Array;
}

test("multi-head attention: gradients of every weight and of the input match finite differences", async () => {
  const { g, xv, y, feeds } = attention(values(B * T * D, 1));
  const r = g.constant(values(y.size, 2), "float64", y.shape as number[]);
  const loss = op.reduceSum(op.mul(y, r));
  const { worst, checked } = await fdCheck(loss, [xv, ...g.paramsOf().map((p) => p.value)], feeds, { perElement: 40 });
  assert.ok(checked > 100, `checked ${checked}`);
  assert.ok(worst < 1e-6, `worst relative error ${worst.toExponential(2)}`);
});

test("attention is equivariant to the order of the tokens", async () => {
  const x = values(B * T * D, 3);
  const perm = [3, 0, 4, 1, 2];
  const xp = new Float64Array(x.length);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) xp.set(x.subarray((b * T + perm[t]!) * D, (b * T + perm[t]! + 1) * D), (b * T + t) * D);
  const a = attention(x);
  const p = attention(xp);
  const ya = await run(a.y, a.feeds);
  const yp = await run(p.y, p.feeds);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let k = 0; k < D; k++) assert.ok(Math.abs(yp[(b * T + t) * D + k]! - ya[(b * T + perm[t]!) * D + k]!) < 1e-12);
});

test("identical tokens attend uniformly: the output is the value map then the output map of the token", async () => {
  const token = values(D, 4);
  const x = new Float64Array(B * T * D);
  for (let i = 0; i < B * T; i++) x.set(token, i * D);
  const a = attention(x);
  const y = await run(a.y, a.feeds);
  const param = (n: string) => a.feeds.get(a.g.params.get(n)!.value) as Float64Array;
  const lin = (v: Float64Array, n: string) =>
    Float64Array.from({ length: D }, (_, j) => v.reduce((s, vi, i) => s + vi * param(`${n}.w`)[i * D + j]!, param(`${n}.b`)[j]!));
  const expected = lin(lin(token, "att.v"), "att.out");
  for (let i = 0; i < B * T; i++) for (let j = 0; j < D; j++) assert.ok(Math.abs(y[i * D + j]! - expected[j]!) < 1e-12);
});

test("GELU (tanh form) is within 1e-3 of the erf form", async () => {
  // ½x(1 + erf(x/√2)) at these points (tabulated).
  const erfForm: Record<number, number> = { [-2]: -0.0455003, [-1]: -0.1586553, [0.5]: 0.3457312, [1]: 0.8413447, [2]: 1.9544997 };
  const xs = Object.keys(erfForm).map(Number);
  const g = new Graph();
  const x = g.input("x", "float64", [xs.length]);
  const s = await session(toOnnx({ inputs: [x], outputs: { y: op.gelu(x) } }));
  const y = (await runOnce(s, { x: tensor(x, Float64Array.from(xs)) })).y as Float64Array;
  for (const [i, v] of xs.entries()) assert.ok(Math.abs(y[i]! - erfForm[v]!) < 1e-3, `gelu(${v}) = ${y[i]}`);
});
