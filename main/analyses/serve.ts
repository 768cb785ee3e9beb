/**
 * The worker-thread side of every analysis: its worker module calls `serveAnalysis` with the computation, which gets
 * the caller's input and the stage hooks (events out, the stop flag in). A `Stopped` computation comes back as a
 * stopped outcome, not an error.
 */
import { serveWorkerJob } from "../workers/job.js";
import { type AnalysisEvent, type StageHooks, Stopped } from "./stages.js";

/** What a job posts back: the computation's summary, or that it stopped (with the stages timed until then). */
export type JobOutcome<S> = { stopped: false; summary: S } | { stopped: true; seconds: Record<string, number> };

export function serveAnalysis<I, S>(work: (input: I, hooks: StageHooks) => Promise<S>): Promise<void> {
  return serveWorkerJob<I, AnalysisEvent, JobOutcome<S>>(async (input, emit, shouldStop) => {
    try {
      return { stopped: false, summary: await work(input, { emit, shouldStop }) };
    } catch (e) {
      if (e instanceof Stopped) return { stopped: true, seconds: e.seconds };
      throw e;
    }
  });
}
