/**
 * npm run bench:markers — markers and gene modules on PBMC 3k (2,638 cells, the Seurat-tutorial labels): integrates
 * it with sciLaMA as the acceptance test does (Standard preset capped at 60 epochs per step, 800 highly variable genes;
 * or reads SCILAMA_BENCH_RESULT, an existing result .h5ad), then times the
 * markers workflow step by step: reading, Wilcoxon markers (9 groups × all genes), gene modules on the contextual
 * embeddings (SNN + Leiden + UMAP), the static prior's modules and the marker-set indices, and enrichment of every
 * module in the bundled human collections (13,057 sets).
 * Last line: BENCH markers train_s=… read_s=… wilcoxon_s=… modules_s=… prior_s=… enrichment_s=… total_s=… peak_mb=…
 * modules=… db_contextual=… db_prior=… (Davies–Bouldin of each group's top Wilcoxon markers in either embedding)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { markers } from "../main/analyses/markers/workflow.js";

const root = join(import.meta.dirname, "..");
const PBMC3K = join(root, "..", "shared", "data", "pbmc3k", "pbmc3k_seurat_tutorial_2638cells_2000hvg_counts.h5ad");

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

let result = process.env.SCILAMA_BENCH_RESULT;
let trainS = 0;
if (!result) {
  result = join(mkdtempSync(join(tmpdir(), "bench-markers-")), "pbmc3k.h5ad");
  const t = performance.now();
  execFileSync(
    process.execPath,
    [
      join(root, "bin", "scilama.js"),
      "integrate",
      PBMC3K,
      "--label",
      "seurat_annotation",
      "--preset",
      "standard",
      "--epochs",
      "60",
      "--hvg",
      "800",
      "--baselines",
      "none",
      "--seed",
      "1",
      "--out",
      result,
      "--quiet",
    ],
    { stdio: "inherit" },
  );
  trainS = (performance.now() - t) / 1000;
  console.log(`integrated PBMC 3k (Standard, 60 epochs per step, 800 genes) in ${trainS.toFixed(1)} s`);
}
const t = performance.now();
const r = await markers({ file: result, groupby: "seurat_annotation" });
const total = (performance.now() - t) / 1000;
const s = r.seconds;
console.log(
  `\nmarkers and modules on ${r.genes.length.toLocaleString("en")} genes × ${r.groups.length} groups (${r.contextual.modules} modules):`,
);
for (const [k, v] of Object.entries(s)) console.log(`  ${k.padEnd(38)} ${v.toFixed(2)} s`);
console.log(`  ${"total".padEnd(38)} ${total.toFixed(2)} s; peak RSS ${peakRssMb().toFixed(0)} MB`);
if (r.quality.contextual && r.quality.prior)
  console.log(
    `  marker-set Davies–Bouldin: contextual ${r.quality.contextual.daviesBouldin.toFixed(3)}, static prior ${r.quality.prior.daviesBouldin.toFixed(3)}`,
  );
const f = (v: number | undefined) => (v ?? 0).toFixed(2);
console.log(
  `BENCH markers train_s=${trainS.toFixed(1)} read_s=${f(s.read)} wilcoxon_s=${f(s["Wilcoxon markers"])} modules_s=${f(s.modules)} prior_s=${f(s["static prior and marker-set quality"])} enrichment_s=${f(s.enrichment)} total_s=${total.toFixed(2)} peak_mb=${peakRssMb().toFixed(0)} modules=${r.contextual.modules} db_contextual=${r.quality.contextual?.daviesBouldin.toFixed(3) ?? "na"} db_prior=${r.quality.prior?.daviesBouldin.toFixed(3) ?? "na"}`,
);
