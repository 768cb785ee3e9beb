// Training jobs in real worker threads: progress events, cancel mid-run, a killed worker, and resume from the
// checkpoint giving exactly the parameters of an uninterrupted run.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readDataset } from "../io/read.js";
import { startTrainJob } from "../models/vae-job/job.js";
import type { TrainJobSpec } from "../models/vae-job/spec.js";
import { log1p, normalizeTotal } from "../pp/normalize.js";
import { scale } from "../pp/scale.js";
import { readCheckpoint } from "../train/checkpoint.js";
import type { Progress } from "../train/fit.js";
import { PBMC3K, tempDir } from "./helpers.js";

async function sharedData(): Promise<TrainJobSpec["data"]> {
  const { dataset } = await readDataset(PBMC3K);
  const { scaled } = scale(log1p(normalizeTotal(dataset.X)));
  const buffer = new SharedArrayBuffer(scaled.values.length * 4);
  new Float32Array(buffer).set(scaled.values);
  return { buffer, rows: scaled.nRows, cols: scaled.nCols };
}

function spec(data: TrainJobSpec["data"], checkpointPath: string): TrainJobSpec {
  return {
    model: { kind: "vae", config: { features: data.cols, hidden: [64, 32], latent: 8, dropout: 0.1 } },
    optimizer: { kind: "adamw" },
    schedule: { lr: 1e-3, lrDecay: 0.99, beta: { zeroEpochs: 1, step: 0.5, max: 1 } },
    batch: 64,
    epochs: 4,
    seed: 11,
    provider: "cpu",
    data,
    checkpointPath,
    targetRunSec: 0.02,
  };
}

test("cancel stops a worker mid-run with a checkpoint, and resuming equals the uninterrupted run exactly", async (t) => {
  const dir = tempDir(t);
  const data = await sharedData();
  const progress: Progress[] = [];
  const full = await startTrainJob(spec(data, join(dir, "full.safetensors")), (p) => progress.push(p)).done;
  assert.equal(full.status, "completed");
  assert.equal(full.provider, "cpu");
  const stepsPerEpoch = Math.ceil(data.rows / 64);
  assert.equal(full.steps, 4 * stepsPerEpoch);
  // Progress arrives block by block with losses, throughput and a shrinking ETA.
  assert.ok(progress.length > 8, `only ${progress.length} progress events`);
  const last = progress.at(-1)!;
  assert.equal(last.step, last.totalSteps);
  assert.ok(last.cellsPerSec > 0 && Number.isFinite(last.losses.loss!));
  assert.ok(full.history[3]!.losses.recon! < full.history[0]!.losses.recon!, "reconstruction did not improve");

  const ck = join(dir, "cancelled.safetensors");
  let job: ReturnType<typeof startTrainJob>;
  const target = Math.floor(1.5 * stepsPerEpoch);
  job = startTrainJob(spec(data, ck), (p) => {
    if (p.step >= target) job.cancel();
  });
  const stopped = await job.done;
  assert.equal(stopped.status, "stopped");
  assert.ok(stopped.steps >= target && stopped.steps < 2 * stepsPerEpoch, `stopped after ${stopped.steps} steps`);
  assert.equal((readCheckpoint(ck).meta as { t: number }).t, stopped.steps);

  const resumed = await startTrainJob({ ...spec(data, ck), resume: true }).done;
  assert.equal(resumed.status, "completed");
  assert.equal(resumed.steps, full.steps);
  assert.deepEqual(resumed.history, full.history);
  for (const [k, v] of Object.entries(full.params)) assert.deepEqual(resumed.params[k], v, `parameter ${k} differs after resume`);
});

test("a killed worker resumes from its last epoch checkpoint to the same result", async (t) => {
  const dir = tempDir(t);
  const data = await sharedData();
  const full = await startTrainJob(spec(data, join(dir, "full.safetensors"))).done;
  const ck = join(dir, "killed.safetensors");
  let job: ReturnType<typeof startTrainJob>;
  let killing: Promise<void> | null = null;
  job = startTrainJob(spec(data, ck), (p) => {
    if (p.epoch === 2 && !killing) killing = job.kill();
  });
  await assert.rejects(job.done, /exited/);
  await killing;
  assert.ok(existsSync(ck), "no checkpoint survived the kill");
  const meta = readCheckpoint(ck).meta as { epoch: number };
  assert.ok(meta.epoch >= 2, `checkpoint at epoch ${meta.epoch}`);
  const resumed = await startTrainJob({ ...spec(data, ck), resume: true }).done;
  for (const [k, v] of Object.entries(full.params)) assert.deepEqual(resumed.params[k], v, `parameter ${k} differs after resume`);
});

test("a job with impossible settings is refused before a worker starts", async () => {
  const data = await sharedData();
  assert.throws(() => startTrainJob({ ...spec(data, "/tmp/x"), batch: 0 }), /batch size must be a positive integer/);
  assert.throws(
    () => startTrainJob({ ...spec(data, "/tmp/x"), model: { kind: "vae", config: { features: 5, hidden: [4], latent: 2, dropout: 0 } } }),
    /expects 5 features but the data has 2000/,
  );
});
