// Whole-model gradient checks: a VAE with LayerNorm blocks, dropout masks and the reparameterisation, in float64
// against finite differences, and float32 against float64.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import { gradients } from "../autodiff/grad.js";
import { type DType, ORT_TYPE, type TypedArray } from "../graph/dtype.js";
import { initParams } from "../graph/init.js";
import { Graph, type Value } from "../graph/value.js";
import { vae } from "../models/vae.js";
import { toOnnx } from "../onnx/model.js";
import { Rng } from "../random.js";
import { fdCheck } from "./fd.js";
import { session } from "./ort.js";

const cfg = { features: 7, hidden: [6, 5], latent: 3, dropout: 0.2 };
const BATCH = 4;

function build(dtype: DType) {
  const g = new Graph();
  const x = g.input("x", dtype, [BATCH, cfg.features]);
  const m = vae(g, x, { ...cfg, dtype }, "train");
  return { g, m };
}

/** Deterministic values for every leaf of the graph: data, weights, masks, noise, β. */
function feedsFor(g: Graph, dtype: DType): Map<Value, TypedArray> {
  const params = initParams(g.paramsOf(), 3);
  const feeds = new Map<Value, TypedArray>();
  const make = (n: number) => (dtype === "float64" ? new Float64Array(n) : new Float32Array(n));
  for (const p of g.paramsOf()) {
    const v = make(p.value.size);
    v.set(params.get(p.value.name) as Float32Array);
    // Biases start at zero; give them values so their gradients are checked away from a special point.
    if (p.init.kind === "zeros") new Rng(5, p.value.id).fillNormal(v as Float64Array, 0.1);
    feeds.set(p.value, v);
  }
  for (const v of g.inputs.values()) {
    const data = make(v.size);
    const rng = new Rng(9, v.id);
    const dist = v.randomDist;
    if (v.name === "rowWeight") data.set([1, 1, 0.5, 1]);
    else if (v.name === "beta") data[0] = 0.7;
    else if (dist?.kind === "dropout") rng.fillDropout(data, dist.p);
    else rng.fillNormal(data);
    feeds.set(v, data);
  }
  return feeds;
}

test("a whole VAE's gradients match finite differences in float64", async () => {
  const { g, m } = build("float64");
  const feeds = feedsFor(g, "float64");
  const params = g.paramsOf().map((p) => p.value);
  const { worst, checked } = await fdCheck(m.loss, params, feeds, { perElement: 40, directions: 4, h: 1e-6 });
  assert.ok(checked > 100, `checked ${checked}`);
  assert.ok(worst < 1e-6, `worst relative error ${worst.toExponential(2)}`);
});

test("float32 and float64 gradients of the VAE agree", async () => {
  const grads: Record<string, Float64Array>[] = [];
  for (const dtype of ["float64", "float32"] as const) {
    const { g, m } = build(dtype);
    const feeds = feedsFor(g, dtype);
    const params = g.paramsOf().map((p) => p.value);
    const gs = gradients(m.loss, params);
    const outputs = Object.fromEntries(params.map((p, i) => [`grad:${p.name}`, gs[i]!]));
    const s = await session(toOnnx({ inputs: [...feeds.keys()], outputs }));
    const out = await s.run(
      Object.fromEntries([...feeds].map(([v, d]) => [v.name, new ort.Tensor(ORT_TYPE[v.dtype], d, v.shape as number[])])),
    );
    grads.push(Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Float64Array.from(t.data as Float32Array)])));
  }
  const [g64, g32] = grads as [Record<string, Float64Array>, Record<string, Float64Array>];
  for (const name of Object.keys(g64)) {
    let diff = 0;
    let norm = 0;
    g64[name]!.forEach((v, i) => {
      diff += (v - g32[name]![i]!) ** 2;
      norm += v * v;
    });
    assert.ok(norm > 0, `${name} has a zero gradient`);
    assert.ok(Math.sqrt(diff / norm) < 1e-5, `${name}: relative difference ${Math.sqrt(diff / norm).toExponential(2)}`);
  }
});
