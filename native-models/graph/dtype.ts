/** Element types the compiler knows, with their ONNX TensorProto codes and JS storage. */
export type DType = "float32" | "float64" | "int64" | "bool";
export type FloatDType = "float32" | "float64";

export type TypedArray = Float32Array | Float64Array | BigInt64Array | Uint8Array;

export const ONNX_TYPE: Readonly<Record<DType, number>> = { float32: 1, float64: 11, int64: 7, bool: 9 };

/** onnxruntime-node's names for the same types. */
export const ORT_TYPE: Readonly<Record<DType, "float32" | "float64" | "int64" | "bool">> = {
  float32: "float32",
  float64: "float64",
  int64: "int64",
  bool: "bool",
};

export function isFloat(d: DType): d is FloatDType {
  return d === "float32" || d === "float64";
}

export function allocate(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(n);
    case "float64":
      return new Float64Array(n);
    case "int64":
      return new BigInt64Array(n);
    case "bool":
      return new Uint8Array(n);
  }
}

/** A typed array holding `values` in the storage of `dtype`. */
export function typedFrom(dtype: DType, values: ArrayLike<number>): TypedArray {
  const out = allocate(dtype, values.length);
  if (out instanceof BigInt64Array) for (let i = 0; i < values.length; i++) out[i] = BigInt(Math.trunc(values[i]!));
  else out.set(values);
  return out;
}
