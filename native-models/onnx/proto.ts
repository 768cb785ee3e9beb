// onnx-proto is CommonJS; import it through createRequire so the ESM build sees its namespace object.
import { createRequire } from "node:module";
import type { onnx as OnnxNs } from "onnx-proto";
import { type DType, ONNX_TYPE, type TypedArray } from "../graph/dtype.js";
import type { Shape } from "../graph/value.js";

export const onnx: typeof OnnxNs = createRequire(import.meta.url)("onnx-proto").onnx;
export type NodeProto = OnnxNs.INodeProto;
export type GraphProto = OnnxNs.IGraphProto;
export type AttributeProto = OnnxNs.IAttributeProto;
export type TensorProto = OnnxNs.ITensorProto;
export type ValueInfoProto = OnnxNs.IValueInfoProto;

/** The opset the compiler targets (reduce ops take axes as an input from 18 on). */
export const OPSET = 18;

const A = onnx.AttributeProto.AttributeType;

/** Typed attribute values: ONNX wants floats typed FLOAT even when integral, so the kind is always explicit. */
export type AttrValue =
  | { int: number }
  | { float: number }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { str: string }
  | { tensor: TensorProto }
  | { graph: GraphProto };

export function attribute(name: string, v: AttrValue): AttributeProto {
  if ("int" in v) return { name, type: A.INT, i: v.int };
  if ("float" in v) return { name, type: A.FLOAT, f: v.float };
  if ("ints" in v) return { name, type: A.INTS, ints: [...v.ints] };
  if ("floats" in v) return { name, type: A.FLOATS, floats: [...v.floats] };
  if ("str" in v) return { name, type: A.STRING, s: new TextEncoder().encode(v.str) };
  if ("tensor" in v) return { name, type: A.TENSOR, t: v.tensor };
  return { name, type: A.GRAPH, g: v.graph };
}

export function tensorProto(name: string, dtype: DType, shape: readonly number[], data: TypedArray): TensorProto {
  return {
    name,
    dataType: ONNX_TYPE[dtype],
    dims: [...shape],
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

export function valueInfo(name: string, dtype: DType, shape: Shape | null, doc?: string): ValueInfoProto {
  const tensorType: OnnxNs.TypeProto.ITensor = { elemType: ONNX_TYPE[dtype] };
  if (shape) tensorType.shape = { dim: shape.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType }, ...(doc ? { docString: doc } : {}) };
}

export interface ModelMeta {
  producer?: string;
  doc?: string;
  metadata?: Record<string, string>;
}

export function encodeModel(graph: GraphProto, meta: ModelMeta = {}): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: meta.producer ?? "sciLaMA Studio native-models",
    opsetImport: [{ domain: "", version: OPSET }],
    graph,
    ...(meta.doc ? { docString: meta.doc } : {}),
    metadataProps: Object.entries(meta.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}
