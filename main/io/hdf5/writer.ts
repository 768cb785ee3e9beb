/**
 * A small HDF5 writer, written to the HDF5 File Format Specification (version 3.0): superblock v2, version-2
 * object headers, compact ("new style") groups, contiguous datasets, attributes, variable-length UTF-8 strings in
 * global heap collections, and h5py's boolean enum. It exists because h5wasm cannot create enum types, which
 * anndata needs for boolean columns and for the `ordered` flag of categoricals; h5wasm remains our reader.
 *
 * Raw data is appended as it arrives (large arrays stream in blocks without being held whole); object headers are
 * written at `close()` in post-order, then the superblock at offset 0. A file that was not closed has no valid
 * superblock, so an interrupted write never looks like a complete file.
 */
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { lookup3 } from "./checksum.js";

export type NumericDtype = "i1" | "u1" | "i2" | "u2" | "i4" | "u4" | "i8" | "u8" | "f4" | "f8";
export type Dtype = NumericDtype | "str" | "bool";

export type NumericArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

export type AttrValue = string | string[] | number | boolean | NumericArray;

const UNDEF = 0xffffffffffffffffn;
const SUPERBLOCK_SIZE = 48;

const ITEM_SIZE: Record<Dtype, number> = {
  i1: 1,
  u1: 1,
  i2: 2,
  u2: 2,
  i4: 4,
  u4: 4,
  i8: 8,
  u8: 8,
  f4: 4,
  f8: 8,
  str: 16,
  bool: 1,
};

export function dtypeOf(a: NumericArray): NumericDtype {
  if (a instanceof Int8Array) return "i1";
  if (a instanceof Uint8Array) return "u1";
  if (a instanceof Int16Array) return "i2";
  if (a instanceof Uint16Array) return "u2";
  if (a instanceof Int32Array) return "i4";
  if (a instanceof Uint32Array) return "u4";
  if (a instanceof BigInt64Array) return "i8";
  if (a instanceof BigUint64Array) return "u8";
  if (a instanceof Float32Array) return "f4";
  return "f8";
}

/** Little-endian byte builder for metadata blocks. */
class Bytes {
  private buf = Buffer.alloc(256);
  length = 0;
  private ensure(n: number) {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  u8(v: number) {
    this.ensure(1);
    this.buf.writeUInt8(v, this.length);
    this.length += 1;
    return this;
  }
  u16(v: number) {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.length);
    this.length += 2;
    return this;
  }
  u32(v: number) {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.length);
    this.length += 4;
    return this;
  }
  u64(v: number | bigint) {
    this.ensure(8);
    this.buf.writeBigUInt64LE(BigInt(v), this.length);
    this.length += 8;
    return this;
  }
  bytes(b: Uint8Array) {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  zeros(n: number) {
    this.ensure(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
    return this;
  }
  done(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

function datatypeMessage(dtype: Dtype): Buffer {
  const b = new Bytes();
  const fixed = (size: number, signed: boolean) => {
    b.u8(0x10)
      .u8(signed ? 0x08 : 0)
      .u8(0)
      .u8(0)
      .u32(size)
      .u16(0)
      .u16(size * 8);
  };
  switch (dtype) {
    case "f4":
      // class 1 (float), version 1; mantissa normalisation "implied" (bits 4-5 = 2), sign bit at 31.
      b.u8(0x11).u8(0x20).u8(31).u8(0).u32(4).u16(0).u16(32).u8(23).u8(8).u8(0).u8(23).u32(127);
      break;
    case "f8":
      b.u8(0x11).u8(0x20).u8(63).u8(0).u32(8).u16(0).u16(64).u8(52).u8(11).u8(0).u8(52).u32(1023);
      break;
    case "str":
      // class 9 (variable length), type 1 = string, null-terminated, UTF-8; base type unsigned char.
      b.u8(0x19).u8(0x01).u8(0x01).u8(0).u32(16);
      fixed(1, false);
      break;
    case "bool":
      // class 8 (enum), version 3, h5py's convention: int8 base with members FALSE = 0, TRUE = 1.
      b.u8(0x38).u16(2).u8(0).u32(1);
      fixed(1, true);
      b.bytes(Buffer.from("FALSE\0TRUE\0", "latin1")).u8(0).u8(1);
      break;
    default:
      fixed(ITEM_SIZE[dtype], dtype.startsWith("i"));
  }
  return b.done();
}

function dataspaceMessage(shape: number[] | null): Buffer {
  const b = new Bytes();
  if (shape === null) return b.u8(2).u8(0).u8(0).u8(0).done(); // scalar
  b.u8(2).u8(shape.length).u8(0).u8(1);
  for (const d of shape) b.u64(d);
  return b.done();
}

interface AttrSpec {
  name: string;
  dtype: Dtype;
  shape: number[] | null;
  values: NumericArray | string[] | Uint8Array;
}

function attrSpec(name: string, value: AttrValue): AttrSpec {
  if (typeof value === "string") return { name, dtype: "str", shape: null, values: [value] };
  if (typeof value === "boolean") return { name, dtype: "bool", shape: null, values: Uint8Array.of(value ? 1 : 0) };
  if (typeof value === "number") {
    return Number.isInteger(value)
      ? { name, dtype: "i8", shape: null, values: BigInt64Array.of(BigInt(value)) }
      : { name, dtype: "f8", shape: null, values: Float64Array.of(value) };
  }
  if (Array.isArray(value)) return { name, dtype: "str", shape: [value.length], values: value };
  return { name, dtype: dtypeOf(value), shape: [value.length], values: value };
}

interface Node {
  kind: "group" | "dataset";
  attrs: AttrSpec[];
  address?: bigint;
}

interface DatasetNode extends Node {
  kind: "dataset";
  dtype: Dtype;
  shape: number[] | null;
  dataAddress: bigint;
  dataSize: number;
}

export class H5Group implements Node {
  readonly kind = "group";
  readonly attrs: AttrSpec[] = [];
  readonly children = new Map<string, H5Group | DatasetNode>();
  address?: bigint;
  constructor(private readonly file: H5Writer) {}

  attr(name: string, value: AttrValue): this {
    this.attrs.push(attrSpec(name, value));
    return this;
  }

  group(name: string): H5Group {
    this.checkName(name);
    const g = new H5Group(this.file);
    this.children.set(name, g);
    return g;
  }

  /** A whole numeric array as a 1-D dataset, N-D with `shape` (row-major), or a scalar with `shape` null. */
  array(name: string, data: NumericArray, shape: number[] | null = [data.length]): H5Dataset {
    const ds = this.stream(name, dtypeOf(data), shape);
    ds.write(data);
    return ds;
  }

  /** A 1-D boolean dataset stored as h5py's enum (numpy bool on read). */
  bools(name: string, data: Uint8Array, shape: number[] | null = [data.length]): H5Dataset {
    const ds = this.stream(name, "bool", shape);
    ds.write(data);
    return ds;
  }

  /** A variable-length UTF-8 string dataset (1-D, or scalar when `scalar` is true). */
  strings(name: string, values: string[], scalar = false): H5Dataset {
    const elements = this.file.heapStrings(values);
    const ds = this.stream(name, "str", scalar ? null : [values.length]);
    ds.write(elements);
    return ds;
  }

  /** Reserves space for a dataset whose data is written in order by the returned handle. */
  stream(name: string, dtype: Dtype, shape: number[] | null): H5Dataset {
    this.checkName(name);
    const count = shape === null ? 1 : shape.reduce((p, d) => p * d, 1);
    const size = count * ITEM_SIZE[dtype];
    const node: DatasetNode = {
      kind: "dataset",
      attrs: [],
      dtype,
      shape,
      dataAddress: size === 0 ? UNDEF : this.file.reserve(size),
      dataSize: size,
    };
    this.children.set(name, node);
    return new H5Dataset(this.file, node);
  }

  private checkName(name: string) {
    if (!name || name.includes("/")) throw new Error(`invalid HDF5 object name '${name}'`);
    if (this.children.has(name)) throw new Error(`HDF5 object '${name}' written twice`);
  }
}

export class H5Dataset {
  private written = 0;
  constructor(
    private readonly file: H5Writer,
    private readonly node: DatasetNode,
  ) {}

  attr(name: string, value: AttrValue): this {
    this.node.attrs.push(attrSpec(name, value));
    return this;
  }

  /** Appends the next block of elements (must match the dataset's dtype width). */
  write(block: ArrayBufferView): void {
    const bytes = new Uint8Array(block.buffer, block.byteOffset, block.byteLength);
    if (this.written + bytes.length > this.node.dataSize) {
      throw new Error(`more data written than the dataset's declared size (${this.node.dataSize} bytes)`);
    }
    this.file.writeAt(this.node.dataAddress + BigInt(this.written), bytes);
    this.written += bytes.length;
  }

  get complete(): boolean {
    return this.written === this.node.dataSize;
  }
}

export class H5Writer {
  readonly root: H5Group;
  private readonly fd: number;
  private eof = BigInt(SUPERBLOCK_SIZE);
  private closed = false;

  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
    this.root = new H5Group(this);
    // Nothing valid at offset 0 until close(): readers see "not an HDF5 file", never a half file.
    this.writeAt(0n, new Uint8Array(SUPERBLOCK_SIZE));
  }

  reserve(size: number): bigint {
    const at = this.eof;
    this.eof += BigInt(size);
    return at;
  }

  writeAt(address: bigint, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      done += writeSync(this.fd, bytes, done, bytes.length - done, Number(address) + done);
    }
  }

  private append(bytes: Uint8Array): bigint {
    const at = this.reserve(bytes.length);
    this.writeAt(at, bytes);
    return at;
  }

  /** Writes strings into global heap collections; returns their 16-byte vlen references. */
  heapStrings(values: string[]): Uint8Array {
    const refs = Buffer.alloc(values.length * 16);
    const MAX_OBJECTS = 65_000; // heap object indices are 16-bit
    for (let start = 0; start < values.length; start += MAX_OBJECTS) {
      const end = Math.min(values.length, start + MAX_OBJECTS);
      const encoded = values.slice(start, end).map((s) => Buffer.from(s, "utf8"));
      let used = 16;
      for (const e of encoded) if (e.length > 0) used += 16 + Math.ceil(e.length / 8) * 8;
      const size = Math.max(4096, used + 16);
      const b = new Bytes();
      b.bytes(Buffer.from("GCOL", "latin1")).u8(1).zeros(3).u64(size);
      let index = 0;
      const indices: number[] = [];
      for (const e of encoded) {
        if (e.length === 0) {
          indices.push(0);
          continue;
        }
        index += 1;
        indices.push(index);
        b.u16(index)
          .u16(1)
          .u32(0)
          .u64(e.length)
          .bytes(e)
          .zeros(Math.ceil(e.length / 8) * 8 - e.length);
      }
      const free = size - b.length; // the free-space object (index 0) covers the rest, its header included
      b.u16(0)
        .u16(0)
        .u32(0)
        .u64(free)
        .zeros(free - 16);
      const address = this.append(b.done());
      encoded.forEach((e, i) => {
        const o = (start + i) * 16;
        refs.writeUInt32LE(e.length, o);
        refs.writeBigUInt64LE(e.length === 0 ? 0n : address, o + 4);
        refs.writeUInt32LE(indices[i], o + 12);
      });
    }
    return refs;
  }

  private attributeMessage(a: AttrSpec): Buffer {
    const name = Buffer.from(`${a.name}\0`, "utf8");
    const dt = datatypeMessage(a.dtype);
    const ds = dataspaceMessage(a.shape);
    let data: Uint8Array;
    if (a.dtype === "str") data = this.heapStrings(a.values as string[]);
    else {
      const v = a.values as NumericArray;
      data = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    }
    const b = new Bytes();
    b.u8(3).u8(0).u16(name.length).u16(dt.length).u16(ds.length).u8(1);
    return b.bytes(name).bytes(dt).bytes(ds).bytes(data).done();
  }

  private objectHeader(messages: Array<[number, Buffer]>): bigint {
    const body = new Bytes();
    for (const [type, data] of messages) {
      if (data.length > 0xffff) throw new Error("HDF5 header message too large (over 64 KiB)");
      body.u8(type).u16(data.length).u8(0).bytes(data);
    }
    const chunk = body.done();
    const b = new Bytes();
    b.bytes(Buffer.from("OHDR", "latin1")).u8(2).u8(0x02).u32(chunk.length).bytes(chunk);
    const header = b.done();
    const full = Buffer.alloc(header.length + 4);
    header.copy(full);
    full.writeUInt32LE(lookup3(header), header.length);
    return this.append(full);
  }

  private emit(node: H5Group | DatasetNode): bigint {
    const messages: Array<[number, Buffer]> = [];
    if (node.kind === "group") {
      const links: Buffer[] = [];
      for (const [name, child] of node.children) {
        const address = this.emit(child);
        const n = Buffer.from(name, "utf8");
        const lb = new Bytes();
        // version 1; flags: 2-byte name length (bits 0-1 = 1), UTF-8 charset field present (bit 4).
        lb.u8(1).u8(0x11).u8(1).u16(n.length).bytes(n).u64(address);
        links.push(lb.done());
      }
      messages.push([0x02, new Bytes().u8(0).u8(0).u64(UNDEF).u64(UNDEF).done()]); // link info
      messages.push([0x0a, new Bytes().u8(0).u8(0).done()]); // group info
      for (const l of links) messages.push([0x06, l]);
    } else {
      messages.push([0x01, dataspaceMessage(node.shape)]);
      messages.push([0x03, datatypeMessage(node.dtype)]);
      messages.push([0x05, new Bytes().u8(3).u8(0x0a).done()]); // fill value: late allocation, none defined
      messages.push([0x08, new Bytes().u8(3).u8(1).u64(node.dataAddress).u64(node.dataSize).done()]);
    }
    for (const a of node.attrs) messages.push([0x0c, this.attributeMessage(a)]);
    node.address = this.objectHeader(messages);
    return node.address;
  }

  /** Writes all headers and the superblock, fsyncs and closes. */
  close(): void {
    if (this.closed) return;
    const rootAddress = this.emit(this.root);
    const sb = new Bytes();
    sb.bytes(Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]));
    sb.u8(2).u8(8).u8(8).u8(0).u64(0).u64(UNDEF).u64(this.eof).u64(rootAddress);
    const head = sb.done();
    const full = Buffer.alloc(SUPERBLOCK_SIZE);
    head.copy(full);
    full.writeUInt32LE(lookup3(head), head.length);
    this.writeAt(0n, full);
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.closed = true;
  }

  /** Closes the descriptor without producing a valid file (used when a write fails midway). */
  abort(): void {
    if (this.closed) return;
    closeSync(this.fd);
    this.closed = true;
  }
}
