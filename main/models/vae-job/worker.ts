/** Worker-thread side of `startTrainJob`: trains a VAE from a job spec, reporting progress. */
import { initParams } from "../../../native-models/index.js";
import { denseSource } from "../../train/data.js";
import { type EpochRecord, type FitResult, fit, type Progress } from "../../train/fit.js";
import { scheduleFrom } from "../../train/schedule.js";
import { serveWorkerJob } from "../../workers/job.js";
import { vaeTrainProgram } from "../vae.js";
import { optimizerFrom, type TrainJobSpec } from "./spec.js";

export interface WorkerResult {
  status: FitResult["status"];
  params: Record<string, Float32Array>;
  history: EpochRecord[];
  steps: number;
  provider: string;
  fallbackReason: string | null;
  seconds: number;
}

await serveWorkerJob<TrainJobSpec, Progress, WorkerResult>(
  async (spec, emit, shouldStop) => {
    const { program, graph } = vaeTrainProgram(spec.model.config, optimizerFrom(spec.optimizer), spec.batch);
    const result = await fit({
      program,
      params: initParams(graph.paramsOf(), spec.seed),
      // onnxruntime-node rejects tensors over a SharedArrayBuffer ("Invalid argument"): one private copy per job.
      data: denseSource(new Float32Array(spec.data.buffer).slice(), spec.data.rows, spec.data.cols),
      batch: spec.batch,
      epochs: spec.epochs,
      schedule: scheduleFrom(spec.schedule),
      seed: spec.seed,
      ...(spec.provider ? { provider: spec.provider } : {}),
      ...(spec.threads ? { threads: spec.threads } : {}),
      ...(spec.targetRunSec ? { targetRunSec: spec.targetRunSec } : {}),
      checkpointPath: spec.checkpointPath,
      ...(spec.resume ? { resumeFrom: spec.checkpointPath } : {}),
      shouldStop,
      onProgress: emit,
    });
    return {
      status: result.status,
      params: Object.fromEntries([...result.params].map(([k, v]) => [k, (v as Float32Array).slice()])),
      history: result.history,
      steps: result.steps,
      provider: result.provider,
      fallbackReason: result.fallbackReason,
      seconds: result.seconds,
    };
  },
  (r) => Object.values(r.params).map((p) => p.buffer as ArrayBuffer),
);
