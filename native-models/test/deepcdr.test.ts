// DeepCDR's network on a small configuration: gradients against finite differences (float64, BatchNorm on minibatch
// statistics, dropout on), the properties the drug branch must have — atom order changes nothing; with population
// statistics the other drugs in the table change nothing — and the 1-D convolution's values against a direct loop.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { TypedArray } from "../graph/dtype.js";
import { initParams } from "../graph/init.js";
import { Graph, type Value } from "../graph/value.js";
import { BN_STATS } from "../models/batchnorm.js";
import { type DeepCdrConfig, type DeepCdrInputs, type DeepCdrMode, deepCdr } from "../models/deepcdr.js";
import { toOnnx } from "../onnx/model.js";
import * as op from "../ops/index.js";
import { Rng } from "../random.js";
import { fdCheck, values } from "./fd.js";
import { runOnce, session, tensor } from "./ort.js";

const SMALL: DeepCdrConfig = {
  atomFeatures: 5,
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
};

interface Drug {
  features: number[][];
  edges: [number, number][];
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

/**
 * `drugs` (indices into DRUGS, each with its atoms in `orders[k]`) packed as the model reads them: atom rows, the
 * drug of each atom, and edges weighted by diag(1/rowsum Â)·Â with Â = D^-½(A+I)D^-½ (self-loops included).
 */
function pack(drugs: number[], orders?: number[][]) {
  const rows: number[][] = [];
  const atomDrug: number[] = [];
  const src: number[] = [];
  const dst: number[] = [];
  const weight: number[] = [];
  drugs.forEach((d, k) => {
    const drug = DRUGS[d]!;
    const n = drug.features.length;
    const order = orders?.[k] ?? drug.features.map((_, i) => i);
    const at = (atom: number) => rows.length + order.indexOf(atom);
    const adj: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
    for (const [i, j] of drug.edges) adj[i]![j] = adj[j]![i] = 1;
    const deg = adj.map((r) => r.reduce((s, v) => s + v, 0));
    for (let i = 0; i < n; i++) {
      const row = adj[i]!.map((v, j) => v / Math.sqrt(deg[i]! * deg[j]!));
      const sum = row.reduce((s, v) => s + v, 0);
      row.forEach((v, j) => {
        if (v === 0) return;
        src.push(at(j));
        dst.push(at(i));
        weight.push(v / (sum + 1e-7));
      });
    }
    const base = rows.length;
    for (const atom of order) rows.push(drug.features[atom]!);
    for (let i = 0; i < n; i++) atomDrug.push(k);
    assert.equal(rows.length, base + n);
  });
  return { rows, atomDrug, src, dst, weight, drugs: drugs.length };
}

const int64 = (v: number[]) => BigInt64Array.from(v, (x) => BigInt(x));

/** The network over pairs (omics row i, drug pairDrug[i]) of packed drugs; every input, parameter and mask fed. */
function build(packed: ReturnType<typeof pack>, pairDrug: number[], mode: DeepCdrMode) {
  const g = new Graph();
  const feeds = new Map<Value, TypedArray>();
  const feed = (v: Value, d: TypedArray) => {
    feeds.set(v, d);
    return v;
  };
  const t = packed.rows.length;
  const e = packed.src.length;
  const n = pairDrug.length;
  const inputs: DeepCdrInputs = {
    atoms: feed(g.input("atoms", "float64", [t, 5]), Float64Array.from(packed.rows.flat())),
    atomDrug: feed(g.input("atomDrug", "int64", [t]), int64(packed.atomDrug)),
    drugs: packed.drugs,
    edgeSrc: feed(g.input("src", "int64", [e]), int64(packed.src)),
    edgeDst: feed(g.input("dst", "int64", [e]), int64(packed.dst)),
    edgeWeight: feed(g.input("weight", "float64", [e]), Float64Array.from(packed.weight)),
    pairDrug: feed(g.input("pairDrug", "int64", [n]), int64(pairDrug)),
    omics: SMALL.omics.map((o, i) => feed(g.input(`omics${i}`, "float64", [n, o.features]), values(n * o.features, 70 + i))),
  };
  const out = deepCdr(inputs, SMALL, mode);
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
    if (dist?.kind !== "dropout") continue;
    const d = new Float64Array(v.size);
    new Rng(9, v.id).fillDropout(d, dist.p);
    feeds.set(v, d);
  }
  return { g, out, feeds };
}

test("DeepCDR's loss (GCN over packed drugs, BatchNorm, omics branches, convolutional head) has the gradients of finite differences", async () => {
  const { g, out, feeds } = build(pack([0, 1, 2]), [0, 2, 1, 0], { dropout: true, bn: "batch" });
  const target = g.constant(values(4, 80), "float64", [4]);
  const loss = op.reduceMean(op.square(op.sub(out.y, target)));
  const { worst, checked } = await fdCheck(
    loss,
    g.paramsOf().map((p) => p.value),
    feeds,
    { perElement: 24, directions: 3, h: 1e-6 },
  );
  assert.ok(checked > 150, `checked ${checked}`);
  assert.ok(worst < 1e-6, `worst relative error ${worst.toExponential(2)}`);
});

async function predict(packed: ReturnType<typeof pack>, pairDrug: number[], bn: "batch" | "population"): Promise<Float64Array> {
  const { out, feeds } = build(packed, pairDrug, { dropout: false, bn });
  const s = await session(toOnnx({ inputs: [...feeds.keys()], outputs: { y: out.y } }));
  const res = await runOnce(s, Object.fromEntries([...feeds].map(([v, d]) => [v.name, tensor(v, d)])));
  return res.y as Float64Array;
}

test("atom order changes nothing (the GCN and the pooling are permutation-equivariant and -invariant)", async () => {
  for (const bn of ["batch", "population"] as const) {
    const a = await predict(pack([0, 1, 2]), [0, 1, 2, 1], bn);
    const b = await predict(
      pack(
        [0, 1, 2],
        [
          [2, 0, 1],
          [3, 1, 0, 2],
          [1, 0],
        ],
      ),
      [0, 1, 2, 1],
      bn,
    );
    for (const [i, v] of a.entries()) assert.ok(Math.abs(v - b[i]!) < 1e-10, `${bn}: ${v} vs ${b[i]}`);
  }
});

test("with population statistics a drug's prediction does not depend on the other drugs in the table", async () => {
  const a = await predict(pack([0, 1, 2]), [0, 2], "population");
  const b = await predict(pack([2, 0]), [1, 0], "population");
  for (const [i, v] of a.entries()) assert.ok(Math.abs(v - b[i]!) < 1e-10, `${v} vs ${b[i]}`);
  const c = await predict(pack([0, 1, 2]), [0, 2], "batch");
  const d = await predict(pack([2, 0]), [1, 0], "batch");
  assert.ok(Math.abs(c[0]! - d[0]!) > 1e-6, "with minibatch statistics the drug set does matter (the check can fail)");
  const { g } = build(pack([0]), [0], { dropout: false, bn: "population" });
  assert.ok(g.paramsOf().some((p) => p.group === BN_STATS && p.value.name === "drug.gcn0.bn.mean"));
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
