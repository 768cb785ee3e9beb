/**
 * What every analysis's computation shares: one stage timer, and one way to stop. A computation names its stages
 * (`stage`), times them (`lap`) and, where stopping is safe, asks whether the user wants it to (`stopPoint`), which
 * throws `Stopped`; the lifecycle turns that into a cancelled run. Nothing is returned, so nothing is written.
 */
import type { Progress } from "../train/fit.js";

/** What a computation reports while it runs (it crosses the worker boundary as plain data). */
export type AnalysisEvent =
  /** A new stage; `fraction` is the whole run's progress where the stage alone tells it (else null). */
  | { type: "stage"; stage: string; fraction: number | null }
  /** Training progress of one model (`variant`), and the whole run's progress in [0, 1]. */
  | { type: "training"; variant: string; progress: Progress; fraction: number };

/** One point of a loss curve, as the app draws it (a run keeps its curve in its folder's losses.json). */
export interface LossPoint {
  variant: string;
  phase: string;
  epoch: number;
  elapsedSec: number;
  loss: number;
}

/** The loss curve's point a training event carries (null when it reports no loss). */
export function lossPoint(e: Extract<AnalysisEvent, { type: "training" }>): LossPoint | null {
  const { phase, epoch, elapsedSec, losses } = e.progress;
  return losses.loss === undefined ? null : { variant: e.variant, phase, epoch, elapsedSec, loss: losses.loss };
}

/** How far one sciLaMA training is, in [0, 1], from its progress within `step` (of its three steps). */
export const trainingDone = (progress: Progress, step: number): number => (step - 1 + progress.step / Math.max(1, progress.totalSteps)) / 3;

/** The user asked the run to stop; `seconds` holds the stages timed until then. */
export class Stopped extends Error {
  constructor(readonly seconds: Record<string, number> = {}) {
    super("stopped on request");
  }
}

export interface StageHooks {
  emit?: (e: AnalysisEvent) => void;
  shouldStop?: () => boolean;
}

export class Stages {
  /** Seconds per timed stage (a name timed twice adds up). */
  readonly seconds: Record<string, number> = {};
  private t = performance.now();

  /** `order` lists the stage names in order, so that announcing one tells the run's progress. */
  constructor(
    private readonly hooks: StageHooks = {},
    private readonly order: readonly string[] = [],
  ) {}

  /** Announces a stage (its fraction comes from `order` when it is listed there). */
  stage(name: string): void {
    const i = this.order.indexOf(name);
    this.hooks.emit?.({ type: "stage", stage: name, fraction: i < 0 ? null : i / this.order.length });
  }

  /** Adds the time since the last lap to `name`. */
  lap(name: string): void {
    const now = performance.now();
    this.seconds[name] = (this.seconds[name] ?? 0) + (now - this.t) / 1000;
    this.t = now;
  }

  get stopRequested(): boolean {
    return this.hooks.shouldStop?.() ?? false;
  }

  /** Ends the computation with `Stopped` if the user asked. */
  stopPoint(): void {
    if (this.stopRequested) throw new Stopped(this.seconds);
  }
}
