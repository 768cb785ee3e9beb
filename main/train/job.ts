import { Worker } from "node:worker_threads";
import { WORKER_BOOT } from "../workers/boot-url.js";
import type { Progress } from "./fit.js";
import { type TrainJobSpec, validateTrainJobSpec } from "./spec.js";
import type { WorkerMessage, WorkerResult } from "./worker.js";

export interface TrainJob {
  /** Resolves with the final parameters, or status "stopped" after a cancel (a checkpoint was written). */
  readonly done: Promise<WorkerResult>;
  /** Asks the worker to stop after its current block; it writes a checkpoint first. */
  cancel(): void;
  /** Stops the worker thread at once, as a crash would (the last checkpoint stays). */
  kill(): Promise<void>;
}

/**
 * Trains in a worker thread: onnxruntime's `run` blocks its thread for the length of a block, so the caller's event
 * loop (the UI host) stays free. Cancellation is cooperative through a shared flag, checked between blocks.
 */
export function startTrainJob(spec: TrainJobSpec, onProgress?: (p: Progress) => void): TrainJob {
  validateTrainJobSpec(spec);
  const stop = new SharedArrayBuffer(4);
  const worker = new Worker(WORKER_BOOT, { workerData: { entry: new URL("./worker.ts", import.meta.url).href, spec, stop } });
  const done = new Promise<WorkerResult>((resolve, reject) => {
    worker.on("message", (m: WorkerMessage) => {
      if (m.type === "progress") onProgress?.(m.progress);
      else if (m.type === "done") resolve(m.result);
      else if (m.type === "error") reject(new Error(m.message));
    });
    worker.on("error", reject);
    worker.on("exit", (code) => reject(new Error(`the training worker exited (code ${code}) before finishing`)));
  });
  return {
    done,
    cancel: () => Atomics.store(new Int32Array(stop), 0, 1),
    kill: async () => {
      await worker.terminate();
    },
  };
}
