/**
 * npm run bench:scaling — what z-scoring genes within batches buys, and what it can cost, on real technology batches:
 * pancreas (3 studies: inDrop, Smart-seq2, Fluidigm C1; labels cellTypes; every covered gene) and CellBench (CEL-seq2
 * and Drop-seq; labels cell_line; 1,000 highly variable genes).
 * 1. Mixing: sciLaMA with per-batch scaling (the default) beside PCA of globally scaled data, PCA of per-batch-scaled
 *    data and MNN, and sciLaMA with the global scaling — preset SCILAMA_BENCH_PRESET (standard), seeds
 *    SCILAMA_BENCH_SEEDS (1,2,3): each metric's mean ± standard deviation over the seeds.
 * 2. Over-correction: pancreas with one study's ductal cells removed, CellBench with one cell line removed from one
 *    protocol — sciLaMA per batch against global (ARI, NMI, cLISI), and what the wizard advises.
 * Every run's row is printed as it ends and kept in .bench/scaling.json. Last line:
 * BENCH scaling pancreas_ilisi=… pancreas_batch_asw=… pancreas_mnn_batch_asw=… pancreas_ari=… pancreas_pca_ari=…
 * cellbench_ilisi=… cellbench_batch_asw=… cellbench_mnn_batch_asw=… cellbench_ari=… cellbench_pca_ari=…
 * overcorrect_pancreas_ari_batch=… overcorrect_pancreas_ari_global=… overcorrect_cellbench_ari_batch=…
 * overcorrect_cellbench_ari_global=… total_s=…
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { groupCodes } from "../main/analyses/columns.js";
import { METRIC_COLUMNS, type MetricKey, type MetricRow } from "../main/analyses/integrate/evaluate.js";
import { priorChoice } from "../main/analyses/integrate/gene-inputs.js";
import { scalingAdvice } from "../main/analyses/integrate/scaling-advice.js";
import type { Baseline, Preset, Scaling } from "../main/analyses/integrate/settings.js";
import { integrate } from "../main/analyses/integrate/workflow.js";
import { subset } from "../main/data/subset.js";
import { writeH5ad } from "../main/io/h5ad/write.js";
import { readDataset } from "../main/io/read.js";

const root = join(import.meta.dirname, "..");
const data = join(root, "..", "shared", "data");
const out = join(root, ".bench");
mkdirSync(out, { recursive: true });
const PRESET = (process.env.SCILAMA_BENCH_PRESET ?? "standard") as Preset;
const SEEDS = (process.env.SCILAMA_BENCH_SEEDS ?? "1,2,3").split(",").map(Number);

interface Case {
  name: string;
  file: string;
  batch: string;
  label: string;
  hvg: number;
}
const PANCREAS: Case = {
  name: "pancreas",
  file: join(data, "pancreas", "cepo_sce_pancreas_528cells_1403genes_3batches.h5ad"),
  batch: "batch",
  label: "cellTypes",
  hvg: 0,
};
const CELLBENCH: Case = {
  name: "cellbench",
  file: join(data, "cellbench", "cellbench_3cl_celseq2_dropseq.h5ad"),
  batch: "dataset",
  label: "cell_line",
  hvg: 1000,
};

interface Row extends MetricRow {
  dataset: string;
  seed: number;
  scaling: Scaling;
}
const rows: Row[] = [];
const started = performance.now();

async function run(c: Case, seed: number, scaling: Scaling, baselines: Baseline[]): Promise<MetricRow[]> {
  const t = performance.now();
  const r = await integrate({
    files: [c.file],
    batch: c.batch,
    label: c.label,
    prior: priorChoice(["bundled"], "prior"),
    preset: PRESET,
    seed,
    hvg: c.hvg,
    scaling,
    baselines,
  });
  const s = (performance.now() - t) / 1000;
  for (const m of r.metrics) {
    rows.push({ ...m, dataset: c.name, seed, scaling });
    console.log(
      `${c.name} seed ${seed} ${scaling.padEnd(6)} ${m.method.padEnd(40)} ${METRIC_COLUMNS.map((k) => `${k} ${m[k]?.toFixed(3) ?? "—"}`).join("  ")}`,
    );
  }
  console.log(`  (${s.toFixed(0)} s)`);
  writeFileSync(join(out, "scaling.json"), JSON.stringify(rows, null, 1));
  return r.metrics;
}

/** Mean ± sd over seeds of one method's metric, for one dataset and scaling. */
function stat(dataset: string, method: (m: string) => boolean, scaling: Scaling, k: MetricKey): { mean: number; sd: number } {
  const v = rows.filter((r) => r.dataset === dataset && r.scaling === scaling && method(r.method)).map((r) => r[k]!);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, v.length - 1));
  return { mean, sd };
}

const isSci = (m: string) => m.startsWith("sciLaMA");
const is = (name: string) => (m: string) => m === name;
const SHOWN: MetricKey[] = ["ari", "nmi", "asw", "batchAsw", "ilisi", "clisi", "overall"];

function table(c: Case): void {
  console.log(`\n${c.name}, ${PRESET} preset, seeds ${SEEDS.join(", ")} (mean ± sd)`);
  console.log(`${"method".padEnd(36)}${SHOWN.map((k) => k.padStart(15)).join("")}`);
  const lines: [string, (m: string) => boolean, Scaling][] = [
    ["unintegrated PCA", is("unintegrated PCA"), "batch"],
    ["PCA, per-batch scaled", is("PCA, per-batch scaled"), "batch"],
    ["MNN (scran)", is("MNN (scran)"), "batch"],
    ["sciLaMA, per-batch scaled (default)", isSci, "batch"],
    ["sciLaMA, globally scaled", isSci, "global"],
  ];
  for (const [name, m, scaling] of lines) {
    const cells = SHOWN.map((k) => {
      const s = stat(c.name, m, scaling, k);
      return `${s.mean.toFixed(3)} ± ${s.sd.toFixed(3)}`.padStart(15);
    });
    console.log(`${name.padEnd(36)}${cells.join("")}`);
  }
}

for (const c of [PANCREAS, CELLBENCH]) {
  for (const seed of SEEDS) {
    await run(c, seed, "batch", ["pca", "pca-batch", "mnn"]);
    await run(c, seed, "global", []);
  }
  table(c);
}

// Over-correction: a batch lacking a type the others have.
async function without(c: Case, name: string, drop: (batch: string, label: string) => boolean): Promise<Case> {
  const { dataset } = await readDataset(c.file);
  const b = groupCodes(dataset.obs.columns.get(c.batch)!);
  const l = groupCodes(dataset.obs.columns.get(c.label)!);
  const keep = [...b.codes.keys()].filter((i) => !drop(b.categories[b.codes[i]!]!, l.categories[l.codes[i]!]!));
  const file = join(out, `${name}.h5ad`);
  writeH5ad(file, subset(dataset, keep));
  const kept = subset(dataset, keep);
  const advice = scalingAdvice(groupCodes(kept.obs.columns.get(c.batch)!), groupCodes(kept.obs.columns.get(c.label)!));
  console.log(`\n${name}: ${keep.length} cells; the wizard recommends '${advice.recommended}': ${advice.warnings.join("; ")}`);
  return { ...c, name, file };
}
const over = [
  await without(PANCREAS, "pancreas_no_ductal_in_one_study", (b, l) => b === "batch 1" && l === "ductal"),
  await without(CELLBENCH, "cellbench_one_line_missing_in_one_protocol", (b, l) => b === "sc_celseq2" && l === "H1975"),
];
const overRows: Record<string, Record<Scaling, MetricRow>> = {};
for (const c of over) {
  overRows[c.name] = {
    batch: (await run(c, SEEDS[0]!, "batch", [])).find((m) => isSci(m.method))!,
    global: (await run(c, SEEDS[0]!, "global", [])).find((m) => isSci(m.method))!,
  };
  console.log(`${c.name}, seed ${SEEDS[0]}: per batch against global`);
  for (const k of ["ari", "nmi", "clisi", "ilisi", "batchAsw"] as const)
    console.log(`  ${k.padEnd(9)} ${overRows[c.name]!.batch[k]!.toFixed(3)}  ${overRows[c.name]!.global[k]!.toFixed(3)}`);
}

const f = (x: number) => x.toFixed(4);
const [op, oc] = over.map((c) => overRows[c.name]!);
console.log(
  [
    "BENCH scaling",
    ...[PANCREAS, CELLBENCH].flatMap((c) => [
      `${c.name}_ilisi=${f(stat(c.name, isSci, "batch", "ilisi").mean)}`,
      `${c.name}_batch_asw=${f(stat(c.name, isSci, "batch", "batchAsw").mean)}`,
      `${c.name}_mnn_batch_asw=${f(stat(c.name, is("MNN (scran)"), "batch", "batchAsw").mean)}`,
      `${c.name}_ari=${f(stat(c.name, isSci, "batch", "ari").mean)}`,
      `${c.name}_pca_ari=${f(stat(c.name, is("unintegrated PCA"), "batch", "ari").mean)}`,
    ]),
    `overcorrect_pancreas_ari_batch=${f(op!.batch.ari!)}`,
    `overcorrect_pancreas_ari_global=${f(op!.global.ari!)}`,
    `overcorrect_cellbench_ari_batch=${f(oc!.batch.ari!)}`,
    `overcorrect_cellbench_ari_global=${f(oc!.global.ari!)}`,
    `total_s=${((performance.now() - started) / 1000).toFixed(0)}`,
  ].join(" "),
);
