import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import type { Dataset } from "../data/dataset.js";
import { readH5ad } from "../io/h5ad/read.js";
import { readDataset } from "../io/read.js";
import { PBMC_SMALL, PBMC_SMALL_MTX, PBMC3K, PBMC3K_MTX, PY, tempDir } from "./helpers.js";

function assertSameMatrix(a: Dataset, b: Dataset) {
  assert.equal(a.X.kind, "csr");
  assert.equal(b.X.kind, "csr");
  if (a.X.kind !== "csr" || b.X.kind !== "csr") return;
  assert.deepEqual(b.X.indptr, a.X.indptr);
  assert.deepEqual(b.X.indices, a.X.indices);
  assert.deepEqual(b.X.data, a.X.data);
  assert.deepEqual(b.obs.index, a.obs.index);
  assert.deepEqual(b.var.index, a.var.index);
}

test("pbmc3k: the 10x mtx folder and the h5ad agree exactly (X, barcodes, genes, labels)", async () => {
  const mtx = await readDataset(PBMC3K_MTX);
  assert.equal(mtx.report.format, "10x-mtx");
  const h5 = await readH5ad(PBMC3K);
  assertSameMatrix(h5, mtx.dataset);
  const a = h5.obs.columns.get("seurat_annotation");
  const b = mtx.dataset.obs.columns.get("seurat_annotation");
  assert.ok(a?.kind === "categorical" && b?.kind === "categorical");
  assert.deepEqual(
    Array.from(b.codes, (c) => b.categories[c]),
    Array.from(a.codes, (c) => a.categories[c]),
  );
});

test("v3 layout: gzipped features.tsv.gz / barcodes.tsv.gz / matrix.mtx.gz read the same as plain v2", async (t) => {
  const dir = join(tempDir(t), "filtered_feature_bc_matrix");
  mkdirSync(dir);
  const genes = readFileSync(join(PBMC_SMALL_MTX, "genes.tsv"), "utf8").trimEnd().split("\n");
  const features = genes.map((l, i) => `ENSG${String(i).padStart(11, "0")}\t${l.split("\t")[1]}\tGene Expression`).join("\n");
  writeFileSync(join(dir, "features.tsv.gz"), gzipSync(`${features}\n`));
  writeFileSync(join(dir, "barcodes.tsv.gz"), gzipSync(readFileSync(join(PBMC_SMALL_MTX, "barcodes.tsv"))));
  writeFileSync(join(dir, "matrix.mtx.gz"), gzipSync(readFileSync(join(PBMC_SMALL_MTX, "matrix.mtx"))));
  const v3 = await readDataset(dir);
  const v2 = await readDataset(PBMC_SMALL_MTX);
  assertSameMatrix(v2.dataset, v3.dataset);
  const ids = v3.dataset.var.columns.get("gene_ids");
  assert.ok(ids?.kind === "string" && ids.values[0] === "ENSG00000000000");
  assert.equal(v3.dataset.var.columns.get("feature_types")?.kind, "string");
});

test("10x HDF5 (CellRanger v3 layout written by h5py) reads the same as the mtx folder", async (t) => {
  const out = join(tempDir(t), "filtered_feature_bc_matrix.h5");
  const script = `
import h5py, numpy as np, scipy.io, sys
d = sys.argv[1]
m = scipy.io.mmread(d + '/matrix.mtx').tocsc()
genes = [l.split('\\t') for l in open(d + '/genes.tsv').read().strip().split('\\n')]
barcodes = open(d + '/barcodes.tsv').read().split()
with h5py.File(sys.argv[2], 'w') as f:
    g = f.create_group('matrix')
    g['barcodes'] = np.array(barcodes, dtype='S')
    g['data'] = m.data.astype(np.int32)
    g['indices'] = m.indices.astype(np.int64)
    g['indptr'] = m.indptr.astype(np.int64)
    g['shape'] = np.array(m.shape, dtype=np.int32)
    ft = g.create_group('features')
    ft['id'] = np.array(['ID' + x[0] for x in genes], dtype='S')
    ft['name'] = np.array([x[1] for x in genes], dtype='S')
    ft['feature_type'] = np.array(['Gene Expression'] * len(genes), dtype='S')
    ft['genome'] = np.array(['GRCh38'] * len(genes), dtype='S')
`;
  execFileSync(PY, ["-c", script, PBMC_SMALL_MTX, out]);
  const h5 = await readDataset(out);
  assert.equal(h5.report.format, "10x-h5");
  const mtx = await readDataset(PBMC_SMALL_MTX);
  assertSameMatrix(mtx.dataset, h5.dataset);
  const small = await readH5ad(PBMC_SMALL);
  assert.deepEqual(h5.dataset.obs.index, small.obs.index);
});

test("a lone matrix.mtx is refused with a pointer to its folder", async (t) => {
  const f = join(tempDir(t), "matrix.mtx");
  copyFileSync(join(PBMC_SMALL_MTX, "matrix.mtx"), f);
  await assert.rejects(readDataset(f), /whole 10x folder.*Import the folder/);
});
