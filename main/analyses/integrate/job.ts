/**
 * The integration workflow as a worker-thread job (see `workers/job.ts`): the worker trains, scores and writes the
 * result files; the caller gets stages, progress and a summary, and records the run in its project.
 */
import type { Progress } from "../../train/fit.js";
import { startWorkerJob, type WorkerJob } from "../../workers/job.js";
import type { MetricRow } from "./evaluate.js";
import type { Written } from "./export.js";
import type { IntegrateOptions } from "./workflow.js";

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

/** What the worker reports while it runs. */
export type IntegrateEvent = { type: "stage"; stage: string } | { type: "progress"; variant: string; progress: Progress; fraction: number };

export interface IntegrateJobEvents {
  onStage?: (stage: string) => void;
  onProgress?: (variant: string, p: Progress, fraction: number) => void;
}

/** `cancel` stops after the current training block: before the chosen model is trained nothing is kept; during
 *  the baselines the result is written with the rows scored so far. */
export type IntegrateJob = WorkerJob<IntegrationSummary>;

export function startIntegrateJob(options: IntegrateJobOptions, out: string, events: IntegrateJobEvents = {}): IntegrateJob {
  return startWorkerJob<IntegrateEvent, IntegrationSummary>(
    "integration",
    new URL("./worker.ts", import.meta.url),
    { options, out },
    (e) => {
      if (e.type === "stage") events.onStage?.(e.stage);
      else events.onProgress?.(e.variant, e.progress, e.fraction);
    },
  );
}
