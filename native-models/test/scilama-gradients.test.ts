// sciLaMA's three losses (cell β-VAE; paired cell/gene VAEs with two fused priors, covariates and the alignment
// term) in float64 against finite differences.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { TypedArray } from "../graph/dtype.js";
import { initParams } from "../graph/init.js";
import { Graph, type Value } from "../graph/value.js";
import { cellVaeLoss, type SciLaMAConfig, sciLaMALoss, splitRows } from "../models/scilama.js";
import { Rng } from "../random.js";
import { fdCheck } from "./fd.js";

const cfg: SciLaMAConfig = { genes: 6, covariates: 2, geneInputs: [5, 3], hidden: [7, 4], latent: 3, dropout: 0.2, dtype: "float64" };
const BATCH = 4;

function feedsFor(g: Graph): Map<Value, TypedArray> {
  const params = initParams(g.paramsOf(), 3);
  const feeds = new Map<Value, TypedArray>();
  for (const p of g.paramsOf()) {
    const v = new Float64Array(p.value.size);
    v.set(params.get(p.value.name) as Float64Array);
    if (p.init.kind === "zeros") new Rng(5, p.value.id).fillNormal(v, 0.1);
    feeds.set(p.value, v);
  }
  for (const v of g.inputs.values()) {
    const data = new Float64Array(v.size);
    const rng = new Rng(9, v.id);
    const dist = v.randomDist;
    if (v.name === "rowWeight") data.set([1, 1, 0.5, 1]);
    else if (v.name === "beta") data[0] = 0.7;
    else if (v.name === "gamma") data[0] = 0.3;
    else if (dist?.kind === "dropout") rng.fillDropout(data, dist.p);
    else rng.fillNormal(data);
    if (v.name === "rows") for (let r = 0; r < BATCH; r++) data.set(r % 2 ? [0, 1] : [1, 0], r * 8 + 6);
    feeds.set(v, data);
  }
  return feeds;
}

async function check(g: Graph, loss: Value) {
  const feeds = feedsFor(g);
  const { worst, checked } = await fdCheck(
    loss,
    g.paramsOf().map((p) => p.value),
    feeds,
    { perElement: 30, directions: 4, h: 1e-6 },
  );
  assert.ok(checked > 100, `checked ${checked}`);
  assert.ok(worst < 1e-6, `worst relative error ${worst.toExponential(2)}`);
}

test("step 1 (cell β-VAE with covariates) gradients match finite differences", async () => {
  const g = new Graph();
  const { x, cov } = splitRows(g.input("rows", "float64", [BATCH, 8]), cfg);
  await check(g, cellVaeLoss(g, x, cov, cfg, "train").loss);
});

test("steps 2–3 (paired VAEs, two fused priors, alignment term) gradients match finite differences", async () => {
  const g = new Graph();
  const { x, cov } = splitRows(g.input("rows", "float64", [BATCH, 8]), cfg);
  const priors = cfg.geneInputs.map((d, i) => g.input(`prior${i}`, "float64", [cfg.genes, d]));
  const m = sciLaMALoss(g, x, cov, priors, cfg, "train");
  assert.deepEqual(m.gene.hidden.shape, [cfg.genes, 7]);
  await check(g, m.loss);
});
