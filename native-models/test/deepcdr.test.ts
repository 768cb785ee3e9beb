// DeepCDR's network on a small configuration: gradients against finite differences (float64, BatchNorm on minibatch
// statistics, dropout on), and the properties the drug branch must have — padding atoms change nothing, atom order
// changes nothing — plus the 1-D convolution's values against a direct loop.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { TypedArray } from "../graph/dtype.js";
import { initParams } from "../graph/init.js";
import { Graph, type Value } from "../graph/value.js";
import { BN_STATS } from "../models/batchnorm.js";
import { type DeepCdrConfig, deepCdr, deepCdrInputs } from "../models/deepcdr.js";
import { toOnnx } from "../onnx/model.js";
import * as op from "../ops/index.js";
import { Rng } from "../random.js";
import { fdCheck, values } from "./fd.js";
import { runOnce, session, tensor } from "./ort.js";

const small = (atoms: number): DeepCdrConfig => ({
  atomFeatures: 5,
  atoms,
  omics: [
    { name: "expr", features: 7 },
    { name: "mut", features: 3 },
  ],
  gcn: [6, 3],
  omicHidden: 5,
  omicOut: 4,
  fusion: 12,
  head: [
    { filters: 3, kernel: 5, pool: 2 },
    { filters: 2, kernel: 2, pool: 2 },
  ],
  dropout: 0.2,
  dtype: "float64",
});

interface Drug {
  features: number[][];
  edges: [number, number][];
}

/** Atom rows, propagation (diag(1/rowsum Â)·Â with Â = D^-½(A+I)D^-½) and mask of `drug` padded to `atoms`, atoms in `order`. */
function drugFeeds(drug: Drug, atoms: number, order = drug.features.map((_, i) => i)) {
  const k = drug.features.length;
  const pos = new Map(order.map((atom, i) => [atom, i]));
  const x = new Float64Array(atoms * 5);
  const adj: number[][] = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : 0)));
  for (const [i, j] of drug.edges) adj[i]![j] = adj[j]![i] = 1;
  const deg = adj.map((r) => r.reduce((s, v) => s + v, 0));
  const p = new Float64Array(atoms * atoms);
  const mask = new Float64Array(atoms);
  for (let i = 0; i < k; i++) {
    const pi = pos.get(i)!;
    x.set(drug.features[i]!, pi * 5);
    mask[pi] = 1;
    const row = adj[i]!.map((v, j) => v / Math.sqrt(deg[i]! * deg[j]!));
    const sum = row.reduce((s, v) => s + v, 0);
    row.forEach((v, j) => {
      p[pi * atoms + pos.get(j)!] = v / (sum + 1e-7);
    });
  }
  return { x, p, mask };
}

const DRUGS: Drug[] = [
  {
    features: [0, 1, 2].map((i) => [...values(5, 40 + i)]),
    edges: [
      [0, 1],
      [1, 2],
    ],
  },
  {
    features: [0, 1, 2, 3].map((i) => [...values(5, 50 + i)]),
    edges: [
      [0, 1],
      [1, 2],
      [1, 3],
    ],
  },
  { features: [0, 1].map((i) => [...values(5, 60 + i)]), edges: [[0, 1]] },
];

function feedsFor(g: Graph, inputs: ReturnType<typeof deepCdrInputs>, atoms: number, orders?: number[][]): Map<Value, TypedArray> {
  const n = DRUGS.length;
  const feeds = new Map<Value, TypedArray>();
  const x = new Float64Array(n * atoms * 5);
  const p = new Float64Array(n * atoms * atoms);
  const m = new Float64Array(n * atoms);
  DRUGS.forEach((d, b) => {
    const f = drugFeeds(d, atoms, orders?.[b]);
    x.set(f.x, b * atoms * 5);
    p.set(f.p, b * atoms * atoms);
    m.set(f.mask, b * atoms);
  });
  feeds.set(inputs.atoms, x).set(inputs.propagation, p).set(inputs.atomMask, m);
  for (const [i, v] of inputs.omics.entries()) feeds.set(v, values(v.size, 70 + i));
  const params = initParams(g.paramsOf(), 3);
  for (const q of g.paramsOf()) {
    const v = Float64Array.from(params.get(q.value.name) as Float64Array);
    // Non-trivial biases, scales and statistics so that every term of the gradient is exercised.
    if (q.init.kind === "zeros") new Rng(5, q.value.id).fillNormal(v, 0.1);
    if (q.init.kind === "ones") for (let i = 0; i < v.length; i++) v[i] = 0.8 + 0.1 * (i % 4);
    feeds.set(q.value, v);
  }
  for (const v of g.inputs.values()) {
    const dist = v.randomDist;
    if (dist?.kind === "dropout") {
      const d = new Float64Array(v.size);
      new Rng(9, v.id).fillDropout(d, dist.p);
      feeds.set(v, d);
    }
  }
  return feeds;
}

test("DeepCDR's loss (GCN, masked BatchNorm, omics branches, convolutional head) has the gradients of finite differences", async () => {
  const g = new Graph();
  const c = small(5);
  const inputs = deepCdrInputs(g, c, DRUGS.length);
  const out = deepCdr(inputs, c, { dropout: true, bn: "batch" });
  const target = g.constant(values(DRUGS.length, 80), "float64", [DRUGS.length]);
  const loss = op.reduceMean(op.square(op.sub(out.y, target)));
  const feeds = feedsFor(g, inputs, 5);
  const { worst, checked } = await fdCheck(
    loss,
    g.paramsOf().map((p) => p.value),
    feeds,
    { perElement: 24, directions: 3, h: 1e-6 },
  );
  assert.ok(checked > 150, `checked ${checked}`);
  assert.ok(worst < 1e-6, `worst relative error ${worst.toExponential(2)}`);
});

async function predict(atoms: number, bn: "batch" | "population", orders?: number[][]): Promise<Float64Array> {
  const g = new Graph();
  const c = small(atoms);
  const inputs = deepCdrInputs(g, c, DRUGS.length);
  const out = deepCdr(inputs, c, { dropout: false, bn });
  const feeds = feedsFor(g, inputs, atoms, orders);
  const s = await session(toOnnx({ inputs: [...feeds.keys()], outputs: { y: out.y } }));
  const res = await runOnce(s, Object.fromEntries([...feeds].map(([v, d]) => [v.name, tensor(v, d)])));
  return res.y as Float64Array;
}

test("padding atoms change nothing: the same drugs padded to 4 and to 9 atoms predict the same, in both BatchNorm modes", async () => {
  for (const bn of ["batch", "population"] as const) {
    const a = await predict(4, bn);
    const b = await predict(9, bn);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-10, `${bn}: ${v} vs ${b[i]}`));
  }
  const g = new Graph();
  deepCdr(deepCdrInputs(g, small(4), 3), small(4), { dropout: false, bn: "population" });
  assert.ok(g.paramsOf().some((p) => p.group === BN_STATS && p.value.name === "drug.gcn0.bn.mean"));
});

test("atom order changes nothing (the GCN and the pooling are permutation-equivariant and -invariant)", async () => {
  const a = await predict(4, "batch");
  const b = await predict(4, "batch", [
    [2, 0, 1],
    [3, 1, 0, 2],
    [1, 0],
  ]);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-10, `${v} vs ${b[i]}`));
});

test("conv1d equals a direct loop (Keras' Conv2D with a 1×k kernel, 'valid', stride 2)", async () => {
  const g = new Graph();
  const x = g.input("x", "float64", [2, 9, 3]);
  const w = g.input("w", "float64", [12, 4]);
  const b = g.input("b", "float64", [4]);
  const y = op.conv1d(x, w, b, 4, 2);
  assert.deepEqual(y.shape, [2, 3, 4]);
  const [xv, wv, bv] = [values(54, 1), values(48, 2), values(4, 3)];
  const s = await session(toOnnx({ inputs: [x, w, b], outputs: { y } }));
  const got = (await runOnce(s, { x: tensor(x, xv), w: tensor(w, wv), b: tensor(b, bv) })).y as Float64Array;
  for (let n = 0; n < 2; n++)
    for (let t = 0; t < 3; t++)
      for (let f = 0; f < 4; f++) {
        let v = bv[f]!;
        for (let k = 0; k < 4; k++) for (let ch = 0; ch < 3; ch++) v += xv[n * 27 + (t * 2 + k) * 3 + ch]! * wv[(k * 3 + ch) * 4 + f]!;
        assert.ok(Math.abs(got[(n * 3 + t) * 4 + f]! - v) < 1e-12);
      }
});
