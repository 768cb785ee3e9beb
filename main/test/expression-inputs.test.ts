// What the integration workflow starts from: counts, log-normalised values in raw (scanpy's usual layout with a
// scaled X), and files it must refuse; and several files combined on their shared genes with a batch per file.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { combine } from "../analyses/integrate/combine.js";
import type { Dataset } from "../data/dataset.js";
import { matrixCols, matrixRows, subset } from "../data/subset.js";
import { DataError } from "../io/errors.js";
import { writeH5ad } from "../io/h5ad/write.js";
import { readDataset } from "../io/read.js";
import { expressionOf } from "../pp/expression.js";
import { log1p, normalizeTotal } from "../pp/normalize.js";
import { scale } from "../pp/scale.js";
import { CELLBENCH, PANCREAS, PBMC_SMALL, tempDir } from "./helpers.js";

const scanpyLayout = (d: Dataset): Dataset => {
  const lognorm = log1p(normalizeTotal(d.X));
  return { ...d, X: { kind: "dense", ...scale(lognorm, 10).scaled }, raw: { X: lognorm, var: d.var }, layers: new Map() };
};

test("a scanpy file with scaled X and log-normalised raw is read from raw, not mistaken for counts", async (t) => {
  const { dataset } = await readDataset(PBMC_SMALL);
  const path = join(tempDir(t), "scanpy.h5ad");
  writeH5ad(path, scanpyLayout(dataset));
  const e = expressionOf((await readDataset(path)).dataset, path);
  assert.equal(e.kind, "lognorm");
  assert.equal(e.source, "raw.X");
  assert.equal(e.matrix.nCols, dataset.X.nCols);
  // Counts are preferred when the file has them.
  assert.equal(expressionOf(dataset, PBMC_SMALL).kind, "counts");
});

test("scaled values without counts or log-normalised data are refused with what was found and what to do", async () => {
  const { dataset } = await readDataset(PBMC_SMALL);
  const s = scanpyLayout(dataset);
  delete s.raw;
  assert.throws(
    () => expressionOf(s, "scaled.h5ad"),
    (e: unknown) =>
      e instanceof DataError &&
      /X: negative values \(scaled or batch-corrected data\)/.test(e.message) &&
      /layers\['counts'\]/.test(e.message),
  );
});

test("non-integer linear-scale values (the pancreas studies' estimated counts) are normalised like counts", async () => {
  const { dataset } = await readDataset(PANCREAS);
  const e = expressionOf(dataset, PANCREAS);
  assert.equal(e.kind, "linear");
  const c = combine([{ file: PANCREAS, dataset }], { batch: "batch" });
  assert.equal(c.counts, null); // seurat_v3 gene selection needs integer counts; the workflow falls back to seurat
  // Each cell is normalised to 1e4 before log1p: expm1 of a row sums to 1e4.
  const row = matrixRows(c.lognorm, Int32Array.of(7));
  const values = row.kind === "csr" ? row.data : row.values;
  const total = Array.from(values).reduce((s, v) => s + Math.expm1(v), 0);
  assert.ok(Math.abs(total - 1e4) < 1, `row total ${total}`);
  assert.deepEqual(c.batch?.categories, ["batch 1", "batch 4", "batch 5"]);
});

test("two files combine on shared genes with one batch per file and labels unified across them", async (t) => {
  const { dataset } = await readDataset(CELLBENCH);
  const proto = dataset.obs.columns.get("dataset");
  assert.ok(proto?.kind === "categorical");
  const dir = tempDir(t);
  const files = proto.categories.map((name, b) => {
    const rows = [...proto.codes.keys()].filter((i) => proto.codes[i] === b);
    // The second file lacks the first 100 genes, and holds log-normalised values instead of counts.
    let part = subset(dataset, rows, b === 0 ? undefined : [...Array(dataset.X.nCols - 100).keys()].map((j) => j + 100));
    if (b === 1) part = { ...part, X: log1p(normalizeTotal(part.X)) };
    const file = join(dir, `${name}.h5ad`);
    writeH5ad(file, part);
    return { file, rows };
  });
  const inputs = await Promise.all(files.map(async ({ file }) => ({ file, dataset: (await readDataset(file)).dataset })));
  const c = combine(inputs, { label: "cell_line" });
  assert.equal(c.genes.length, dataset.X.nCols - 100);
  assert.equal(c.lognorm.nRows, dataset.X.nRows);
  assert.equal(c.counts, null, "one input had no counts");
  assert.deepEqual(c.batch?.categories, [...proto.categories].sort());
  assert.deepEqual(
    c.sources.map((s) => s.kind),
    ["counts", "lognorm"],
  );
  // Row r of the combined matrix is the same cell, with the same log-normalised values on the shared genes.
  const first = files[0]!.rows;
  const expect = log1p(normalizeTotal(matrixRows(dataset.X, [first[3]!])));
  const col = dataset.var.index.indexOf(c.genes[0]!);
  const got = c.lognorm.kind === "csr" ? c.lognorm : null;
  assert.ok(got && expect.kind === "csr");
  const rowVal = (m: typeof got, r: number, j: number) => {
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) if (m.indices[k] === j) return m.data[k]!;
    return 0;
  };
  assert.ok(Math.abs(rowVal(got, 3, 0) - rowVal(expect, 0, col)) < 1e-5);
  const lab = dataset.obs.columns.get("cell_line");
  assert.ok(lab?.kind === "categorical");
  assert.equal(c.label?.categories[c.label.codes[3]!], lab.categories[lab.codes[first[3]!]!]);
});

test("a gene name listed twice reaches the result once, with its first column's values, and is reported", async () => {
  const { dataset } = await readDataset(PBMC_SMALL);
  const names = [...dataset.var.index];
  const dup = names[3]!;
  names[10] = dup;
  names[20] = dup;
  const d: Dataset = { ...dataset, var: { ...dataset.var, index: names } };
  const c = combine([{ file: "dup.h5ad", dataset: d }], {});
  assert.equal(new Set(c.genes).size, c.genes.length, "gene names are unique");
  assert.equal(c.genes.length, names.length - 2);
  assert.equal(c.lognorm.nCols, c.genes.length);
  assert.deepEqual(c.duplicateGenes, [dup]);
  // The kept column is the first one (column 3 of the file), normalised over the whole cell as the file gave it.
  const expect = log1p(normalizeTotal(dataset.X));
  const got = matrixCols(c.lognorm, [c.genes.indexOf(dup)]);
  const want = matrixCols(expect, [3]);
  const dense = (m: typeof got) =>
    Array.from({ length: m.nRows }, (_, r) => {
      if (m.kind === "dense") return m.values[r]!;
      return m.indptr[r + 1]! > m.indptr[r]! ? m.data[m.indptr[r]!]! : 0;
    });
  assert.deepEqual(
    dense(got).map((v) => v.toFixed(5)),
    dense(want).map((v) => v.toFixed(5)),
  );
  assert.ok(
    dense(want).some((v) => v > 0),
    "the gene is expressed somewhere",
  );
});
