import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import type { DType, TypedArray } from "../../native-models/index.js";

/**
 * Checkpoints in the safetensors format (8-byte little-endian header length, JSON header, raw little-endian data),
 * readable by Python's `safetensors`. Training state that is not a tensor (step, epoch, seed, schedule) goes in
 * the header's `__metadata__` as JSON. Written to a temp file, fsynced, then renamed: a crash leaves the old file.
 */
const ST_DTYPE: Record<DType, string> = { float32: "F32", float64: "F64", int64: "I64", bool: "BOOL" };
const FROM_ST: Record<string, DType> = { F32: "float32", F64: "float64", I64: "int64", BOOL: "bool" };

export interface CheckpointTensor {
  dtype: DType;
  shape: readonly number[];
  data: TypedArray;
}

export function writeCheckpoint(path: string, tensors: ReadonlyMap<string, CheckpointTensor>, meta: unknown): void {
  const header: Record<string, unknown> = { __metadata__: { state: JSON.stringify(meta) } };
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: ST_DTYPE[t.dtype], shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const head = Buffer.alloc(8 + Buffer.byteLength(json));
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)), 0);
  head.write(json, 8);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, head);
    for (const t of tensors.values()) writeSync(fd, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

export function readCheckpoint(path: string): { tensors: Map<string, CheckpointTensor>; meta: unknown } {
  const buf = readFileSync(path);
  if (buf.length < 8) throw new Error(`${path} is not a checkpoint (too short)`);
  const n = Number(buf.readBigUInt64LE(0));
  if (8 + n > buf.length) throw new Error(`${path} is not a checkpoint (header runs past the end)`);
  type Entry = { dtype: string; shape: number[]; data_offsets: [number, number] };
  const header = JSON.parse(buf.subarray(8, 8 + n).toString("utf8")) as Record<string, unknown>;
  const base = 8 + n;
  const tensors = new Map<string, CheckpointTensor>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const info = raw as Entry;
    const dtype = FROM_ST[info.dtype];
    if (!dtype) throw new Error(`${path}: tensor ${name} has unsupported dtype ${info.dtype}`);
    const [a, b] = info.data_offsets;
    const bytes = buf.subarray(base + a, base + b);
    // Copy into an aligned buffer of the right type.
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    const data: TypedArray =
      dtype === "float32"
        ? new Float32Array(copy.buffer)
        : dtype === "float64"
          ? new Float64Array(copy.buffer)
          : dtype === "int64"
            ? new BigInt64Array(copy.buffer)
            : copy;
    tensors.set(name, { dtype, shape: info.shape, data });
  }
  const meta = (header.__metadata__ as { state?: string } | undefined)?.state;
  return { tensors, meta: JSON.parse(meta ?? "null") };
}
