/**
 * Brings one or several datasets into one log-normalised cells × genes matrix on their shared genes, with a batch
 * column (the file, or a cell column) and an optional label column — the input of the integration workflow.
 */
import { basename, extname } from "node:path";
import type { Dataset, Matrix } from "../../data/dataset.js";
import { type Csr, csrFromTriplets } from "../../data/sparse.js";
import { DataError } from "../../io/errors.js";
import { type Expression, expressionOf } from "../../pp/expression.js";
import { log1p, normalizeTotal } from "../../pp/normalize.js";
import { rowSums } from "../../pp/stats.js";
import { columnCodes } from "../columns.js";

export interface Combined {
  /** log1p(normalised to 1e4) expression, cells × genes. */
  lognorm: Matrix;
  /** Raw counts when every input had them (seurat_v3 HVG selection needs counts), else null. */
  counts: Matrix | null;
  genes: string[];
  cellNames: string[];
  batch: { codes: Int32Array; categories: string[]; column: string } | null;
  label: { codes: Int32Array; categories: string[]; column: string } | null;
  /** What was read from each file, for the log and the report. */
  sources: { file: string; cells: number; genes: number; source: string; kind: Expression["kind"] }[];
  droppedEmptyCells: number;
  /** Gene names a file lists more than once: the first column of each is kept (the others would reach the result
   *  under the same name and map to the same prior vector). */
  duplicateGenes: string[];
}

const stem = (f: string) => basename(f, extname(f));

/** Codes of several per-file labelings on one shared category list. */
function unify(parts: { codes: Int32Array; categories: string[] }[]): { codes: Int32Array; categories: string[] } {
  const categories = [...new Set(parts.flatMap((p) => p.categories))].sort();
  const index = new Map(categories.map((c, i) => [c, i]));
  const codes = new Int32Array(parts.reduce((n, p) => n + p.codes.length, 0));
  let o = 0;
  for (const p of parts) for (const c of p.codes) codes[o++] = c < 0 ? -1 : index.get(p.categories[c]!)!;
  return { codes, categories };
}

function toCsrRows(m: Matrix): Csr {
  if (m.kind === "csr") return m;
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let r = 0; r < m.nRows; r++)
    for (let c = 0; c < m.nCols; c++) {
      const v = m.values[r * m.nCols + c]!;
      if (v !== 0) {
        rows.push(r);
        cols.push(c);
        vals.push(v);
      }
    }
  return csrFromTriplets(m.nRows, m.nCols, Int32Array.from(rows), Int32Array.from(cols), Float32Array.from(vals));
}

/** Stacks the rows of several matrices, each column remapped by `colOf` (−1: dropped), keeping only `keepRows`. */
function stack(parts: { m: Matrix; colOf: Int32Array; keep: Uint8Array }[], nCols: number): Matrix {
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  let r0 = 0;
  for (const { m, colOf, keep } of parts) {
    const csr = toCsrRows(m);
    for (let r = 0; r < csr.nRows; r++) {
      if (!keep[r]) continue;
      for (let k = csr.indptr[r]!; k < csr.indptr[r + 1]!; k++) {
        const c = colOf[csr.indices[k]!]!;
        if (c >= 0) {
          rows.push(r0);
          cols.push(c);
          vals.push(csr.data[k]!);
        }
      }
      r0++;
    }
  }
  return { kind: "csr", ...csrFromTriplets(r0, nCols, Int32Array.from(rows), Int32Array.from(cols), Float32Array.from(vals)) };
}

/** `name` is how a file appears as a batch (default: its file name without extension). */
export function combine(inputs: { file: string; name?: string; dataset: Dataset }[], o: { batch?: string; label?: string }): Combined {
  const exprs = inputs.map(({ file, dataset }) => expressionOf(dataset, file));
  let shared = new Set(exprs[0]!.genes);
  for (const e of exprs.slice(1)) shared = new Set(e.genes.filter((g) => shared.has(g)));
  const genes = [...new Set(exprs[0]!.genes)].filter((g) => shared.has(g));
  if (genes.length < 50)
    throw new DataError(
      inputs.map((i) => basename(i.file)).join(", "),
      "datasets that share their genes",
      `only ${genes.length} gene names in common`,
      "Check that all files are from the same species and use the same kind of gene ids (symbols or Ensembl).",
    );
  const column = new Map(genes.map((g, i) => [g, i]));
  // A cell with no measured expression cannot be normalised; it is dropped and counted.
  const keeps = exprs.map((e) => {
    const sums = rowSums(e.matrix);
    return Uint8Array.from(sums, (s) => (s > 0 ? 1 : 0));
  });
  const duplicates = new Set<string>();
  const parts = exprs.map((e, i) => {
    const seen = new Set<string>();
    const colOf = Int32Array.from(e.genes, (g) => {
      if (seen.has(g)) {
        duplicates.add(g);
        return -1;
      }
      seen.add(g);
      return column.get(g) ?? -1;
    });
    return { m: e.matrix, colOf, keep: keeps[i]! };
  });
  const allCounts = exprs.every((e) => e.kind === "counts");
  const lognormParts = exprs.map((e, i) => ({ ...parts[i]!, m: e.kind === "lognorm" ? e.matrix : log1p(normalizeTotal(e.matrix)) }));
  const lognorm = stack(lognormParts, genes.length);
  const counts = allCounts ? stack(parts, genes.length) : null;
  const kept = (i: number, values: ArrayLike<number>) => Int32Array.from(Array.from(values).filter((_, r) => keeps[i]![r]));
  const cellNames = inputs.flatMap(({ dataset }, i) => dataset.obs.index.filter((_, r) => keeps[i]![r]));

  // One file: batches from its column. Several: the file, or file × column so equal names in different files stay apart.
  const batchParts = inputs.map(({ file, name = stem(file), dataset }, i) => {
    const c = o.batch ? columnCodes(dataset, o.batch, file) : null;
    const n = keeps[i]!.reduce((a, b) => a + b, 0);
    if (!c) return { codes: new Int32Array(n), categories: [name] };
    const categories = inputs.length > 1 ? c.categories.map((x) => `${name}:${x}`) : c.categories;
    return { codes: kept(i, c.codes), categories };
  });
  const batchU = o.batch || inputs.length > 1 ? unify(batchParts) : null;
  const batch: Combined["batch"] = batchU ? { ...batchU, column: o.batch ?? "batch" } : null;
  let label: Combined["label"] = null;
  if (o.label) {
    const u = unify(
      inputs.map(({ file, dataset }, i) => {
        const c = columnCodes(dataset, o.label!, file);
        return { codes: kept(i, c.codes), categories: c.categories };
      }),
    );
    label = { ...u, column: o.label };
  }
  return {
    lognorm,
    counts,
    genes,
    cellNames: uniqueNames(cellNames),
    batch: batch && batch.categories.length > 1 ? batch : null,
    label,
    sources: inputs.map(({ file }, i) => ({
      file,
      cells: keeps[i]!.reduce((a, b) => a + b, 0),
      genes: exprs[i]!.genes.length,
      source: exprs[i]!.source,
      kind: exprs[i]!.kind,
    })),
    droppedEmptyCells: keeps.reduce((n, k) => n + k.length - k.reduce((a, b) => a + b, 0), 0),
    duplicateGenes: [...duplicates].sort(),
  };
}

/** Cell names made unique across files (anndata's concat appends "-<n>" the same way). */
function uniqueNames(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = seen.get(n) ?? 0;
    seen.set(n, k + 1);
    return k ? `${n}-${k}` : n;
  });
}
