import type { TypedArray } from "../graph/dtype.js";
import type { Value } from "../graph/value.js";
import { toOnnx } from "../onnx/model.js";
import type { ModelMeta } from "../onnx/proto.js";
import { leavesOf } from "./train.js";

export interface ExportSpec {
  /** Runtime inputs (may have symbolic dimensions such as the number of cells). */
  inputs: readonly Value[];
  outputs: Readonly<Record<string, Value>>;
  /** Trained values of the parameters, by name; every parameter the outputs read is baked in. */
  params: ReadonlyMap<string, TypedArray>;
  /** What each input and output means, stored as ONNX doc strings. */
  docs: Readonly<Record<string, string>>;
  meta?: ModelMeta;
}

/** A self-contained inference model: weights as initializers, documented inputs and outputs, no training inputs. */
export function exportInference(spec: ExportSpec): Uint8Array {
  const baked = new Map<Value, TypedArray>();
  for (const leaf of leavesOf(Object.values(spec.outputs))) {
    if (leaf.op === "param") {
      const data = spec.params.get(leaf.name);
      if (!data) throw new Error(`export: no trained value for parameter ${leaf.name}`);
      baked.set(leaf, data);
    } else if (leaf.op === "input" && !spec.inputs.includes(leaf)) {
      throw new Error(`export: the outputs read input ${leaf.name}, which is not an export input (a training-only input?)`);
    }
  }
  for (const name of [...spec.inputs.map((v) => v.name), ...Object.keys(spec.outputs)]) {
    if (!spec.docs[name]) throw new Error(`export: document ${name}`);
  }
  return toOnnx({ inputs: spec.inputs, outputs: spec.outputs, baked, docs: spec.docs }, spec.meta);
}
