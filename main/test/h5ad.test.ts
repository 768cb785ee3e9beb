import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { type Dataset, matrixNnz } from "../data/dataset.js";
import { csrToDense } from "../data/sparse.js";
import { H5adFile, readH5ad } from "../io/h5ad/read.js";
import { writeH5ad } from "../io/h5ad/write.js";
import { CELLBENCH, data, KANG, PBMC_SMALL, PBMC3K, python, tempDir } from "./helpers.js";

const SHAPES: Array<[string, number, number, number | null]> = [
  [PBMC3K, 2638, 2000, 514_442],
  [PBMC_SMALL, 80, 230, 4456],
  [CELLBENCH, 499, 15_073, 3_129_363],
  [KANG, 2000, 9015, 1_129_806],
  [data("pancreas", "cepo_sce_pancreas_528cells_1403genes_3batches.h5ad"), 528, 1403, 544_181],
  [data("hsmm", "hsmm_271cells_fpkm.h5ad"), 271, 47_192, 2_006_221],
  [data("osmfish", "osmfish_gimvi_4530cells_33genes.h5ad"), 4530, 33, null],
];

for (const [file, cells, genes, nnz] of SHAPES) {
  test(`reads ${file.split("/").pop()} as ${cells} × ${genes}`, async () => {
    const d = await readH5ad(file);
    assert.equal(d.X.nRows, cells);
    assert.equal(d.X.nCols, genes);
    assert.equal(d.obs.index.length, cells);
    assert.equal(d.var.index.length, genes);
    if (nnz !== null) assert.equal(matrixNnz(d.X), nnz);
  });
}

test("shared datasets carry the labels their README promises", async () => {
  const pbmc = await readH5ad(PBMC3K);
  const ann = pbmc.obs.columns.get("seurat_annotation");
  assert.equal(ann?.kind, "categorical");
  if (ann?.kind !== "categorical") return;
  assert.equal(ann.categories.length, 9);
  const naive = ann.codes.filter((c) => ann.categories[c] === "Naive CD4 T").length;
  assert.equal(naive, 697);
  assert.deepEqual(pbmc.obsm.get("X_umap")?.nCols, 2);
  assert.ok(pbmc.layers.has("lognorm_seurat"));

  const osm = await readH5ad(data("osmfish", "osmfish_gimvi_4530cells_33genes.h5ad"));
  assert.equal(osm.X.kind, "dense");
  const spatial = osm.obsm.get("spatial");
  assert.equal(spatial?.nRows, 4530);
  assert.equal(spatial?.nCols, 2);
  assert.ok(spatial && Number.isFinite(spatial.values[0]) && spatial.values.some((v) => v !== 0));

  const cb = await readH5ad(CELLBENCH);
  const batch = cb.obs.columns.get("dataset");
  assert.equal(batch?.kind, "categorical");
  assert.equal(cb.obs.columns.get("outliers")?.kind, "bool");
});

test("row-range reads equal the same rows of a full read (CSR and dense)", async () => {
  for (const file of [CELLBENCH, data("osmfish", "osmfish_gimvi_4530cells_33genes.h5ad")]) {
    const f = await H5adFile.open(file);
    try {
      const full = f.readX();
      const part = f.readRows(100, 137);
      assert.equal(part.nRows, 37);
      const dense = (m: typeof full) => (m.kind === "csr" ? csrToDense(m) : Float32Array.from(m.values));
      const all = dense(full);
      assert.deepEqual(dense(part), all.subarray(100 * full.nCols, 137 * full.nCols));
    } finally {
      f.close();
    }
  }
});

function assertSameDataset(a: Dataset, b: Dataset) {
  assert.equal(a.X.kind, b.X.kind);
  if (a.X.kind === "csr" && b.X.kind === "csr") {
    assert.deepEqual(b.X.indptr, a.X.indptr);
    assert.deepEqual(b.X.indices, a.X.indices);
    assert.deepEqual(b.X.data, a.X.data);
  }
  assert.deepEqual(b.obs.index, a.obs.index);
  assert.deepEqual(b.var.index, a.var.index);
  assert.deepEqual([...b.obs.columns.keys()], [...a.obs.columns.keys()]);
  for (const [k, c] of a.obs.columns) {
    const other = b.obs.columns.get(k);
    assert.equal(other?.kind, c.kind, k);
    if (c.kind === "numeric" && other?.kind === "numeric")
      assert.deepEqual(Array.from(other.values as ArrayLike<number>, Number), Array.from(c.values as ArrayLike<number>, Number), k);
    else assert.deepEqual(other, c, k);
  }
  assert.deepEqual([...b.obsm.keys()], [...a.obsm.keys()]);
  assert.deepEqual([...b.layers.keys()], [...a.layers.keys()]);
}

test("write → read round trip keeps X, obs, var, obsm and layers", async (t) => {
  const dir = tempDir(t);
  for (const file of [PBMC3K, CELLBENCH]) {
    const d = await readH5ad(file);
    const out = join(dir, "rt.h5ad");
    writeH5ad(out, d);
    assertSameDataset(d, await readH5ad(out));
  }
});

interface Interop {
  X_identical: boolean;
  obs_problems: string[];
  var_problems: string[];
  obsm_identical: boolean;
  layers_identical: boolean;
  shape: number[];
}

test("anndata (Debian python3-anndata) reads what we write identically to the original", async (t) => {
  const dir = tempDir(t);
  for (const file of [
    PBMC3K,
    CELLBENCH,
    data("osmfish", "osmfish_gimvi_4530cells_33genes.h5ad"),
    data("hsmm", "hsmm_271cells_fpkm.h5ad"),
  ]) {
    const d = await readH5ad(file);
    const out = join(dir, "interop.h5ad");
    writeH5ad(out, d);
    const r = python<Interop>("compare_h5ad.py", file, out);
    assert.ok(r.X_identical, `${file}: X differs`);
    assert.deepEqual(r.obs_problems, [], `${file}: obs`);
    assert.deepEqual(r.var_problems, [], `${file}: var`);
    assert.ok(r.obsm_identical && r.layers_identical, `${file}: obsm/layers`);
    assert.deepEqual(r.shape, [d.X.nRows, d.X.nCols]);
  }
});
