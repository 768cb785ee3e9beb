// Every IR op's vector-Jacobian product against central finite differences in float64, run by onnxruntime.
import assert from "node:assert/strict";
import { test } from "node:test";
import { gradients } from "../autodiff/grad.js";
import type { TypedArray } from "../graph/dtype.js";
import { Graph, type Value } from "../graph/value.js";
import { toOnnx } from "../onnx/model.js";
import * as op from "../ops/index.js";
import { fdCheck, values } from "./fd.js";
import { runOnce, session, tensor } from "./ort.js";

interface Case {
  name: string;
  /** Input shapes, with the value range of each (default [-1, 1)) and an optional distance kept from 0. */
  inputs: { shape: number[]; lo?: number; hi?: number; gap?: number; int?: number[] }[];
  f: (...xs: Value[]) => Value;
}

const cases: Case[] = [
  { name: "add (broadcast row)", inputs: [{ shape: [3, 4] }, { shape: [4] }], f: op.add },
  { name: "add (broadcast column)", inputs: [{ shape: [3, 4] }, { shape: [3, 1] }], f: op.add },
  { name: "sub (scalar)", inputs: [{ shape: [3, 4] }, { shape: [] }], f: op.sub },
  { name: "mul (broadcast)", inputs: [{ shape: [2, 1, 4] }, { shape: [3, 1] }], f: op.mul },
  { name: "div", inputs: [{ shape: [3, 4] }, { shape: [3, 4], lo: 0.5, hi: 2 }], f: op.div },
  { name: "neg", inputs: [{ shape: [5] }], f: op.neg },
  { name: "exp", inputs: [{ shape: [2, 3] }], f: op.exp },
  { name: "log", inputs: [{ shape: [2, 3], lo: 0.2, hi: 3 }], f: op.log },
  { name: "sqrt", inputs: [{ shape: [2, 3], lo: 0.2, hi: 3 }], f: op.sqrt },
  { name: "pow 3", inputs: [{ shape: [2, 3] }], f: (x) => op.pow(x, 3) },
  { name: "pow -1.5", inputs: [{ shape: [2, 3], lo: 0.3, hi: 2 }], f: (x) => op.pow(x, -1.5) },
  { name: "square", inputs: [{ shape: [2, 3] }], f: op.square },
  { name: "relu", inputs: [{ shape: [3, 4], gap: 0.05 }], f: op.relu },
  { name: "leakyRelu", inputs: [{ shape: [3, 4], gap: 0.05 }], f: (x) => op.leakyRelu(x, 0.2) },
  { name: "abs", inputs: [{ shape: [3, 4], gap: 0.05 }], f: op.abs },
  { name: "tanh", inputs: [{ shape: [3, 4] }], f: op.tanh },
  { name: "sigmoid", inputs: [{ shape: [3, 4], lo: -4, hi: 4 }], f: op.sigmoid },
  { name: "softplus", inputs: [{ shape: [3, 4], lo: -30, hi: 30 }], f: op.softplus },
  { name: "clip", inputs: [{ shape: [4, 4], lo: -2, hi: 2, gap: 0.05 }], f: (x) => op.clip(x, -0.5, 0.7) },
  {
    name: "gemm",
    inputs: [{ shape: [3, 4] }, { shape: [4, 5] }, { shape: [5] }],
    f: (a, b, c) => op.gemm(a!, b!, c!, { alpha: 0.7, beta: 1.3 }),
  },
  { name: "gemm Aᵀ", inputs: [{ shape: [4, 3] }, { shape: [4, 5] }], f: (a, b) => op.gemm(a!, b!, null, { transA: true }) },
  {
    name: "gemm Bᵀ",
    inputs: [{ shape: [3, 4] }, { shape: [5, 4] }, { shape: [3, 1] }],
    f: (a, b, c) => op.gemm(a!, b!, c!, { transB: true }),
  },
  {
    name: "gemm AᵀBᵀ",
    inputs: [{ shape: [4, 3] }, { shape: [5, 4] }],
    f: (a, b) => op.gemm(a!, b!, null, { transA: true, transB: true, alpha: 2 }),
  },
  { name: "matmul batched", inputs: [{ shape: [2, 3, 4] }, { shape: [4, 2] }], f: op.matmul },
  { name: "matmul broadcast batch", inputs: [{ shape: [3, 4] }, { shape: [2, 4, 2] }], f: op.matmul },
  { name: "layerNorm", inputs: [{ shape: [3, 6] }], f: (x) => op.layerNorm(x) },
  { name: "layerNorm affine", inputs: [{ shape: [3, 6] }, { shape: [6] }, { shape: [6] }], f: (x, s, b) => op.layerNormAffine(x!, s!, b!) },
  { name: "softmax", inputs: [{ shape: [3, 5], lo: -3, hi: 3 }], f: (x) => op.softmax(x) },
  { name: "softmax axis 0", inputs: [{ shape: [3, 5], lo: -3, hi: 3 }], f: (x) => op.softmax(x, 0) },
  { name: "logSoftmax", inputs: [{ shape: [3, 5], lo: -3, hi: 3 }], f: (x) => op.logSoftmax(x) },
  { name: "reduceSum axes", inputs: [{ shape: [2, 3, 4] }], f: (x) => op.reduceSum(x, [0, 2]) },
  { name: "reduceSum keepdims", inputs: [{ shape: [2, 3, 4] }], f: (x) => op.reduceSum(x, [1], true) },
  { name: "reduceMean", inputs: [{ shape: [2, 3, 4] }], f: (x) => op.reduceMean(x, [-1]) },
  { name: "reduceMax", inputs: [{ shape: [2, 3, 4] }], f: (x) => op.reduceMax(x, [1]) },
  {
    name: "conv1d stride 2",
    inputs: [{ shape: [2, 9, 3] }, { shape: [12, 5] }, { shape: [5] }],
    f: (x, w, b) => op.conv1d(x!, w!, b!, 4, 2),
  },
  { name: "maxPool1d (ragged tail)", inputs: [{ shape: [2, 7, 3] }], f: (x) => op.maxPool1d(x, 3) },
  { name: "gelu", inputs: [{ shape: [3, 4], lo: -3, hi: 3 }], f: op.gelu },
  { name: "cosineSimilarity", inputs: [{ shape: [3, 5] }, { shape: [3, 5] }], f: (a, b) => op.cosineSimilarity(a!, b!) },
  { name: "transpose", inputs: [{ shape: [2, 3, 4] }], f: (x) => op.transpose(x, [2, 0, 1]) },
  { name: "reshape", inputs: [{ shape: [2, 3, 4] }], f: (x) => op.reshape(x, [4, -1]) },
  { name: "expand", inputs: [{ shape: [3, 1] }], f: (x) => op.expand(x, [2, 3, 4]) },
  { name: "concat", inputs: [{ shape: [2, 3] }, { shape: [2, 2] }], f: (a, b) => op.concat([a!, b!], 1) },
  { name: "slice", inputs: [{ shape: [4, 5] }], f: (x) => op.slice(x, [1, 0], [3, 4], [0, 1]) },
  { name: "pad", inputs: [{ shape: [2, 3] }], f: (x) => op.pad(x, [1, 0], [0, 2]) },
  {
    name: "gather rows (repeated indices)",
    inputs: [{ shape: [4, 3] }, { shape: [5], int: [2, 0, 2, 3, 2] }],
    f: (d, i) => op.gather(d!, i!, 0),
  },
  {
    name: "gather axis 1, 2-D indices",
    inputs: [{ shape: [2, 4, 3] }, { shape: [2, 2], int: [3, 1, 1, 0] }],
    f: (d, i) => op.gather(d!, i!, 1),
  },
  { name: "where", inputs: [{ shape: [3, 4] }, { shape: [3, 4] }, { shape: [4] }], f: (c, a, b) => op.where(op.greater(c!, 0), a!, b!) },
  {
    name: "dropout (mask input)",
    inputs: [{ shape: [3, 4] }, { shape: [3, 4], int: [0, 2, 2, 0, 2, 2, 2, 0, 0, 2, 2, 2] }],
    f: (x, m) => op.dropout(x!, op.cast(m!, "float64")),
  },
  { name: "weightedMean", inputs: [{ shape: [4] }, { shape: [4], lo: 0, hi: 1 }], f: (x, w) => op.weightedMean(x!, w!) },
];

for (const c of cases) {
  test(`∂ ${c.name} matches finite differences (float64)`, async () => {
    const g = new Graph();
    const feeds = new Map<Value, TypedArray>();
    const xs = c.inputs.map((spec, i) => {
      const v = g.input(`x${i}`, spec.int ? "int64" : "float64", spec.shape);
      const n = spec.shape.reduce((a, b) => a * b, 1);
      feeds.set(v, spec.int ? BigInt64Array.from(spec.int, BigInt) : values(n, 11 + i, spec.lo, spec.hi, spec.gap));
      return v;
    });
    const y = c.f(...xs);
    // A random linear functional of the output, so every output entry's gradient matters.
    const r = g.constant(values(y.size, 99), "float64", y.shape as number[]);
    const loss = op.reduceSum(op.mul(y, r));
    const wrt = xs.filter((x, i) => x.dtype === "float64" && !(c.name === "where" && i === 0));
    const { worst, checked } = await fdCheck(loss, wrt, feeds);
    assert.ok(checked > 0);
    assert.ok(worst < 1e-6, `${c.name}: worst relative error ${worst.toExponential(2)}`);
  });
}

test("stopGradient cuts the path: ∂(x·sg(eˣ))/∂x is eˣ, not eˣ(1+x)", async () => {
  const g = new Graph();
  const x = g.input("x", "float64", [2]);
  const loss = op.reduceSum(op.mul(x, op.stopGradient(op.exp(x))));
  const [gx] = gradients(loss, [x]);
  const s = await session(toOnnx({ inputs: [x], outputs: { gx: gx! } }));
  const out = await runOnce(s, { x: tensor(x, Float64Array.of(0.5, -1)) });
  const gx64 = out.gx as Float64Array;
  assert.ok(Math.abs(gx64[0]! - Math.exp(0.5)) < 1e-12 && Math.abs(gx64[1]! - Math.exp(-1)) < 1e-12, `got ${gx64}`);
});
