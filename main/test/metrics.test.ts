/**
 * main/analysis: the scran.js wrappers (PCA, kNN, Leiden, UMAP, MNN) and the scib integration metrics, checked on
 * real data against scikit-learn / NumPy / SciPy references (scripts/interop/metrics_reference.py).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Rng } from "../../native-models/index.js";
import { adjustedRandIndex } from "../analysis/ari.js";
import { leiden } from "../analysis/leiden.js";
import {
  batchAsw,
  cellTypeAsw,
  clisiFrom,
  clusterOptimal,
  ilisiFrom,
  integrationMetrics,
  lisiNeighbourhoods,
  lisiScores,
  normalizedMutualInfo,
  silhouetteSamples,
} from "../analysis/metrics/index.js";
import { mnnCorrect } from "../analysis/mnn.js";
import { knn } from "../analysis/neighbors.js";
import { pca } from "../analysis/pca.js";
import { umap } from "../analysis/umap.js";
import type { Matrix } from "../data/dataset.js";
import { cellText } from "../data/frame.js";
import { matrixCols } from "../data/subset.js";
import { readDataset } from "../io/read.js";
import { hvgSeurat } from "../pp/hvg.js";
import { log1p, normalizeTotal } from "../pp/normalize.js";
import { CELLBENCH, PBMC3K, python, tempDir } from "./helpers.js";

interface Loaded {
  X: Matrix;
  obs: (name: string) => string[];
}

async function load(path: string): Promise<Loaded> {
  const { dataset } = await readDataset(path);
  const X = log1p(normalizeTotal(dataset.X));
  return {
    X,
    obs: (name) => {
      const col = dataset.obs.columns.get(name);
      assert.ok(col, `obs column ${name}`);
      return Array.from({ length: X.nRows }, (_, i) => cellText(col, i));
    },
  };
}

const dense = (m: Matrix): Float32Array => {
  if (m.kind === "dense") return Float32Array.from(m.values);
  const out = new Float32Array(m.nRows * m.nCols);
  for (let r = 0; r < m.nRows; r++) for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) out[r * m.nCols + m.indices[k]] = m.data[k];
  return out;
};
const f64File = (dir: string, name: string, x: Float64Array | Float32Array) => {
  const p = join(dir, name);
  writeFileSync(p, Buffer.from(Float64Array.from(x).buffer));
  return p;
};
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

// Shared real inputs: pbmc3k (2,638 cells, 9 Seurat cell types) and CellBench (499 cells, 3 cell lines × 2 protocols).
const pbmc = await load(PBMC3K);
const pbmcLabels = pbmc.obs("seurat_annotation");
const PBMC_DIMS = 30;
const pbmcPca = await pca(pbmc.X, PBMC_DIMS);
const pbmcCells = pbmc.X.nRows;

const cb = await load(CELLBENCH);
const cbLabels = cb.obs("cell_line");
const cbBatches = cb.obs("dataset");
const cbHvg = hvgSeurat(cb.X, 2000).highlyVariable;
const CB_DIMS = 20;
const cbPca = await pca(cb.X, CB_DIMS, { features: cbHvg, scale: true });
const cbCells = cb.X.nRows;

interface MetricsRef {
  nmi?: number;
  ari?: number;
  asw?: number;
  silhouette_samples?: number[];
  batch_asw?: number | null;
  clisi?: number;
  ilisi?: number;
  clisi_per_cell?: number[];
  ilisi_per_cell?: number[];
  graph_edges: number;
  path_distances_first_cell: number[];
  path_neighbours_first_cell: number[];
}

test("PCA equals the eigen-decomposition of the same centred matrix in NumPy, up to sign (pbmc3k, CellBench scaled)", async (t) => {
  const dir = tempDir(t);
  const pbmcHvg = hvgSeurat(pbmc.X, 500).highlyVariable;
  const cases: { name: string; X: Matrix; res: typeof pbmcPca; scale: boolean }[] = [
    { name: "pbmc3k 500 HVGs", X: matrixCols(pbmc.X, indicesOf(pbmcHvg)), res: await pca(pbmc.X, 30, { features: pbmcHvg }), scale: false },
    { name: "cellbench 2000 HVGs scaled", X: matrixCols(cb.X, indicesOf(cbHvg)), res: cbPca, scale: true },
  ];
  for (const c of cases) {
    const m = join(dir, `${c.name.replaceAll(" ", "_")}.f32`);
    writeFileSync(m, Buffer.from(dense(c.X).buffer));
    const emb = f64File(dir, `${c.name.replaceAll(" ", "_")}-pca.f64`, c.res.embedding);
    const ref = python<{ variance: number[]; total_variance: number; max_rel_score_diff: number[] }>(
      "metrics_reference.py",
      "pca",
      m,
      String(c.X.nRows),
      String(c.X.nCols),
      emb,
      String(c.res.nPcs),
      c.scale ? "1" : "0",
    );
    const varDiff = Array.from(c.res.varianceExplained, (v, k) => Math.abs(v - ref.variance[k]!) / ref.variance[k]!);
    const scoreDiff = ref.max_rel_score_diff;
    t.diagnostic(
      `${c.name}: PC variance rel. diff max ${Math.max(...varDiff).toExponential(2)}; score max rel. diff PCs 1–10 ${Math.max(...scoreDiff.slice(0, 10)).toExponential(2)}, all ${Math.max(...scoreDiff).toExponential(2)}`,
    );
    // IRLBA (scran) is exact to rounding for the leading PCs and close for the trailing ones
    for (let k = 0; k < c.res.nPcs; k++) {
      assert.ok(varDiff[k]! < 1e-4, `${c.name} PC${k + 1} variance differs by ${varDiff[k]}`);
      assert.ok(scoreDiff[k]! < (k < 10 ? 1e-4 : 1e-2), `${c.name} PC${k + 1} scores differ by ${scoreDiff[k]}`);
    }
    assert.ok(Math.abs(c.res.totalVariance - ref.total_variance) < 1e-6 * ref.total_variance, `${c.name} total variance`);
    assert.ok(Math.abs(c.res.varianceRatio[0]! - ref.variance[0]! / ref.total_variance) < 1e-6);
  }
});

test("pbmc3k: NMI, ARI, ASW and cLISI equal scikit-learn / the NumPy scib re-implementation", async (t) => {
  const dir = tempDir(t);
  const m = await integrationMetrics(pbmcPca.embedding, pbmcCells, PBMC_DIMS, { labels: pbmcLabels });
  assert.ok(m.clusters && m.nmi !== null && m.ari !== null && m.asw !== null && m.clisi !== null && m.resolution !== null);
  const emb = f64File(dir, "emb.f64", pbmcPca.embedding);
  const inputs = join(dir, "inputs.json");
  writeFileSync(inputs, JSON.stringify({ labels: pbmcLabels, batches: null, clusters: Array.from(m.clusters) }));
  const ref = python<MetricsRef>("metrics_reference.py", "metrics", emb, String(pbmcCells), String(PBMC_DIMS), inputs);
  assert.ok(Math.abs(m.nmi - ref.nmi!) < 1e-12, `NMI ${m.nmi} vs sklearn ${ref.nmi}`);
  assert.ok(Math.abs(m.ari - ref.ari!) < 1e-12, `ARI ${m.ari} vs sklearn ${ref.ari}`);
  const s = silhouetteSamples(pbmcPca.embedding, pbmcCells, PBMC_DIMS, pbmcLabels);
  assert.ok(maxAbsDiff(s, ref.silhouette_samples!) < 1e-9, "silhouette samples");
  assert.ok(Math.abs(m.asw - ref.asw!) < 1e-9, `ASW ${m.asw} vs ${ref.asw}`);
  // LISI: same graph, same neighbourhoods, same per-cell scores
  const nb = await lisiNeighbourhoods(pbmcPca.embedding, pbmcCells, PBMC_DIMS);
  assert.deepEqual(Array.from(nb.indices.subarray(0, 90)), ref.path_neighbours_first_cell);
  assert.ok(maxAbsDiff(nb.distances.subarray(0, 90), ref.path_distances_first_cell) < 1e-12);
  const codes = Int32Array.from(pbmcLabels, (l) => [...new Set(pbmcLabels)].sort().indexOf(l));
  const perCell = lisiScores(nb, codes, 9);
  assert.ok(maxAbsDiff(perCell, ref.clisi_per_cell!) < 1e-9, "per-cell cLISI");
  assert.ok(Math.abs(m.clisi - ref.clisi!) < 1e-9, `cLISI ${m.clisi} vs ${ref.clisi}`);
  // scib's resolution search picked the best NMI over 0.1…2.0
  assert.ok(m.nmi > 0.7, `NMI ${m.nmi}`);
  t.diagnostic(
    `pbmc3k PCA ${PBMC_DIMS}: NMI ${m.nmi.toFixed(4)} ARI ${m.ari.toFixed(4)} (res ${m.resolution}) ASW ${m.asw.toFixed(4)} cLISI ${m.clisi.toFixed(4)}; ${JSON.stringify(m.seconds)}`,
  );
});

test("CellBench: batch ASW, iLISI and cLISI equal the NumPy scib re-implementation; MNN mixes the protocols", async (t) => {
  const dir = tempDir(t);
  const m = await integrationMetrics(cbPca.embedding, cbCells, CB_DIMS, { labels: cbLabels, batches: cbBatches });
  const emb = f64File(dir, "emb.f64", cbPca.embedding);
  const inputs = join(dir, "inputs.json");
  writeFileSync(inputs, JSON.stringify({ labels: cbLabels, batches: cbBatches, clusters: Array.from(m.clusters!) }));
  const ref = python<MetricsRef>("metrics_reference.py", "metrics", emb, String(cbCells), String(CB_DIMS), inputs);
  assert.ok(Math.abs(m.nmi! - ref.nmi!) < 1e-12 && Math.abs(m.ari! - ref.ari!) < 1e-12);
  assert.ok(Math.abs(m.asw! - ref.asw!) < 1e-9, `ASW ${m.asw} vs ${ref.asw}`);
  assert.ok(Math.abs(m.batchAsw! - ref.batch_asw!) < 1e-9, `batch ASW ${m.batchAsw} vs ${ref.batch_asw}`);
  assert.ok(Math.abs(m.ilisi! - ref.ilisi!) < 1e-9, `iLISI ${m.ilisi} vs ${ref.ilisi}`);
  assert.ok(Math.abs(m.clisi! - ref.clisi!) < 1e-9, `cLISI ${m.clisi} vs ${ref.clisi}`);
  const nb = await lisiNeighbourhoods(cbPca.embedding, cbCells, CB_DIMS);
  const batchCodes = Int32Array.from(cbBatches, (b) => [...new Set(cbBatches)].sort().indexOf(b));
  assert.ok(maxAbsDiff(lisiScores(nb, batchCodes, 2), ref.ilisi_per_cell!) < 1e-9, "per-cell iLISI");

  const corrected = await mnnCorrect(cbPca.embedding, cbCells, CB_DIMS, cbBatches);
  const after = await integrationMetrics(corrected, cbCells, CB_DIMS, { labels: cbLabels, batches: cbBatches });
  t.diagnostic(
    `CellBench PCA: batchASW ${m.batchAsw!.toFixed(4)} iLISI ${m.ilisi!.toFixed(4)} ASW ${m.asw!.toFixed(4)} cLISI ${m.clisi!.toFixed(4)} NMI ${m.nmi!.toFixed(4)}; ` +
      `after MNN: batchASW ${after.batchAsw!.toFixed(4)} iLISI ${after.ilisi!.toFixed(4)} ASW ${after.asw!.toFixed(4)} cLISI ${after.clisi!.toFixed(4)} NMI ${after.nmi!.toFixed(4)}`,
  );
  assert.ok(after.batchAsw! > m.batchAsw! + MNN_BATCH_ASW_GAIN, `batch ASW ${m.batchAsw} → ${after.batchAsw}`);
  assert.ok(after.ilisi! > m.ilisi! + MNN_ILISI_GAIN, `iLISI ${m.ilisi} → ${after.ilisi}`);
  assert.ok(after.clisi! > 0.9, `cell lines stay apart after MNN (cLISI ${after.clisi})`);
});

// Measured gains of MNN on this CellBench PCA (see the diagnostic), asserted with a margin.
const MNN_BATCH_ASW_GAIN = 0.15; // measured 0.680 → 0.915
const MNN_ILISI_GAIN = 0.5; // measured 0.002 → 0.912

test("iLISI is ≈ 1 for batches mixed at random and 0 for batches that are fully apart; batch ASW likewise", async () => {
  const n = 600;
  const d = 5;
  const rng = new Rng(3);
  const x = new Float64Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const mixed = Int32Array.from({ length: n }, (_, i) => i % 2);
  const nb = await lisiNeighbourhoods(x, n, d);
  // random batches: every neighbourhood is mixed up to sampling noise (Simpson over ~30 effective neighbours)
  const mixedScore = ilisiFrom(nb, mixed);
  assert.ok(mixedScore > 0.85, `mixed iLISI ${mixedScore}`);
  assert.ok(batchAsw(x, n, d, mixed, new Int32Array(n)) > 0.95);
  // the same cloud twice, far apart, one batch each
  const apart = new Float64Array(2 * n * d);
  apart.set(x);
  for (let i = 0; i < n * d; i++) apart[n * d + i] = x[i]! + 100;
  const batch = Int32Array.from({ length: 2 * n }, (_, i) => (i < n ? 0 : 1));
  const nb2 = await lisiNeighbourhoods(apart, 2 * n, d);
  assert.equal(ilisiFrom(nb2, batch), 0);
  assert.equal(clisiFrom(nb2, batch), 1);
  assert.ok(cellTypeAsw(apart, 2 * n, d, batch) > 0.95);
  assert.ok(batchAsw(apart, 2 * n, d, batch, new Int32Array(2 * n)) < 0.05);
});

test("NMI follows scikit-learn's special cases", () => {
  assert.equal(normalizedMutualInfo([0, 0, 0], [1, 1, 1]), 1);
  assert.equal(normalizedMutualInfo([0, 1, 0, 1], [5, 5, 5, 5]), 0);
  assert.equal(normalizedMutualInfo(["a", "b", "c"], [2, 0, 1]), 1);
  assert.throws(() => normalizedMutualInfo([0, 1], [0]), /different lengths/);
});

test("Leiden on pbmc3k PCA recovers the Seurat cell types; seeds give reproducible alternatives", async (t) => {
  const clusters = await leiden(pbmcPca.embedding, pbmcCells, PBMC_DIMS, { resolution: 1 });
  const ari = adjustedRandIndex(clusters, pbmcLabels);
  t.diagnostic(`Leiden resolution 1: ${Math.max(...clusters) + 1} clusters, ARI vs Seurat labels ${ari.toFixed(4)}`);
  assert.ok(ari > 0.55, `ARI ${ari}`);
  const again = await leiden(pbmcPca.embedding, pbmcCells, PBMC_DIMS, { resolution: 1 });
  assert.deepEqual(again, clusters);
  const graph = await knn(pbmcPca.embedding, pbmcCells, PBMC_DIMS, 15);
  assert.deepEqual(await leiden(graph, { resolution: 1 }), clusters, "a precomputed exact kNN gives the same clusters");
  const s1 = await leiden(pbmcPca.embedding, pbmcCells, PBMC_DIMS, { resolution: 1, seed: 1 });
  assert.deepEqual(await leiden(pbmcPca.embedding, pbmcCells, PBMC_DIMS, { resolution: 1, seed: 1 }), s1);
  assert.ok(adjustedRandIndex(s1, pbmcLabels) > 0.55);
  const coarse = await leiden(pbmcPca.embedding, pbmcCells, PBMC_DIMS, { resolution: 0.2 });
  assert.ok(Math.max(...coarse) < Math.max(...clusters), "lower resolution, fewer clusters");
  const best = await clusterOptimal(pbmcPca.embedding, pbmcCells, PBMC_DIMS, pbmcLabels, { resolutions: [0.2, 0.5, 1] });
  assert.equal(best.nmi, Math.max(...best.scores.map((s) => s.nmi)));
});

test("UMAP gives finite coordinates that keep cell-type neighbourhoods, the same on every run", async (t) => {
  const coords = await umap(pbmcPca.embedding, pbmcCells, PBMC_DIMS, { epochs: 200 });
  assert.equal(coords.length, pbmcCells * 2);
  assert.ok(coords.every(Number.isFinite));
  const nn = await knn(coords, pbmcCells, 2, 15);
  let same = 0;
  for (let i = 0; i < pbmcCells; i++) for (let j = 0; j < 15; j++) if (pbmcLabels[nn.indices[i * 15 + j]!] === pbmcLabels[i]) same++;
  const agreement = same / (pbmcCells * 15);
  t.diagnostic(`15-NN label agreement in UMAP space ${agreement.toFixed(4)}`);
  assert.ok(agreement > 0.8, `kNN label agreement in UMAP space ${agreement}`);
  assert.deepEqual(await umap(pbmcPca.embedding, pbmcCells, PBMC_DIMS, { epochs: 200 }), coords);
});

test("integration metrics without labels or batches report null for what does not apply", async () => {
  // 100 cells of each protocol
  const pick = [...Array.from({ length: 100 }, (_, i) => i), ...Array.from({ length: 100 }, (_, i) => cbCells - 1 - i)];
  const n = pick.length;
  const x = new Float64Array(n * CB_DIMS);
  for (const [r, c] of pick.entries()) x.set(cbPca.embedding.subarray(c * CB_DIMS, (c + 1) * CB_DIMS), r * CB_DIMS);
  const batches = pick.map((c) => cbBatches[c]!);
  const labels = pick.map((c) => cbLabels[c]!);
  assert.equal(new Set(batches).size, 2);
  const onlyBatches = await integrationMetrics(x, n, CB_DIMS, { batches });
  assert.equal(onlyBatches.ari, null);
  assert.equal(onlyBatches.asw, null);
  assert.equal(onlyBatches.clisi, null);
  assert.ok(onlyBatches.ilisi !== null && onlyBatches.batchAsw !== null);
  const onlyLabels = await integrationMetrics(x, n, CB_DIMS, { labels });
  assert.equal(onlyLabels.batchAsw, null);
  assert.equal(onlyLabels.ilisi, null);
  assert.ok(onlyLabels.nmi !== null && onlyLabels.clisi !== null);
  const none = await integrationMetrics(x, n, CB_DIMS);
  assert.deepEqual([none.ari, none.nmi, none.asw, none.batchAsw, none.ilisi, none.clisi], [null, null, null, null, null, null]);
});

test("invalid inputs fail with a clear message", async () => {
  const x = new Float64Array(20);
  await assert.rejects(knn(x, 10, 2, 10), /k = 10 needs more than 10 cells/);
  await assert.rejects(knn(x, 10, 3, 2), /has 20 values, expected cells × dims = 10 × 3 = 30/);
  const bad = x.slice();
  bad[7] = Number.NaN;
  await assert.rejects(umap(bad, 10, 2), /NaN value at cell 3, dimension 1/);
  await assert.rejects(leiden(bad, 10, 2), /NaN/);
  await assert.rejects(mnnCorrect(x, 10, 2, new Int32Array(10), { k: 3 }), /at least 2 batches/);
  await assert.rejects(mnnCorrect(x, 10, 2, new Int32Array(9), { k: 3 }), /the batch has 9 entries for 10 cells/);
  await assert.rejects(pca(pbmc.X, 5000), /at most min\(cells, genes\) − 1 = 1999/);
  assert.throws(() => silhouetteSamples(x, 10, 2, new Int32Array(10)), /between 2 and cells − 1/);
  assert.throws(() => silhouetteSamples(x, 10, 2, [0, 1]), /2 entries for 10 cells/);
  await assert.rejects(leiden(x, 10, 2, { resolution: -1 }), /resolution must be a positive number/);
});

function indicesOf(mask: Uint8Array): Int32Array {
  const out: number[] = [];
  mask.forEach((v, i) => {
    if (v) out.push(i);
  });
  return Int32Array.from(out);
}
