/**
 * NumPy `.npy` arrays (format versions 1–3): the header is a Python dict literal, parsed with regular
 * expressions (never evaluated). Floats of 2, 4 or 8 bytes in either byte order, C or Fortran order.
 */
import { DataError } from "../io/errors.js";

export const NPY_MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

export interface NpyArray {
  shape: number[];
  /** Values in C (row-major) order, whatever the file's order. */
  values: Float32Array;
  dtype: string;
}

export function isNpy(head: Uint8Array): boolean {
  return head.length >= 6 && NPY_MAGIC.equals(Buffer.from(head.buffer, head.byteOffset, 6));
}

/** IEEE half → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** number → IEEE half, rounding to nearest even (as numpy's astype(float16)). */
export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && r & 1)) r++;
    return sign | r;
  }
  let r = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && r & 1)) {
    r++;
    if (r === 0x400) {
      r = 0;
      e++;
      if (e >= 31) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | r;
}

/** Parses an .npy file's bytes. `file` names it in error messages. */
export function parseNpy(file: string, bytes: Uint8Array): NpyArray {
  if (!isNpy(bytes)) {
    throw new DataError(file, "a NumPy .npy file (starting with \\x93NUMPY)", "other content", "Save the array with numpy.save().");
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    throw new DataError(file, "NumPy file format version 1, 2 or 3", `version ${major}`);
  }
  if (start + headerLen > bytes.length) throw new DataError(file, "a complete .npy header", "a truncated file");
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + start, headerLen).toString(major === 3 ? "utf8" : "latin1");
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DataError(file, "an .npy header with descr, fortran_order and shape", `'${header.trim()}'`);
  }
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      if (!/^\d+L?$/.test(s)) throw new DataError(file, "whole numbers in the .npy shape", `'${shapeText}'`);
      return Number.parseInt(s, 10);
    });
  const m = /^([<>|=])f([248])$/.exec(descr);
  if (!m) {
    const what = /^[<>|=]?[iu]\d$/.test(descr) ? "integers" : /^[<>|=]?[OUS]/.test(descr) ? "text or Python objects" : "";
    throw new DataError(
      file,
      "floating-point numbers (float16, float32 or float64)",
      `dtype '${descr}'${what ? ` (${what})` : ""}`,
      "Convert the embeddings with array.astype('float32') and save them again with numpy.save().",
    );
  }
  const size = Number(m[2]);
  const little = m[1] !== ">";
  const count = shape.reduce((p, d) => p * d, 1);
  const dataStart = start + headerLen;
  if (bytes.length - dataStart < count * size) {
    throw new DataError(
      file,
      `${count} values of ${size} bytes after the header (shape (${shape.join(", ")}))`,
      `${bytes.length - dataStart} bytes`,
      "The file is truncated; save or copy it again.",
    );
  }
  const raw = new DataView(bytes.buffer, bytes.byteOffset + dataStart, count * size);
  const out = new Float32Array(count);
  if (size === 4) for (let i = 0; i < count; i++) out[i] = raw.getFloat32(i * 4, little);
  else if (size === 8) for (let i = 0; i < count; i++) out[i] = raw.getFloat64(i * 8, little);
  else for (let i = 0; i < count; i++) out[i] = halfToFloat(raw.getUint16(i * 2, little));
  let values = out;
  if (fortran === "True" && shape.length === 2) {
    const [r, c] = shape;
    values = new Float32Array(count);
    for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) values[i * c + j] = out[j * r + i];
  }
  return { shape, values, dtype: descr };
}

/** Encodes a 2-D C-order float array as .npy version 1.0 (`dtype` '<f2' or '<f4'). */
export function encodeNpy(values: Float32Array, rows: number, cols: number, dtype: "<f2" | "<f4"): Buffer {
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const total = 10 + header.length + 1;
  header += `${" ".repeat((64 - (total % 64)) % 64)}\n`;
  const head = Buffer.alloc(10);
  NPY_MAGIC.copy(head, 0);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  let body: Buffer;
  if (dtype === "<f4") {
    body = Buffer.alloc(values.length * 4);
    for (let i = 0; i < values.length; i++) body.writeFloatLE(values[i], i * 4);
  } else {
    body = Buffer.alloc(values.length * 2);
    for (let i = 0; i < values.length; i++) body.writeUInt16LE(floatToHalf(values[i]), i * 2);
  }
  return Buffer.concat([head, Buffer.from(header, "latin1"), body]);
}
