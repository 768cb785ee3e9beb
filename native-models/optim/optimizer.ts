import type { Value } from "../graph/value.js";

/**
 * An optimizer compiled into the graph. Its per-step scalars (step size, bias corrections, decay) are graph inputs
 * computed on the host by `scalarsAt`, so learning-rate schedules never need recompilation.
 */
export interface Optimizer {
  readonly kind: string;
  /** Names of the per-parameter state tensors (moments), each shaped like its parameter and starting at zero. */
  readonly slots: readonly string[];
  /** Names of the per-step scalar inputs. */
  readonly scalars: readonly string[];
  /** The updated parameter and slots, given gradient `grad` and this step's scalars. */
  update(param: Value, grad: Value, slots: readonly Value[], scalars: Readonly<Record<string, Value>>): { param: Value; slots: Value[] };
  /** The scalar inputs for optimizer step t (1-based) at learning rate lr. */
  scalarsAt(t: number, lr: number): Record<string, number>;
  /** Hyper-parameters, recorded with runs and checkpoints. */
  readonly config: Readonly<Record<string, number>>;
}
