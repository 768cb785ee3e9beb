// A VAE trained on real data through the project's run machinery: loss falls, latent means cluster the Seurat cell
// types, the run records its device and artifacts, and the exported .onnx reproduces an independent forward pass.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import { adjustedRandIndex } from "../analysis/ari.js";
import { kmeans } from "../analysis/kmeans.js";
import { projectView } from "../api/views.js";
import { cellText } from "../data/frame.js";
import { readDataset } from "../io/read.js";
import { type RunSpec, resumeTrackedTraining, startTrackedTraining } from "../models/vae-job/tracked.js";
import { log1p, normalizeTotal } from "../pp/normalize.js";
import { scale } from "../pp/scale.js";
import { Project } from "../store/project.js";
import { artifact, getRun, metrics } from "../store/runs.js";
import { readCheckpoint } from "../train/checkpoint.js";
import { PBMC3K, tempDir } from "./helpers.js";

async function pbmc3k() {
  const { dataset } = await readDataset(PBMC3K);
  const { scaled } = scale(log1p(normalizeTotal(dataset.X)));
  const buffer = new SharedArrayBuffer(scaled.values.length * 4);
  new Float32Array(buffer).set(scaled.values);
  const col = dataset.obs.columns.get("seurat_annotation")!;
  const labels = Array.from({ length: scaled.nRows }, (_, i) => cellText(col, i));
  return { data: { buffer, rows: scaled.nRows, cols: scaled.nCols }, values: scaled.values as Float32Array, labels };
}

const spec: RunSpec = {
  model: { kind: "vae", config: { features: 2000, hidden: [128, 64], latent: 10, dropout: 0.1 } },
  optimizer: { kind: "adamw" },
  schedule: { lr: 1e-3, lrDecay: 0.99, beta: { zeroEpochs: 2, step: 0.2, max: 1 } },
  batch: 128,
  epochs: 20,
  seed: 1,
};

/** The encoder's μ for one cell in plain JS (Linear → LayerNorm → LeakyReLU per block, then the μ head). */
function referenceMu(params: Map<string, Float32Array>, x: Float32Array): number[] {
  let h = Array.from(x);
  const layer = (name: string, input: number[]) => {
    const w = params.get(`${name}.w`)!;
    const b = params.get(`${name}.b`)!;
    const out = b.length;
    return Array.from({ length: out }, (_, j) => input.reduce((s, v, i) => s + v * w[i * out + j]!, b[j]!));
  };
  for (const name of ["enc.h0", "enc.h1"]) {
    const z = layer(name, h);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length;
    h = z.map((v) => (v - mean) / Math.sqrt(variance + 1e-5)).map((v) => (v > 0 ? v : 0.01 * v));
  }
  return layer("enc.mu", h);
}

test("a VAE trained on pbmc3k clusters the Seurat cell types, and its run and export are recorded", async (t) => {
  const dir = tempDir(t);
  const p = Project.create(dir, "vae");
  t.after(() => p.close());
  const { data, values, labels } = await pbmc3k();
  const run = startTrackedTraining(p, spec, data);
  const result = await run.done;
  const row = getRun(p, run.runId);
  assert.equal(row.status, "succeeded");
  assert.equal(row.progress, 1);
  assert.match(row.device!, /^cpu \(\d+ threads\)$/);
  assert.deepEqual(
    projectView(p).runs.map((r) => [r.status, r.device]),
    [["succeeded", row.device]],
  );
  const events = p.events().map((e) => e.message);
  assert.ok(
    events.some((m) => /GPU not used: the CUDA provider of onnxruntime is not installed/.test(m)),
    "the CPU fallback was not explained",
  );
  const history = result.history.map((h) => h.losses.recon!);
  assert.ok(history.at(-1)! < history[0]! - 50, `reconstruction went from ${history[0]} to ${history.at(-1)}`);
  assert.ok(metrics(p, run.runId).some((m) => m.name === "final_loss" && m.value! > 0));

  // The exported model runs alone and agrees with an independent forward pass.
  const onnxPath = artifact(p, run.runId, "onnx")!;
  const s = await ort.InferenceSession.create(readFileSync(p.path(onnxPath)));
  assert.deepEqual([...s.inputNames], ["x"]);
  assert.deepEqual([...s.outputNames], ["mu", "sigma", "reconstruction"]);
  const out = await s.run({ x: new ort.Tensor("float32", values, [data.rows, data.cols]) });
  const mu = out.mu!.data as Float32Array;
  const weights = new Map(
    [...readCheckpoint(p.path(artifact(p, run.runId, "model")!)).tensors].map(([k, v]) => [k, v.data as Float32Array]),
  );
  for (const cell of [0, 500, 2637]) {
    const ref = referenceMu(weights, values.subarray(cell * 2000, (cell + 1) * 2000));
    for (const [j, v] of ref.entries()) {
      assert.ok(Math.abs(v - mu[cell * 10 + j]!) < 1e-3 * (1 + Math.abs(v)), `cell ${cell} μ[${j}]: ${mu[cell * 10 + j]} vs ${v}`);
    }
  }
  // Measured: ARI 0.651 for seed 1 (0.57–0.67 over seeds 1–3) with k-means, k = 9 types; asserted with a margin.
  const ari = adjustedRandIndex(kmeans(mu, data.rows, 10, 9, { seed: 0, restarts: 5 }), labels);
  assert.ok(ari > 0.55, `ARI ${ari.toFixed(3)}`);
});

test("a cancelled run is recorded as cancelled and resumes to success", async (t) => {
  const dir = tempDir(t);
  const p = Project.create(dir, "resume");
  t.after(() => p.close());
  const { data } = await pbmc3k();
  const short = { ...spec, epochs: 3, targetRunSec: 0.02 };
  const run = startTrackedTraining(p, short, data, {
    onProgress: (x) => {
      if (x.step >= 25) run.cancel();
    },
  });
  const stopped = await run.done;
  assert.equal(stopped.status, "stopped");
  assert.equal(getRun(p, run.runId).status, "cancelled");
  assert.ok(artifact(p, run.runId, "checkpoint"));
  const again = await resumeTrackedTraining(p, run.runId, data).done;
  assert.equal(again.status, "completed");
  assert.equal(again.steps, 3 * Math.ceil(data.rows / 128));
  assert.equal(getRun(p, run.runId).status, "succeeded");
});

test("ARI is 1 for identical partitions up to renaming and matches scikit-learn on a crossed one", () => {
  assert.equal(adjustedRandIndex([0, 0, 1, 1, 2], ["b", "b", "a", "a", "c"]), 1);
  // sklearn.metrics.adjusted_rand_score([0,0,1,1],[0,1,0,1]) = -0.5
  assert.ok(Math.abs(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1]) + 0.5) < 1e-12);
});
