import { adamw, type Optimizer, sgd, type VaeConfig } from "../../../native-models/index.js";
import type { ProviderChoice } from "../../train/providers.js";
import type { ScheduleSpec } from "../../train/schedule.js";

/** Everything a training worker needs, as plain data (it crosses a thread boundary). */
export interface TrainJobSpec {
  model: { kind: "vae"; config: VaeConfig };
  optimizer:
    | { kind: "adamw"; beta1?: number; beta2?: number; eps?: number; weightDecay?: number }
    | { kind: "sgd"; momentum?: number; weightDecay?: number };
  schedule: ScheduleSpec;
  batch: number;
  epochs: number;
  seed: number;
  provider?: ProviderChoice;
  threads?: number;
  /** The preprocessed cells × features matrix, shared with the worker without copying. */
  data: { buffer: SharedArrayBuffer; rows: number; cols: number };
  checkpointPath: string;
  resume?: boolean;
  targetRunSec?: number;
}

export function optimizerFrom(o: TrainJobSpec["optimizer"]): Optimizer {
  const { kind, ...hp } = o;
  return kind === "adamw" ? adamw(hp) : sgd(hp);
}

/** Checks a job spec before a worker starts, with messages that say what to change. */
export function validateTrainJobSpec(s: TrainJobSpec): void {
  const problems: string[] = [];
  if (!Number.isInteger(s.batch) || s.batch < 1) problems.push(`batch size must be a positive integer (got ${s.batch})`);
  if (!Number.isInteger(s.epochs) || s.epochs < 1) problems.push(`epochs must be a positive integer (got ${s.epochs})`);
  if (!Number.isInteger(s.seed) || s.seed < 0) problems.push(`seed must be a non-negative integer (got ${s.seed})`);
  if (!(s.schedule.lr > 0)) problems.push(`learning rate must be positive (got ${s.schedule.lr})`);
  if (s.data.rows < 2) problems.push(`training needs at least 2 cells (got ${s.data.rows})`);
  if (s.data.buffer.byteLength !== s.data.rows * s.data.cols * 4)
    problems.push("the data buffer does not match rows × cols float32 values");
  if (s.model.config.features !== s.data.cols)
    problems.push(`the model expects ${s.model.config.features} features but the data has ${s.data.cols}`);
  if (problems.length) throw new Error(`cannot start training: ${problems.join("; ")}`);
}
