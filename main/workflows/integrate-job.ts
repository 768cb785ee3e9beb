/**
 * The integration workflow as a job in a worker thread: onnxruntime's `run` and scran.js's WASM block their thread
 * for seconds, so the caller (the CLI, the web host, the Electron utility process) keeps a free event loop for
 * progress, Ctrl-C and the UI. The worker trains, scores and writes the result files; the caller gets stages,
 * progress and a summary, and records the run in its project.
 */
import { Worker } from "node:worker_threads";
import { DataError } from "../io/errors.js";
import type { Progress } from "../train/fit.js";
import { WORKER_BOOT } from "../workers/boot-url.js";
import type { MetricRow } from "./evaluate.js";
import type { IntegrateOptions } from "./integrate.js";
import type { Written } from "./integrate-export.js";

/** What the caller chooses: the workflow's options without its callbacks. */
export type IntegrateJobOptions = Omit<IntegrateOptions, "onStage" | "onProgress" | "shouldStop">;

/** What a finished job reports (everything else is in the files it wrote). */
export interface IntegrationSummary {
  status: "completed" | "stopped";
  metrics: MetricRow[];
  skippedBaselines: string[];
  seconds: Record<string, number>;
  /** The execution provider that trained the chosen model, and why it is the CPU when a GPU was asked for. */
  provider: string;
  fallbackReason: string | null;
  coverage: { datasetGenes: number; covered: number; dropped: string[]; fraction: number; byPrior: Record<string, number> };
  modelledGenes: number;
  /** null when stopped before the chosen model finished (nothing is written then). */
  written: Written | null;
}

export type IntegrateWorkerMessage =
  | { type: "stage"; stage: string }
  | { type: "progress"; variant: string; progress: Progress; fraction: number }
  | { type: "done"; summary: IntegrationSummary }
  | { type: "error"; message: string; data?: { file: string; expected: string; found: string; hint?: string } };

export interface IntegrateJobEvents {
  onStage?: (stage: string) => void;
  onProgress?: (variant: string, p: Progress, fraction: number) => void;
}

export interface IntegrateJob {
  readonly done: Promise<IntegrationSummary>;
  /** Stops after the current training block: before the chosen model is trained nothing is kept; during the
   *  baselines the result is written with the rows scored so far. */
  cancel(): void;
}

export function startIntegrateJob(options: IntegrateJobOptions, out: string, events: IntegrateJobEvents = {}): IntegrateJob {
  const stop = new SharedArrayBuffer(4);
  const entry = new URL("./integrate-worker.ts", import.meta.url).href;
  const worker = new Worker(WORKER_BOOT, { workerData: { entry, options, out, stop } });
  const done = new Promise<IntegrationSummary>((resolve, reject) => {
    worker.on("message", (m: IntegrateWorkerMessage) => {
      if (m.type === "stage") events.onStage?.(m.stage);
      else if (m.type === "progress") events.onProgress?.(m.variant, m.progress, m.fraction);
      else if (m.type === "done") resolve(m.summary);
      // Bad input keeps its type across the thread boundary (the CLI maps it to exit code 3).
      else reject(m.data ? new DataError(m.data.file, m.data.expected, m.data.found, m.data.hint) : new Error(m.message));
    });
    worker.on("error", reject);
    worker.on("exit", (code) => reject(new Error(`the integration worker exited (code ${code}) before finishing`)));
  });
  return { done, cancel: () => Atomics.store(new Int32Array(stop), 0, 1) };
}
