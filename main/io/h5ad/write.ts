/**
 * AnnData `.h5ad` writer (on-disk spec as written by anndata 0.8: dataframe 0.2.0, csr_matrix 0.1.0,
 * categorical 0.2.0, string-array 0.2.0, dict 0.1.0). Written to `<path>.tmp-<pid>` and renamed into place, so a
 * reader never sees a half-written file. Large X streams in row blocks with a progress callback.
 */
import { renameSync, rmSync } from "node:fs";
import type { Dataset, Dense, Json, Matrix } from "../../data/dataset.js";
import type { Column, Frame } from "../../data/frame.js";
import { writeError } from "../disk.js";
import { type H5Group, H5Writer } from "../hdf5/writer.js";

export interface WriteProgress {
  phase: "write";
  done: number;
  total: number;
}

export interface WriteOptions {
  onProgress?: (p: WriteProgress) => void;
  /** Rows of X per block (bounds the memory of one write call). */
  blockRows?: number;
}

function tag(node: { attr(name: string, v: string): unknown }, type: string, version: string) {
  node.attr("encoding-type", type);
  node.attr("encoding-version", version);
}

function writeColumn(g: H5Group, name: string, c: Column) {
  switch (c.kind) {
    case "string":
      tag(g.strings(name, c.values), "string-array", "0.2.0");
      return;
    case "bool":
      tag(g.bools(name, c.values), "array", "0.2.0");
      return;
    case "numeric":
      tag(g.array(name, c.values), "array", "0.2.0");
      return;
    case "categorical": {
      const cg = g.group(name);
      tag(cg, "categorical", "0.2.0");
      cg.attr("ordered", c.ordered);
      // anndata picks the smallest signed integer type that holds the codes.
      const n = c.categories.length;
      const codes = n < 128 ? Int8Array.from(c.codes) : n < 32768 ? Int16Array.from(c.codes) : c.codes;
      tag(cg.array("codes", codes), "array", "0.2.0");
      tag(cg.strings("categories", c.categories), "string-array", "0.2.0");
    }
  }
}

export function writeFrame(parent: H5Group, name: string, f: Frame): void {
  const g = parent.group(name);
  tag(g, "dataframe", "0.2.0");
  g.attr("_index", "_index");
  g.attr("column-order", [...f.columns.keys()]);
  tag(g.strings("_index", f.index), "string-array", "0.2.0");
  for (const [k, c] of f.columns) writeColumn(g, k, c);
}

function writeMatrix(parent: H5Group, name: string, m: Matrix, opts: WriteOptions, progress: { done: number; total: number }) {
  if (m.kind === "dense") {
    tag(parent.array(name, m.values, [m.nRows, m.nCols]), "array", "0.2.0");
    return;
  }
  const g = parent.group(name);
  tag(g, "csr_matrix", "0.1.0");
  g.attr("shape", BigInt64Array.of(BigInt(m.nRows), BigInt(m.nCols)));
  const nnz = m.indptr[m.nRows];
  const data = g.stream("data", "f4", [nnz]);
  const indices = g.stream("indices", "i4", [nnz]);
  const block = opts.blockRows ?? 4096;
  for (let r = 0; r < m.nRows; r += block) {
    const end = Math.min(m.nRows, r + block);
    data.write(m.data.subarray(m.indptr[r], m.indptr[end]));
    indices.write(m.indices.subarray(m.indptr[r], m.indptr[end]));
    progress.done += end - r;
    opts.onProgress?.({ phase: "write", done: progress.done, total: progress.total });
  }
  // anndata/scipy use int32 indptr when it fits and int64 beyond.
  const indptr = nnz < 2 ** 31 ? Int32Array.from(m.indptr) : BigInt64Array.from(m.indptr, (x) => BigInt(x));
  g.array("indptr", indptr);
}

function writeDenseMap(parent: H5Group, name: string, items: Map<string, Dense>) {
  const g = parent.group(name);
  tag(g, "dict", "0.1.0");
  for (const [k, d] of items) tag(g.array(k, d.values, [d.nRows, d.nCols]), "array", "0.2.0");
}

function writeJson(parent: H5Group, name: string, v: Json | undefined) {
  if (v === null || v === undefined) return; // like anndata, which cannot store None
  if (typeof v === "string") tag(parent.strings(name, [v], true), "string", "0.2.0");
  else if (typeof v === "number") tag(parent.array(name, Float64Array.of(v), null), "numeric-scalar", "0.2.0");
  else if (typeof v === "boolean") tag(parent.bools(name, Uint8Array.of(v ? 1 : 0), null), "array", "0.2.0");
  else if (Array.isArray(v)) {
    if (v.every((x) => typeof x === "number")) tag(parent.array(name, Float64Array.from(v as number[])), "array", "0.2.0");
    else
      tag(
        parent.strings(
          name,
          v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))),
        ),
        "string-array",
        "0.2.0",
      );
  } else {
    const g = parent.group(name);
    tag(g, "dict", "0.1.0");
    for (const [k, x] of Object.entries(v)) writeJson(g, k, x);
  }
}

/** Writes `d` to `path` atomically (temp file, fsync, rename). */
export function writeH5ad(path: string, d: Dataset, opts: WriteOptions = {}): void {
  const tmp = `${path}.tmp-${process.pid}`;
  let w: H5Writer | undefined;
  try {
    // Created inside the try: a full disk can refuse the file itself, and its empty temp file must still go.
    w = new H5Writer(tmp);
    const root = w.root;
    tag(root, "anndata", "0.1.0");
    const total = d.X.nRows * (1 + d.layers.size + (d.raw ? 1 : 0));
    const progress = { done: 0, total };
    writeMatrix(root, "X", d.X, opts, progress);
    writeFrame(root, "obs", d.obs);
    writeFrame(root, "var", d.var);
    writeDenseMap(root, "obsm", d.obsm);
    writeDenseMap(root, "varm", d.varm);
    tag(root.group("obsp"), "dict", "0.1.0");
    tag(root.group("varp"), "dict", "0.1.0");
    const layers = root.group("layers");
    tag(layers, "dict", "0.1.0");
    for (const [k, m] of d.layers) writeMatrix(layers, k, m, opts, progress);
    if (d.raw) {
      const raw = root.group("raw");
      tag(raw, "raw", "0.1.0");
      writeMatrix(raw, "X", d.raw.X, opts, progress);
      writeFrame(raw, "var", d.raw.var);
      tag(raw.group("varm"), "dict", "0.1.0");
    }
    const uns = root.group("uns");
    tag(uns, "dict", "0.1.0");
    for (const [k, v] of Object.entries(d.uns)) writeJson(uns, k, v);
    w.close();
    renameSync(tmp, path);
  } catch (e) {
    w?.abort();
    rmSync(tmp, { force: true });
    throw writeError(path, e);
  }
}
