/**
 * Writes an integration result: the .h5ad (X_sciLaMA, X_umap, leiden, gene embeddings, parameters), the metric
 * table and embeddings as CSV, and the trained models; optionally recorded as a run of a project.
 */
import { dirname, extname, join, relative } from "node:path";
import { atomicWrite, csvField } from "../../io/csv.js";
import { writeH5ad } from "../../io/h5ad/write.js";
import type { Project } from "../../store/project.js";
import { recordDevice, setArtifact, setMetric } from "../../store/runs.js";
import { METRIC_COLUMNS, type MetricRow } from "./evaluate.js";
import type { IntegrateOptions, IntegrateResult } from "./workflow.js";

const num = (v: number | null) => (v === null ? "" : String(Math.round(v * 1e6) / 1e6));

export function metricsCsv(rows: readonly MetricRow[]): string {
  const header = ["method", ...METRIC_COLUMNS, "resolution", "seconds"];
  const lines = rows.map((r) => [csvField(r.method), ...METRIC_COLUMNS.map((k) => num(r[k])), num(r.resolution), num(r.seconds)].join(","));
  return `${[header.join(","), ...lines].join("\n")}\n`;
}

/** One row per cell: name, batch, label, cluster, UMAP, the sciLaMA embedding, then scPaLM's cluster and UMAP (with
 *  that embedding; last, so the other columns keep their places). */
function cellsCsv(r: IntegrateResult): string {
  const K = r.hyper.latent;
  const c = r.combined;
  const p = r.scpalm;
  const header = ["cell", ...(c.batch ? ["batch"] : []), ...(c.label ? ["label"] : []), "leiden", "umap_1", "umap_2"];
  for (let k = 0; k < K; k++) header.push(`sciLaMA_${k + 1}`);
  if (p) header.push("scPaLM_leiden", "scPaLM_umap_1", "scPaLM_umap_2");
  const lines = c.cellNames.map((name, i) => {
    const f = [csvField(name)];
    if (c.batch) f.push(csvField(c.batch.categories[c.batch.codes[i]!]!));
    if (c.label) f.push(csvField(c.label.categories[c.label.codes[i]!] ?? "NA"));
    f.push(String(r.leiden[i]), String(r.umap[2 * i]), String(r.umap[2 * i + 1]));
    for (let k = 0; k < K; k++) f.push(String(r.main.cellMu[i * K + k]));
    if (p) f.push(String(p.leiden[i]), String(p.umap[2 * i]), String(p.umap[2 * i + 1]));
    return f.join(",");
  });
  return `${[header.join(","), ...lines].join("\n")}\n`;
}

/** One row per modelled gene: its contextual embedding (μ of the gene VAE). */
function genesCsv(r: IntegrateResult): string {
  const K = r.hyper.latent;
  const header = ["gene", ...Array.from({ length: K }, (_, k) => `sciLaMA_${k + 1}`)];
  const lines = r.genes.map((g, i) => [csvField(g), ...Array.from(r.main.geneMu.subarray(i * K, (i + 1) * K), String)].join(","));
  return `${[header.join(","), ...lines].join("\n")}\n`;
}

export interface Written {
  h5ad: string;
  metrics: string;
  cells: string;
  genes: string;
  cellModel: string;
  geneModel: string;
}

/** `<out>.h5ad` plus `<out>.metrics.csv`, `.cells.csv`, `.genes.csv`, `.cells.onnx`, `.genes.onnx` beside it. */
export function integrationFiles(out: string): Written {
  const base = join(dirname(out), out.slice(dirname(out).length + 1, out.length - extname(out).length));
  return {
    h5ad: out,
    metrics: `${base}.metrics.csv`,
    cells: `${base}.cells.csv`,
    genes: `${base}.genes.csv`,
    cellModel: `${base}.cells.onnx`,
    geneModel: `${base}.genes.onnx`,
  };
}

export function writeIntegration(r: IntegrateResult, out: string): Written {
  const w = integrationFiles(out);
  writeH5ad(out, r.output);
  atomicWrite(w.metrics, metricsCsv(r.metrics));
  atomicWrite(w.cells, cellsCsv(r));
  atomicWrite(w.genes, genesCsv(r));
  atomicWrite(w.cellModel, r.main.models.cells);
  atomicWrite(w.geneModel, r.main.models.genes);
  return w;
}

/** The job's input: the workflow's options and the result file to write (its other files go beside it). */
export interface IntegrationInput {
  options: IntegrateOptions;
  out: string;
}

/** What a finished job reports (everything else is in the files it wrote). */
export interface IntegrationSummary {
  metrics: MetricRow[];
  skippedBaselines: string[];
  seconds: Record<string, number>;
  /** The execution provider that trained the chosen model, and why it is the CPU when a GPU was asked for. */
  provider: string;
  fallbackReason: string | null;
  coverage: { datasetGenes: number; covered: number; dropped: string[]; fraction: number; byPrior: Record<string, number> };
  modelledGenes: number;
  written: Written;
}

/** Records in the project what the integration produced: device, metrics per method, files, warnings. */
export function recordIntegration(p: Project, id: number, r: IntegrationSummary): void {
  recordDevice(p, id, r.provider);
  for (const row of r.metrics)
    for (const k of METRIC_COLUMNS) {
      const v = row[k];
      if (v !== null) setMetric(p, id, k, v, row.method);
    }
  for (const [kind, path] of Object.entries(r.written)) setArtifact(p, id, kind, relative(p.dir, path));
  if (r.skippedBaselines.length)
    p.log("warning", "run-baselines", `Run ${id} was stopped before the baselines ${r.skippedBaselines.join(", ")}`, { runId: id });
  if (r.fallbackReason) p.log("warning", "run-device", `Run ${id} ran on the CPU: ${r.fallbackReason}`, { runId: id });
}
