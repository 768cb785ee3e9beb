/**
 * The paper's markers result (§4.3, Fig. 4) on PBMC 3k with the Seurat tutorial's labels, end to end: sciLaMA trained
 * with the bundled prior, then gene modules on its contextual gene embeddings (default 15 neighbours, resolution 1).
 *
 * Training is shortened for CI (the Standard preset capped at 60 epochs per step, 800 highly variable genes: about
 * 5 minutes on 2 cores instead of 20). Of the canonical markers, MS4A1, CD14 and MS4A7 are then not among the 800
 * genes (seurat_v3 ranks 1,101, 1,492 and 939 of 1,871); the full Standard run on all genes placed MS4A1 with CD79A
 * in the B-cell module and CD14 with LYZ in the CD14+ monocyte module (README, "Markers and gene modules").
 * FCGR3A (CD16) is expressed by NK cells as much as by FCGR3A+ monocytes and joins the NK module in every run we
 * measured; it is asserted to be in a module of one of the two.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { writeIntegration } from "../analyses/integrate/export.js";
import { priorChoice } from "../analyses/integrate/gene-inputs.js";
import { integrate } from "../analyses/integrate/workflow.js";
import { markers } from "../analyses/markers/workflow.js";
import { PBMC3K, tempDir } from "./helpers.js";

const CANONICAL: Record<string, string[]> = {
  B: ["MS4A1", "CD79A", "CD79B"],
  "CD14+ Mono": ["CD14", "LYZ", "S100A8"],
  NK: ["NKG7", "GNLY", "GZMB"],
  Platelet: ["PPBP", "PF4"],
  "FCGR3A+ Mono": ["FCGR3A", "MS4A7"],
};

test("PBMC 3k: canonical markers fall in modules of their cell type, sit tighter than in the static prior, and the PPBP module is enriched for platelet terms", async (t) => {
  const dir = tempDir(t);
  const r = await integrate({
    files: [PBMC3K],
    label: "seurat_annotation",
    prior: priorChoice(["bundled"], "prior"),
    preset: "standard",
    hyper: { maxEpochs: 60 },
    seed: 1,
    hvg: 800,
    baselines: [],
  });
  assert.equal(r.main.status, "completed");
  const file = join(dir, "pbmc3k.h5ad");
  writeIntegration(r, file);

  const m = await markers({ file, groupby: "seurat_annotation", markerSets: CANONICAL });
  const where = (gene: string) => {
    const i = m.genes.indexOf(gene);
    return i < 0 ? null : m.associations[m.contextual.module[i]!]!;
  };
  const placed: string[] = [];
  for (const [type, genes] of Object.entries(CANONICAL))
    for (const g of genes) {
      const a = where(g);
      if (!a) continue;
      placed.push(`${g} → module ${a.module} (${a.group})`);
      if (g === "FCGR3A") assert.ok(["NK", "FCGR3A+ Mono"].includes(a.group), `FCGR3A's module marks ${a.group}`);
      else assert.equal(a.group, type, `${g}'s module marks ${a.group}, not ${type} (${placed.join("; ")})`);
    }
  assert.equal(placed.length, 10, `the 800 genes hold 10 of the 13 canonical markers: ${placed.join("; ")}`);
  // Markers of one cell type share a module: the paper's point that context groups them.
  for (const [a, b] of [
    ["CD79A", "CD79B"],
    ["NKG7", "GNLY"],
    ["PPBP", "PF4"],
    ["LYZ", "S100A8"],
  ] as const)
    assert.equal(where(a)!.module, where(b)!.module, `${a} and ${b} share a module`);

  const q = m.quality;
  assert.ok(q.contextual && q.prior, "both embeddings are scored on the marker sets");
  assert.equal(q.contextual.genes, 10);
  // Measured (seed 1): contextual 0.181, static prior 0.853.
  assert.ok(
    q.contextual.daviesBouldin < q.prior.daviesBouldin,
    `Davies–Bouldin contextual ${q.contextual.daviesBouldin} vs prior ${q.prior.daviesBouldin}`,
  );
  assert.ok(q.contextual.calinskiHarabasz > q.prior.calinskiHarabasz);

  const platelet = where("PPBP")!;
  assert.equal(platelet.group, "Platelet");
  const terms = m.enrichment.filter((e) => e.module === platelet.module && e.q < 0.05);
  const hits = terms.filter((e) => /platelet|coagulation|hemostasis|clotting/i.test(`${e.term} ${e.description}`));
  assert.ok(hits.length >= 3, `platelet/coagulation terms at q < 0.05: ${hits.map((e) => `${e.term} ${e.q}`).join("; ")}`);
});
