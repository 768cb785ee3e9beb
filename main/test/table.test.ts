import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Dataset } from "../data/dataset.js";
import { csrToDense } from "../data/sparse.js";
import { readH5ad } from "../io/h5ad/read.js";
import { readDataset } from "../io/read.js";
import { PBMC_SMALL, tempDir } from "./helpers.js";

function dense(d: Dataset): Float32Array {
  return d.X.kind === "csr" ? csrToDense(d.X) : Float32Array.from(d.X.values);
}

async function writeTables(dir: string) {
  const d = await readH5ad(PBMC_SMALL);
  const X = dense(d);
  const [n, g] = [d.X.nRows, d.X.nCols];
  const cellsByGenes = [
    ["cell", ...d.var.index].join(","),
    ...d.obs.index.map((c, r) => [c, ...Array.from(X.subarray(r * g, (r + 1) * g))].join(",")),
  ].join("\n");
  const genesByCells = [
    ["gene", ...d.obs.index].join("\t"),
    ...d.var.index.map((gene, j) => [gene, ...Array.from({ length: n }, (_, r) => X[r * g + j])].join("\t")),
  ].join("\n");
  writeFileSync(join(dir, "cells_by_genes.csv"), `${cellsByGenes}\n`);
  writeFileSync(join(dir, "genes_by_cells.tsv"), `${genesByCells}\n`);
  return { d, X };
}

test("CSV/TSV tables: orientation is detected from gene names, reported, and gives the same matrix", async (t) => {
  const dir = tempDir(t);
  const { d, X } = await writeTables(dir);
  for (const [file, orientation] of [
    ["cells_by_genes.csv", "cells-by-genes"],
    ["genes_by_cells.tsv", "genes-by-cells"],
  ] as const) {
    const r = await readDataset(join(dir, file));
    assert.equal(r.report.format, "table");
    assert.equal(r.report.orientation, orientation);
    assert.match(r.report.orientationReason ?? "", /% of the (row|column) names look like gene identifiers/);
    assert.deepEqual(r.dataset.obs.index, d.obs.index);
    assert.deepEqual(r.dataset.var.index, d.var.index);
    assert.deepEqual(dense(r.dataset), X);
  }
});

test("the orientation can be overridden", async (t) => {
  const dir = tempDir(t);
  const { d } = await writeTables(dir);
  const r = await readDataset(join(dir, "genes_by_cells.tsv"), { orientation: "cells-by-genes" });
  assert.equal(r.report.orientationReason, "set by you");
  assert.equal(r.dataset.X.nRows, d.X.nCols);
  assert.equal(r.dataset.X.nCols, d.X.nRows);
});
