/**
 * AnnData `.h5ad` reader on h5wasm's Node build (the host filesystem, nothing copied into the WASM heap except
 * the slices being read). Follows the AnnData on-disk spec (encoding-type / encoding-version attributes) and the
 * older layouts anndata still reads: h5sparse attributes on X, compound-dataset obs/var with categories in
 * `uns/<column>_categories`.
 *
 * `H5adFile` is a lazy handle: the shape and encodings are known after `open`, and X can be read a row range at
 * a time (CSR and dense); `readH5ad` loads everything.
 */
import { existsSync, statSync } from "node:fs";
import h5wasm, { type Dataset as H5Dataset, type Group as H5Group } from "h5wasm/node";
import type { Dataset, Dense, Json, Matrix } from "../../data/dataset.js";
import type { Column, Frame } from "../../data/frame.js";
import { type Csr, csrProblem, csrTranspose } from "../../data/sparse.js";
import { checkUnique, DataError } from "../errors.js";

export type XEncoding = "csr" | "csc" | "dense";

/** Elements per h5wasm slice: keeps the WASM heap small whatever the file size. */
const SLICE = 4_000_000;

let ready: Promise<unknown> | null = null;
export async function h5Ready(): Promise<void> {
  ready ??= h5wasm.ready;
  await ready;
}

function attr(obj: H5Group | H5Dataset, name: string): unknown {
  const a = obj.attrs[name];
  if (!a) return undefined;
  const v = a.value;
  return typeof v === "bigint" ? Number(v) : v;
}

function encodingOf(obj: H5Group | H5Dataset): string | undefined {
  const e = attr(obj, "encoding-type") ?? attr(obj, "h5sparse_format");
  if (typeof e !== "string") return undefined;
  return e === "csr" || e === "csc" ? `${e}_matrix` : e;
}

function toNumberArray(v: unknown): number[] {
  if (Array.isArray(v)) return v.map(Number);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, Number);
  return [];
}

export class H5adFile {
  private constructor(
    readonly path: string,
    private readonly file: InstanceType<typeof h5wasm.File>,
    readonly nObs: number,
    readonly nVars: number,
    readonly xEncoding: XEncoding,
  ) {}

  static async open(path: string): Promise<H5adFile> {
    if (!existsSync(path)) throw new DataError(path, "an .h5ad file", "no file at this path");
    const size = statSync(path).size;
    if (size === 0) throw new DataError(path, "an .h5ad (HDF5) file", "an empty file (0 bytes)", "The file may not have finished copying.");
    await h5Ready();
    let file: InstanceType<typeof h5wasm.File>;
    try {
      file = new h5wasm.File(path, "r");
    } catch (e) {
      throw new DataError(
        path,
        "a readable HDF5 file",
        `damaged or non-HDF5 content (${(e as Error).message.split("\n")[0]})`,
        "The file may be truncated or corrupt; export it again from scanpy/anndata.",
      );
    }
    if (file.file_id < 0n) {
      throw new DataError(
        path,
        "a readable HDF5 file",
        "content HDF5 could not open",
        "The file may be truncated or corrupt; export it again from scanpy/anndata.",
      );
    }
    try {
      const keys = new Set(file.keys());
      for (const required of ["X", "obs", "var"]) {
        if (!keys.has(required)) {
          throw new DataError(
            path,
            "an AnnData file with X, obs and var",
            `no '${required}' (top-level entries: ${[...keys].join(", ") || "none"})`,
            "Is this a 10x HDF5 file or another HDF5 format? Import it with its own format.",
          );
        }
      }
      const { nRows, nCols, encoding } = H5adFile.describeMatrix(path, file.get("X") as H5Group | H5Dataset, "X");
      return new H5adFile(path, file, nRows, nCols, encoding);
    } catch (e) {
      file.close();
      throw e;
    }
  }

  private static describeMatrix(
    path: string,
    x: H5Group | H5Dataset,
    where: string,
  ): { nRows: number; nCols: number; encoding: XEncoding } {
    if (x instanceof h5wasm.Dataset) {
      const shape = x.shape ?? [];
      if (shape.length !== 2) throw new DataError(path, `a 2-D matrix in ${where}`, `a dataset of shape [${shape.join(", ")}]`);
      return { nRows: shape[0], nCols: shape[1], encoding: "dense" };
    }
    const enc = encodingOf(x);
    if (enc !== "csr_matrix" && enc !== "csc_matrix") {
      throw new DataError(path, `a CSR, CSC or dense matrix in ${where}`, `encoding '${enc ?? "none"}'`);
    }
    const shape = toNumberArray(attr(x, "shape") ?? attr(x, "h5sparse_shape"));
    if (shape.length !== 2) throw new DataError(path, `a 'shape' attribute of two numbers on ${where}`, `[${shape.join(", ")}]`);
    for (const part of ["data", "indices", "indptr"]) {
      if (!(x.get(part) instanceof h5wasm.Dataset)) throw new DataError(path, `${where}/${part} in a sparse matrix`, "it is missing");
    }
    const indptrLen = (x.get("indptr") as H5Dataset).shape?.[0] ?? 0;
    const major = enc === "csr_matrix" ? shape[0] : shape[1];
    if (indptrLen !== major + 1) {
      throw new DataError(
        path,
        `${where}/indptr of length ${major + 1} for shape ${shape[0]} × ${shape[1]}`,
        `length ${indptrLen}`,
        "The matrix is inconsistent (shape and indptr disagree); the file is damaged.",
      );
    }
    return { nRows: shape[0], nCols: shape[1], encoding: enc === "csr_matrix" ? "csr" : "csc" };
  }

  close(): void {
    this.file.close();
  }

  has(path: string): boolean {
    try {
      return this.file.get(path) != null;
    } catch {
      return false;
    }
  }

  /** Reads a 1-D dataset range in bounded slices, into one typed array. */
  private readRange(ds: H5Dataset, start: number, end: number): ArrayLike<number | bigint> | string[] {
    const n = end - start;
    if (n <= SLICE) return (ds.slice([[start, end]]) ?? []) as ArrayLike<number>;
    let out: (ArrayLike<number | bigint> & { set?: (a: ArrayLike<number | bigint>, o: number) => void }) | null = null;
    for (let s = start; s < end; s += SLICE) {
      const part = ds.slice([[s, Math.min(end, s + SLICE)]]) as unknown as ArrayLike<number> & {
        constructor: new (n: number) => ArrayLike<number>;
      };
      out ??= new part.constructor(n);
      (out as unknown as { set(a: ArrayLike<number>, o: number): void }).set(part, s - start);
    }
    return out ?? [];
  }

  private numeric(ds: H5Dataset, start = 0, end = ds.shape?.[0] ?? 0): ArrayLike<number | bigint> {
    const v = this.readRange(ds, start, end);
    if (Array.isArray(v)) throw new DataError(this.path, `numbers in ${ds.path}`, "text");
    return v;
  }

  private matrixGroup(where: string): H5Group | H5Dataset {
    const x = this.file.get(where);
    if (!x) throw new DataError(this.path, `a matrix at '${where}'`, "nothing there");
    return x as H5Group | H5Dataset;
  }

  /** Rows [start, end) of the matrix at `where` (X, a layer, or raw/X). CSC is read whole, then sliced. */
  readRows(start: number, end: number, where = "X"): Matrix {
    const x = this.matrixGroup(where);
    const { nRows, nCols, encoding } = H5adFile.describeMatrix(this.path, x, where);
    if (start < 0 || end > nRows || start > end) throw new RangeError(`rows ${start}…${end} outside 0…${nRows}`);
    if (encoding === "dense") {
      const ds = x as H5Dataset;
      const values = toFloat((ds.slice([[start, end], []]) ?? []) as ArrayLike<number>);
      if (values.length !== (end - start) * nCols)
        throw new DataError(this.path, `${(end - start) * nCols} values in ${where}`, `${values.length}`);
      return { kind: "dense", nRows: end - start, nCols, values };
    }
    const g = x as H5Group;
    if (encoding === "csc") {
      const full = this.readSparse(g, nRows, 0, nCols, where);
      const csr = csrTranspose(full);
      return start === 0 && end === nRows ? { kind: "csr", ...csr } : { kind: "csr", ...sliceCsrRows(csr, start, end) };
    }
    return { kind: "csr", ...this.readSparse(g, nCols, start, end, where) };
  }

  /** Reads major-axis range [start, end) of a compressed sparse group as CSR of shape (end - start) × minor. */
  private readSparse(g: H5Group, nMinor: number, start: number, end: number, where: string): Csr {
    const indptrDs = g.get("indptr") as H5Dataset;
    const ip = this.numeric(indptrDs, start, end + 1);
    const indptr = new Float64Array(end - start + 1);
    const base = Number(ip[0]);
    for (let i = 0; i <= end - start; i++) indptr[i] = Number(ip[i]) - base;
    const dataDs = g.get("data") as H5Dataset;
    const indicesDs = g.get("indices") as H5Dataset;
    const nnzTotal = dataDs.shape?.[0] ?? 0;
    const lo = base;
    const hi = Number(ip[end - start]);
    if (hi > nnzTotal || (indicesDs.shape?.[0] ?? 0) !== nnzTotal) {
      throw new DataError(
        this.path,
        `${where}/indptr within the ${nnzTotal} stored values`,
        `it points to ${hi} (indices has ${indicesDs.shape?.[0]})`,
        "The matrix is inconsistent; the file is damaged.",
      );
    }
    const data = toFloat32(this.numeric(dataDs, lo, hi));
    const idx = this.numeric(indicesDs, lo, hi);
    const indices = idx instanceof Int32Array ? idx : Int32Array.from(idx as ArrayLike<number>, Number);
    const m: Csr = { nRows: end - start, nCols: nMinor, indptr, indices, data };
    const problem = csrProblem(m);
    if (problem) throw new DataError(this.path, `a consistent sparse matrix in ${where}`, problem, "The file is damaged; export it again.");
    return m;
  }

  readX(): Matrix {
    return this.readRows(0, this.nObs);
  }

  readFrame(where: "obs" | "var" | "raw/var"): Frame {
    const node = this.file.get(where);
    if (node instanceof h5wasm.Dataset) return this.readLegacyFrame(node, where);
    const g = node as H5Group;
    const indexKey = String(attr(g, "_index") ?? "_index");
    const indexDs = g.get(indexKey);
    if (!(indexDs instanceof h5wasm.Dataset)) throw new DataError(this.path, `an index column '${indexKey}' in ${where}`, "it is missing");
    const index = (indexDs.value as unknown[]).map(String);
    const order = attr(g, "column-order");
    // The index may also be listed as an ordinary column (anndata keeps both when a column was set as index).
    const names = Array.isArray(order) ? order.map(String) : [];
    for (const k of g.keys()) if (k !== indexKey && k !== "__categories" && !names.includes(k)) names.push(k);
    const columns = new Map<string, Column>();
    const legacyCats = g.get("__categories") as H5Group | null;
    for (const name of names) {
      const col = g.get(name) as H5Group | H5Dataset | null;
      if (!col) continue;
      const c = this.readColumn(col, legacyCats?.get?.(name) as H5Dataset | undefined, `${where}/${name}`);
      if (c && lengthOf(c) === index.length) columns.set(name, c);
      else if (c)
        throw new DataError(
          this.path,
          `${index.length} values in ${where}/${name}`,
          `${lengthOf(c)}`,
          "The table is inconsistent; the file is damaged.",
        );
    }
    return { index, columns };
  }

  private readColumn(col: H5Group | H5Dataset, legacyCategories: H5Dataset | undefined, where: string): Column | null {
    const enc = encodingOf(col);
    if (col instanceof h5wasm.Dataset) {
      const meta = col.metadata as { type: number; enum_type?: { members: Record<string, number> } };
      const v = col.value;
      if (meta.enum_type && meta.enum_type.members.TRUE === 1 && meta.enum_type.members.FALSE === 0) {
        return { kind: "bool", values: Uint8Array.from(v as ArrayLike<number>) };
      }
      if (Array.isArray(v)) return { kind: "string", values: v.map(String) };
      if (legacyCategories) {
        // anndata < 0.7: integer codes in the column, categories in __categories/<name>.
        return {
          kind: "categorical",
          codes: Int32Array.from(v as ArrayLike<number>, Number),
          categories: (legacyCategories.value as unknown[]).map(String),
          ordered: Boolean(attr(legacyCategories, "ordered")),
        };
      }
      if (ArrayBuffer.isView(v)) return { kind: "numeric", values: v as unknown as Float64Array };
      return null;
    }
    if (enc === "categorical") {
      const codes = col.get("codes") as H5Dataset;
      const cats = col.get("categories") as H5Dataset;
      return {
        kind: "categorical",
        codes: Int32Array.from(codes.value as ArrayLike<number>, Number),
        categories: (cats.value as unknown[]).map(String),
        ordered: Boolean(attr(col, "ordered")),
      };
    }
    if (enc === "nullable-integer" || enc === "nullable-boolean") {
      const values = Array.from((col.get("values") as H5Dataset).value as ArrayLike<number | bigint>, Number);
      const mask = (col.get("mask") as H5Dataset).value as ArrayLike<number>;
      if (enc === "nullable-integer") return { kind: "numeric", values: Float64Array.from(values, (x, i) => (mask[i] ? Number.NaN : x)) };
      const codes = Int32Array.from(values, (x, i) => (mask[i] ? -1 : x ? 1 : 0));
      return { kind: "categorical", codes, categories: ["False", "True"], ordered: false };
    }
    throw new DataError(this.path, `a supported column encoding in ${where}`, `'${enc ?? "unknown"}'`);
  }

  /** anndata < 0.7 stored obs/var as one compound dataset, with categories in uns/<column>_categories. */
  private readLegacyFrame(ds: H5Dataset, where: string): Frame {
    const meta = ds.metadata as { compound_type?: { members: Array<{ name: string }> } };
    const members = meta.compound_type?.members.map((m) => m.name) ?? [];
    if (members.length === 0) throw new DataError(this.path, `a table in ${where}`, "a dataset that is not a table");
    const rows = ds.value as unknown[][];
    const col = (j: number) => rows.map((r) => r[j]);
    const indexJ = members.indexOf("index");
    const index = col(indexJ >= 0 ? indexJ : 0).map(String);
    const columns = new Map<string, Column>();
    members.forEach((name, j) => {
      if (j === (indexJ >= 0 ? indexJ : 0)) return;
      const values = col(j);
      const cats = this.file.get(`uns/${name}_categories`);
      if (cats instanceof h5wasm.Dataset) {
        columns.set(name, {
          kind: "categorical",
          codes: Int32Array.from(values as number[], Number),
          categories: (cats.value as unknown[]).map(String),
          ordered: false,
        });
      } else if (values.every((v) => typeof v === "number" || typeof v === "bigint")) {
        columns.set(name, { kind: "numeric", values: Float64Array.from(values as number[], Number) });
      } else columns.set(name, { kind: "string", values: values.map(String) });
    });
    return { index, columns };
  }

  private readDenseMap(where: "obsm" | "varm"): Map<string, Dense> {
    const out = new Map<string, Dense>();
    const g = this.file.get(where);
    if (!(g instanceof h5wasm.Group)) return out;
    for (const k of g.keys()) {
      const ds = g.get(k);
      if (!(ds instanceof h5wasm.Dataset)) continue; // sparse or dataframe entries are not embeddings
      const shape = ds.shape ?? [];
      if (shape.length !== 2) continue;
      out.set(k, { nRows: shape[0], nCols: shape[1], values: toFloat(ds.value as ArrayLike<number>) });
    }
    return out;
  }

  readObsm(): Map<string, Dense> {
    return this.readDenseMap("obsm");
  }

  readVarm(): Map<string, Dense> {
    return this.readDenseMap("varm");
  }

  layerNames(): string[] {
    const g = this.file.get("layers");
    return g instanceof h5wasm.Group ? g.keys() : [];
  }

  readUns(): { [k: string]: Json } {
    const g = this.file.get("uns");
    return g instanceof h5wasm.Group ? (readJson(g) as { [k: string]: Json }) : {};
  }

  /** Reads the whole dataset into memory. */
  readAll(): Dataset {
    const obs = this.readFrame("obs");
    const vars = this.readFrame("var");
    if (obs.index.length !== this.nObs) throw new DataError(this.path, `${this.nObs} cell names (rows of X)`, `${obs.index.length}`);
    if (vars.index.length !== this.nVars) throw new DataError(this.path, `${this.nVars} gene names (columns of X)`, `${vars.index.length}`);
    checkUnique(
      this.path,
      "cell barcodes",
      obs.index,
      "Two cells share a name; make names unique (e.g. prefix the sample) before importing.",
    );
    const layers = new Map<string, Matrix>();
    for (const name of this.layerNames()) layers.set(name, this.readRows(0, this.nObs, `layers/${name}`));
    let raw: Dataset["raw"];
    if (this.has("raw/X")) raw = { X: this.readRows(0, this.nObs, "raw/X"), var: this.readFrame("raw/var") };
    return { X: this.readX(), obs, var: vars, obsm: this.readObsm(), varm: this.readVarm(), layers, raw, uns: this.readUns() };
  }
}

function lengthOf(c: Column): number {
  return c.kind === "categorical" ? c.codes.length : c.values.length;
}

function toFloat(v: ArrayLike<number | bigint>): Float32Array | Float64Array {
  if (v instanceof Float32Array || v instanceof Float64Array) return v;
  return Float64Array.from(v as ArrayLike<number>, Number);
}

function toFloat32(v: ArrayLike<number | bigint>): Float32Array {
  if (v instanceof Float32Array) return v;
  return Float32Array.from(v as ArrayLike<number>, Number);
}

function sliceCsrRows(m: Csr, start: number, end: number): Csr {
  const a = m.indptr[start];
  const b = m.indptr[end];
  return {
    nRows: end - start,
    nCols: m.nCols,
    indptr: m.indptr.slice(start, end + 1).map((x) => x - a),
    indices: m.indices.slice(a, b),
    data: m.data.slice(a, b),
  };
}

const UNS_MAX_ELEMENTS = 100_000;

function readJson(node: H5Group | H5Dataset): Json {
  if (node instanceof h5wasm.Dataset) {
    const size = (node.shape ?? []).reduce((p, d) => p * d, 1);
    if (size > UNS_MAX_ELEMENTS) return `<array of ${size} values not loaded>`;
    const v = node.json_value;
    return (v ?? null) as Json;
  }
  const out: { [k: string]: Json } = {};
  for (const k of node.keys()) {
    const child = node.get(k);
    if (child instanceof h5wasm.Group || child instanceof h5wasm.Dataset) out[k] = readJson(child);
  }
  return out;
}

export function readH5ad(path: string): Promise<Dataset> {
  return withH5ad(path, (f) => f.readAll());
}

/** Opens `path`, reads what `read` takes from it, and closes it. */
export async function withH5ad<T>(path: string, read: (h: H5adFile) => T): Promise<T> {
  const f = await H5adFile.open(path);
  try {
    return read(f);
  } finally {
    f.close();
  }
}
