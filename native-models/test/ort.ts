// Test helpers: run compiled graphs in real onnxruntime sessions (CPU).
import * as ort from "onnxruntime-node";
import type { TypedArray } from "../graph/dtype.js";
import { ORT_TYPE } from "../graph/dtype.js";
import type { Value } from "../graph/value.js";

export async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { executionProviders: ["cpu"], intraOpNumThreads: 2, interOpNumThreads: 1 });
}

export function tensor(v: Value, data: TypedArray): ort.Tensor {
  return new ort.Tensor(ORT_TYPE[v.dtype], data, v.shape as number[]);
}

export async function runOnce(s: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Promise<Record<string, TypedArray>> {
  const out = await s.run(feeds);
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as TypedArray]));
}
