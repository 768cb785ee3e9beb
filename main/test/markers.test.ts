/**
 * The statistics behind markers and gene modules, on real data against SciPy and scikit-learn
 * (scripts/interop/markers_reference.py): the normal tail, Benjamini–Hochberg, scanpy-style Wilcoxon rank-sum
 * markers on PBMC 3k, hypergeometric enrichment in the bundled collections, Davies–Bouldin and Calinski–Harabasz.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { rankGenesGroups } from "../analysis/de.js";
import { bundledCollections, enrich, parseGmt, readGmt } from "../analysis/enrichment.js";
import { calinskiHarabasz, daviesBouldin } from "../analysis/metrics/cluster-quality.js";
import { pca } from "../analysis/pca.js";
import { benjaminiHochberg, erfc, normalSf } from "../analysis/stats.js";
import { cellText } from "../data/frame.js";
import { matrixCols } from "../data/subset.js";
import { DataError } from "../io/errors.js";
import { readDataset } from "../io/read.js";
import { log1p, normalizeTotal } from "../pp/normalize.js";
import { PBMC3K, python, tempDir } from "./helpers.js";

async function pbmc() {
  const { dataset } = await readDataset(PBMC3K);
  const X = log1p(normalizeTotal(dataset.X));
  const col = dataset.obs.columns.get("seurat_annotation")!;
  const names = Array.from({ length: X.nRows }, (_, i) => cellText(col, i));
  const groups = [...new Set(names)].sort();
  return { X, genes: dataset.var.index, groups, codes: Int32Array.from(names, (n) => groups.indexOf(n)) };
}

const close = (a: number, b: number, rtol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b)) + 1e-300, `${what}: ${a} vs ${b}`);

test("erfc and the normal tail match SciPy to 1e-13 from 0 to 26; Benjamini–Hochberg as statsmodels' fdr_bh", (t) => {
  const dir = tempDir(t);
  const xs = [0, 0.05, 0.3, 0.7, 1, 1.7, 1.99, 2, 2.01, 3, 4.5, 6, 9, 13, 20, 26, -0.4, -2.5];
  writeFileSync(join(dir, "x.json"), JSON.stringify(xs));
  const ref = python<number[]>("markers_reference.py", "erfc", join(dir, "x.json"));
  for (const [i, x] of xs.entries()) close(erfc(x), ref[i]!, 1e-13, `erfc(${x})`);
  close(2 * normalSf(1.959963984540054), 0.05, 1e-12, "two-sided 5% point");
  assert.deepEqual(Array.from(benjaminiHochberg([0.01, 0.04, 0.03, 0.005])), [0.02, 0.04, 0.04, 0.02]);
  const withNan = benjaminiHochberg([0.5, Number.NaN, 0.01]);
  assert.ok(Number.isNaN(withNan[1]!));
  assert.deepEqual([withNan[0], withNan[2]], [0.5, 0.02]);
});

test("Wilcoxon markers on PBMC 3k agree with scipy's mannwhitneyu and scanpy's fold changes; canonical markers lead", async (t) => {
  const { X, genes, groups, codes } = await pbmc();
  const rows = rankGenesGroups(X, genes, codes, groups);
  assert.equal(rows.length, groups.length * genes.length);
  const sample = ["MS4A1", "CD79A", "CD14", "LYZ", "NKG7", "GNLY", "PPBP", "PF4", "FCGR3A", "CD8A", "IL7R", "FCER1A"]
    .map((g) => genes.indexOf(g))
    .concat(Array.from({ length: 20 }, (_, i) => 5 + i * 97))
    .filter((g, i, all) => g >= 0 && all.indexOf(g) === i)
    .sort((a, b) => a - b);
  assert.ok(sample.length >= 28, "the sampled genes are in the data");
  const dir = tempDir(t);
  const sub = matrixCols(X, Int32Array.from(sample));
  const dense = new Float64Array(sub.nRows * sub.nCols);
  if (sub.kind === "csr")
    for (let r = 0; r < sub.nRows; r++)
      for (let k = sub.indptr[r]!; k < sub.indptr[r + 1]!; k++) dense[r * sub.nCols + sub.indices[k]!] = sub.data[k]!;
  writeFileSync(join(dir, "x.f64"), dense);
  writeFileSync(join(dir, "codes.json"), JSON.stringify(Array.from(codes)));
  const ref = python<[number | null, number][][]>(
    "markers_reference.py",
    "wilcoxon",
    join(dir, "x.f64"),
    String(sub.nRows),
    String(sub.nCols),
    join(dir, "codes.json"),
  );
  const byKey = new Map(rows.map((r) => [`${r.group}|${r.gene}`, r]));
  let compared = 0;
  for (const [gi, grp] of groups.entries())
    for (const [j, g] of sample.entries()) {
      const ours = byKey.get(`${grp}|${genes[g]}`)!;
      const [p, lfc] = ref[gi]![j]!;
      if (p === null) assert.equal(ours.p, 1, `a constant gene scores 0 (p = 1) as in scanpy: ${genes[g]}`);
      else if (p > 1e-290) close(ours.p, p, 1e-6, `p ${grp} ${genes[g]}`);
      close(ours.logfc, lfc, 1e-9, `logfc ${grp} ${genes[g]}`);
      compared++;
    }
  assert.equal(compared, groups.length * sample.length);
  const top = (grp: string, n: number) =>
    rows
      .filter((r) => r.group === grp)
      .slice(0, n)
      .map((r) => r.gene);
  assert.ok(top("B", 5).includes("MS4A1") && top("B", 5).includes("CD79A"), top("B", 5).join(","));
  assert.ok(top("CD14+ Mono", 10).includes("LYZ"), top("CD14+ Mono", 10).join(","));
  assert.ok(
    ["PF4", "GP9", "ITGA2B"].every((g) => top("Platelet", 20).includes(g)),
    top("Platelet", 20).join(","),
  );
  assert.ok(
    ["GNLY", "GZMB", "PRF1"].every((g) => top("NK", 10).includes(g)),
    top("NK", 10).join(","),
  );
  const ppbp = byKey.get("Platelet|PPBP")!;
  assert.ok(ppbp.q < 1e-10 && ppbp.logfc > 5 && ppbp.pctGroup > 0.9 && ppbp.pctRest < 0.1, JSON.stringify(ppbp));
});

test("hypergeometric enrichment equals scipy's hypergeom.sf; platelet markers hit the hallmark coagulation set", async (t) => {
  const human = bundledCollections("human");
  assert.deepEqual(
    human.map((c) => c.id),
    ["go_bp", "go_cc", "go_mf", "hallmark", "reactome"],
  );
  const { X, genes, groups, codes } = await pbmc();
  const platelet = rankGenesGroups(X, genes, codes, groups)
    .filter((r) => r.group === "Platelet" && r.q < 0.05 && r.logfc > 1)
    .slice(0, 40)
    .map((r) => r.gene);
  const rows = await enrich(platelet, genes, human);
  const dir = tempDir(t);
  const first = rows.slice(0, 30);
  writeFileSync(join(dir, "t.json"), JSON.stringify(first.map((r) => [r.overlap.length, r.listSize, r.setSize, r.background])));
  const ref = python<number[]>("markers_reference.py", "hypergeom", join(dir, "t.json"));
  for (const [i, r] of first.entries()) close(r.p, ref[i]!, 1e-6, r.term);
  const coag = rows.find((r) => r.term === "HALLMARK_COAGULATION")!;
  assert.ok(coag.q < 0.05, `coagulation q = ${coag.q}, overlap ${coag.overlap.join(",")}`);
  const goPlatelet = rows.filter((r) => r.collection === "go_bp" && /platelet|coagulation|hemostasis/i.test(r.description) && r.q < 0.05);
  assert.ok(goPlatelet.length > 0, "GO BP platelet/coagulation terms are enriched");
  // A random gene list of the same size is not.
  const random = genes.filter((_, i) => i % 50 === 7).slice(0, platelet.length);
  assert.ok((await enrich(random, genes, human)).every((r) => r.q > 0.05 || r.term !== "HALLMARK_COAGULATION"));
});

test("Davies–Bouldin and Calinski–Harabasz equal scikit-learn on PBMC 3k PCs by cell type", async (t) => {
  const { X, codes } = await pbmc();
  const dims = 20;
  const { embedding } = await pca(X, dims);
  const n = X.nRows;
  const dir = tempDir(t);
  writeFileSync(join(dir, "e.f64"), Float64Array.from(embedding));
  writeFileSync(join(dir, "codes.json"), JSON.stringify(Array.from(codes)));
  const ref = python<{ db: number; ch: number }>(
    "markers_reference.py",
    "quality",
    join(dir, "e.f64"),
    String(n),
    String(dims),
    join(dir, "codes.json"),
  );
  close(daviesBouldin(embedding, n, dims, codes), ref.db, 1e-6, "Davies–Bouldin");
  close(calinskiHarabasz(embedding, n, dims, codes), ref.ch, 1e-6, "Calinski–Harabasz");
});

test("a malformed .gmt is refused with the line and what a GMT looks like", (t) => {
  assert.throws(
    () => parseGmt("SET_A\tdesc\tGENE1\tGENE2\nnot a gene set line\n", "mine.gmt"),
    (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.match(e.message, /mine\.gmt: expected a GMT gene-set file .* line 2/);
      return true;
    },
  );
  const dir = tempDir(t);
  writeFileSync(join(dir, "sets.gmt"), "MY_SET\tmine\tPPBP\tPF4\tGP9\tITGA2B\tTUBB1\n");
  const c = readGmt(join(dir, "sets.gmt"));
  assert.equal(c.id, "sets");
  assert.deepEqual(c.sets[0]!.genes, ["PPBP", "PF4", "GP9", "ITGA2B", "TUBB1"]);
});
