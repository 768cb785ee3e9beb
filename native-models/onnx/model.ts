import type { TypedArray } from "../graph/dtype.js";
import type { Value } from "../graph/value.js";
import { Emitter } from "./emitter.js";
import { encodeModel, type GraphProto, type ModelMeta, tensorProto, valueInfo } from "./proto.js";

export interface GraphSpec {
  /** Leaves fed at run time, under their own names. */
  inputs: readonly Value[];
  /** Named outputs. */
  outputs: Readonly<Record<string, Value>>;
  /** Leaves baked into the file as initializers (e.g. trained weights in an export). */
  baked?: ReadonlyMap<Value, TypedArray>;
  /** Documentation for inputs and outputs, by name. */
  docs?: Readonly<Record<string, string>>;
}

/** Lowers IR into a plain ONNX graph (no Loop). */
export function lowerGraph(spec: GraphSpec, name = "main"): GraphProto {
  const e = new Emitter("", 4096);
  for (const v of spec.inputs) e.bind(v, v.name);
  const initializers = [...(spec.baked ?? new Map<Value, TypedArray>())].map(([v, data]) => {
    e.bind(v, v.name);
    return tensorProto(v.name, v.dtype, v.shape as number[], data);
  });
  const outs = Object.entries(spec.outputs);
  e.emitNamed(outs);
  return {
    name,
    node: e.nodes,
    initializer: [...initializers, ...e.initializers],
    input: spec.inputs.map((v) => valueInfo(v.name, v.dtype, v.shape, spec.docs?.[v.name])),
    output: outs.map(([n, v]) => valueInfo(n, v.dtype, v.shape, spec.docs?.[n])),
  };
}

export function toOnnx(spec: GraphSpec, meta?: ModelMeta): Uint8Array {
  return encodeModel(lowerGraph(spec), meta);
}
