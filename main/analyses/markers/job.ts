/**
 * The markers workflow as a worker-thread job (see `workers/job.ts`): the worker finds modules and markers and writes
 * the tables, the view and the report's HTML into the run's folder; the caller gets stages and a summary.
 */

import { startWorkerJob, type WorkerJob } from "../../workers/job.js";
import type { MarkersReportContext } from "./report.js";
import type { MarkersOptions, MarkersResult } from "./workflow.js";

export type MarkersJobOptions = Omit<MarkersOptions, "onStage" | "shouldStop" | "markerSets">;

export interface MarkersJobSummary {
  status: "completed" | "stopped";
  /** kind → file; empty when stopped (nothing is written then). */
  written: Record<string, string>;
  quality: MarkersResult["quality"];
  modules: number;
  seconds: Record<string, number>;
}

export type MarkersEvent = { type: "stage"; stage: string; fraction: number };

export type MarkersJob = WorkerJob<MarkersJobSummary>;

export function startMarkersJob(
  options: MarkersJobOptions,
  folder: string,
  context: MarkersReportContext,
  onStage: (stage: string, fraction: number) => void,
): MarkersJob {
  return startWorkerJob<MarkersEvent, MarkersJobSummary>(
    "markers",
    new URL("./worker.ts", import.meta.url),
    { options, folder, context },
    (e) => onStage(e.stage, e.fraction),
  );
}
