import type { Progress } from "../../train/fit.js";
import { startWorkerJob, type WorkerJob } from "../../workers/job.js";
import { type TrainJobSpec, validateTrainJobSpec } from "./spec.js";
import type { WorkerResult } from "./worker.js";

/** `done` resolves with the final parameters, or status "stopped" after a cancel (a checkpoint was written first);
 *  `kill` ends the thread as a crash would, between two training blocks (the last checkpoint stays). */
export type TrainJob = WorkerJob<WorkerResult>;

/**
 * Trains in a worker thread: onnxruntime's `run` blocks its thread for the length of a block, so the caller's event
 * loop (the UI host) stays free. Cancellation is cooperative through a shared flag, checked between blocks.
 */
export function startTrainJob(spec: TrainJobSpec, onProgress?: (p: Progress) => void): TrainJob {
  validateTrainJobSpec(spec);
  return startWorkerJob<Progress, WorkerResult>("training", new URL("./worker.js", import.meta.url), spec, onProgress);
}
