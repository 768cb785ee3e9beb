/** The wizards' column suggestions on real data: curated cell types are preferred to computed clusters. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { describeColumn, suggestColumns } from "../analyses/columns.js";
import { readDataset } from "../io/read.js";
import { PANCREAS, PBMC3K } from "./helpers.js";

async function suggest(file: string) {
  const { dataset } = await readDataset(file);
  return { names: [...dataset.obs.columns.keys()], ...suggestColumns([...dataset.obs.columns].map(([n, c]) => describeColumn(n, c))) };
}

test("PBMC 3k: seurat_annotation is suggested as labels although seurat_clusters comes first", async () => {
  const s = await suggest(PBMC3K);
  assert.ok(s.names.indexOf("seurat_clusters") < s.names.indexOf("seurat_annotation"), `columns: ${s.names.join(", ")}`);
  assert.equal(s.label, "seurat_annotation");
});

test("pancreas: the study is the batch and cellTypes the labels", async () => {
  const s = await suggest(PANCREAS);
  assert.equal(s.label, "cellTypes");
  assert.equal(s.batch, "batch");
});
