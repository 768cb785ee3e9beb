import { parentPort, workerData } from "node:worker_threads";
import { initParams } from "../../native-models/index.js";
import { vaeTrainProgram } from "../models/vae.js";
import { denseSource } from "./data.js";
import { type FitResult, fit } from "./fit.js";
import { scheduleFrom } from "./schedule.js";
import { optimizerFrom, type TrainJobSpec } from "./spec.js";

/** Messages a training worker posts to its parent. */
export type WorkerMessage =
  | { type: "progress"; progress: import("./fit.js").Progress }
  | { type: "done"; result: WorkerResult }
  | { type: "error"; message: string };

export interface WorkerResult {
  status: FitResult["status"];
  params: Record<string, Float32Array>;
  history: import("./fit.js").EpochRecord[];
  steps: number;
  provider: string;
  fallbackReason: string | null;
  seconds: number;
}

const { spec, stop } = workerData as { spec: TrainJobSpec; stop: SharedArrayBuffer };
const flag = new Int32Array(stop);
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(m, transfer);

try {
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
    shouldStop: () => Atomics.load(flag, 0) === 1,
    onProgress: (progress) => post({ type: "progress", progress }),
  });
  const params = Object.fromEntries([...result.params].map(([k, v]) => [k, (v as Float32Array).slice()]));
  post(
    {
      type: "done",
      result: {
        status: result.status,
        params,
        history: result.history,
        steps: result.steps,
        provider: result.provider,
        fallbackReason: result.fallbackReason,
        seconds: result.seconds,
      },
    },
    Object.values(params).map((p) => p.buffer as ArrayBuffer),
  );
} catch (err) {
  post({ type: "error", message: (err as Error).message });
}
