/**
 * 10x Genomics Matrix Market folders: `matrix.mtx` (genes × cells), `genes.tsv` (v2: id, symbol) or
 * `features.tsv` (v3: id, symbol, feature type), `barcodes.tsv`; each plain or gzipped. An optional
 * `metadata.csv` (one row per barcode, as Seurat exports) becomes the cell table.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Dataset } from "../data/dataset.js";
import { type Column, type Frame, takeRows } from "../data/frame.js";
import { csrFromTriplets, csrTranspose } from "../data/sparse.js";
import { checkUnique, DataError } from "./errors.js";
import { readAnnotationTable } from "./table.js";
import { lines } from "./text.js";

function find(dir: string, stems: string[]): string | null {
  for (const stem of stems) {
    for (const ext of ["", ".gz"]) {
      const p = join(dir, stem + ext);
      if (existsSync(p)) return p;
    }
  }
  return null;
}

export function isTenxMtxFolder(dir: string): boolean {
  return statSync(dir).isDirectory() && find(dir, ["matrix.mtx"]) !== null;
}

async function readTsv(path: string): Promise<string[][]> {
  const out: string[][] = [];
  for await (const line of lines(path)) if (line.length > 0) out.push(line.split("\t"));
  return out;
}

/** Reads a Matrix Market coordinate file as a CSR of its own orientation (rows × cols as written). */
export async function readMatrixMarket(path: string) {
  let header: string | null = null;
  let dims: number[] | null = null;
  let rows = new Int32Array(0);
  let cols = new Int32Array(0);
  let vals = new Float32Array(0);
  let k = 0;
  let integer = false;
  let lineNo = 0;
  for await (const line of lines(path)) {
    lineNo++;
    if (header === null) {
      header = line;
      const m = /^%%MatrixMarket\s+matrix\s+coordinate\s+(real|integer|double)\s+general/i.exec(line);
      if (!m)
        throw new DataError(
          path,
          "a Matrix Market header '%%MatrixMarket matrix coordinate integer|real general'",
          `'${line.slice(0, 80)}'`,
          "Is this really a 10x matrix.mtx file?",
        );
      integer = m[1].toLowerCase() === "integer";
      continue;
    }
    if (line.startsWith("%") || line.trim() === "") continue;
    const parts = line.trim().split(/\s+/);
    if (dims === null) {
      dims = parts.map(Number);
      if (dims.length !== 3 || dims.some((d) => !Number.isInteger(d) || d < 0)) {
        throw new DataError(path, "a size line 'rows columns entries'", `'${line}'`);
      }
      rows = new Int32Array(dims[2]);
      cols = new Int32Array(dims[2]);
      vals = new Float32Array(dims[2]);
      continue;
    }
    if (k >= dims[2])
      throw new DataError(path, `${dims[2]} entries (as the size line says)`, `more, at line ${lineNo}`, "The file is inconsistent.");
    const r = Number(parts[0]);
    const c = Number(parts[1]);
    const v = Number(parts[2]);
    if (!Number.isInteger(r) || !Number.isInteger(c) || r < 1 || c < 1 || r > dims[0] || c > dims[1]) {
      throw new DataError(
        path,
        `1-based positions within ${dims[0]} × ${dims[1]}`,
        `'${line}' at line ${lineNo}`,
        "The file is damaged or its size line is wrong.",
      );
    }
    if (!Number.isFinite(v))
      throw new DataError(
        path,
        "a numeric value on every entry line",
        `'${parts[2]}' at line ${lineNo}`,
        "Counts must be numbers (no NA or NaN).",
      );
    if (integer && !Number.isInteger(v)) throw new DataError(path, "integer values (the header says 'integer')", `${v} at line ${lineNo}`);
    rows[k] = r - 1;
    cols[k] = c - 1;
    vals[k] = v;
    k++;
  }
  if (header === null) throw new DataError(path, "a Matrix Market file", "an empty file");
  if (dims === null) throw new DataError(path, "a size line after the header", "none");
  if (k !== dims[2])
    throw new DataError(path, `${dims[2]} entries (as the size line says)`, `${k}`, "The file is truncated; copy it again.");
  return csrFromTriplets(dims[0], dims[1], rows, cols, vals);
}

/**
 * The gene table of a 10x matrix: symbols made unique as the index, ids (and feature types) as columns, and a
 * warning when symbols had to be renamed.
 */
export function tenxGeneTable(ids: string[], symbols: string[], featureTypes?: string[]): { frame: Frame; warnings: string[] } {
  const unique = makeUnique(symbols);
  const renamed = unique.filter((u, i) => u !== symbols[i]).length;
  const warnings =
    renamed > 0
      ? [`${renamed} gene symbols occur more than once; they were made unique by adding -1, -2, … (their ids are kept in var['gene_ids'])`]
      : [];
  const columns = new Map<string, Column>([["gene_ids", { kind: "string", values: ids }]]);
  if (featureTypes) columns.set("feature_types", { kind: "string", values: featureTypes });
  return { frame: { index: unique, columns }, warnings };
}

/** Makes names unique the way anndata's var_names_make_unique does: repeats get -1, -2, … */
export function makeUnique(names: string[]): string[] {
  const seen = new Map<string, number>();
  const taken = new Set(names);
  return names.map((n) => {
    const count = seen.get(n);
    if (count === undefined) {
      seen.set(n, 0);
      return n;
    }
    let i = count + 1;
    while (taken.has(`${n}-${i}`)) i++;
    seen.set(n, i);
    taken.add(`${n}-${i}`);
    return `${n}-${i}`;
  });
}

export async function readTenxMtx(dir: string): Promise<{ dataset: Dataset; warnings: string[] }> {
  const mtx = find(dir, ["matrix.mtx"]);
  const featuresPath = find(dir, ["features.tsv", "genes.tsv"]);
  const barcodesPath = find(dir, ["barcodes.tsv"]);
  if (!mtx || !featuresPath || !barcodesPath) {
    const present = readdirSync(dir).join(", ") || "nothing";
    throw new DataError(dir, "a 10x folder with matrix.mtx, features.tsv (or genes.tsv) and barcodes.tsv", present);
  }
  const features = await readTsv(featuresPath);
  const barcodes = (await readTsv(barcodesPath)).map((r) => r[0]);
  const m = await readMatrixMarket(mtx);
  if (m.nRows !== features.length || m.nCols !== barcodes.length) {
    throw new DataError(
      mtx,
      `${features.length} genes × ${barcodes.length} cells (the lengths of ${featuresPath.split("/").pop()} and ${barcodesPath.split("/").pop()})`,
      `a ${m.nRows} × ${m.nCols} matrix`,
      "The three files do not belong together; use the files from one 10x output folder.",
    );
  }
  checkUnique(barcodesPath, "cell barcodes", barcodes, "Each barcode may appear once; was the file concatenated from several samples?");
  const warnings: string[] = [];
  const ids = features.map((f) => f[0]);
  const symbols = features.map((f) => f[1] ?? f[0]);
  const genes = tenxGeneTable(ids, symbols, features.some((f) => f.length >= 3) ? features.map((f) => f[2] ?? "") : undefined);
  warnings.push(...genes.warnings);
  let obs: Frame = { index: barcodes, columns: new Map() };
  const meta = find(dir, ["metadata.csv"]);
  if (meta) {
    const table = await readAnnotationTable(meta);
    const pos = new Map(table.index.map((n, i) => [n, i]));
    const order = barcodes.map((b) => pos.get(b) ?? -1);
    if (order.some((i) => i < 0)) warnings.push(`metadata.csv does not list every barcode; it was not used`);
    else obs = { index: barcodes, columns: takeRows(table, order).columns };
  }
  const X = csrTranspose(m);
  return {
    dataset: {
      X: { kind: "csr", ...X },
      obs,
      var: genes.frame,
      obsm: new Map(),
      varm: new Map(),
      layers: new Map(),
      uns: {},
    },
    warnings,
  };
}
