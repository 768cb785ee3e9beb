import type { DType } from "../graph/dtype.js";
import type { Attrs, Shape, Value } from "../graph/value.js";
import type { Emitter } from "../onnx/emitter.js";

/** Everything the compiler knows about one IR op: its type rule, its vector-Jacobian product and its ONNX lowering. */
export interface OpDef {
  infer(inputs: readonly Value[], attrs: Attrs): { dtype: DType; shape: Shape };
  /**
   * Given the node `y` and the gradient `gy` of the loss with respect to it, returns the gradient for each input
   * (null where an input has none, e.g. indices or masks). Absent for ops that are not differentiable.
   */
  grad?(y: Value, gy: Value): readonly (Value | null)[];
  /** Emits ONNX nodes computing `y` into `e.name(y)`. */
  lower(e: Emitter, y: Value): void;
}

const defs = new Map<string, OpDef>();

export function defineOp(name: string, def: OpDef): void {
  if (defs.has(name)) throw new Error(`op ${name} defined twice`);
  defs.set(name, def);
}

export function opDef(name: string): OpDef {
  const d = defs.get(name);
  if (!d) throw new Error(`unknown op "${name}"`);
  return d;
}
