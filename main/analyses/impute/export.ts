/**
 * Writes an imputation: `<out>.h5ad` (the target's cells, the imputed genes), `<out>.metrics.csv` (method × metric),
 * `<out>.genes.csv` (gene × method, panel mode) and the chosen model (`.cells.onnx`, `.genes.onnx`); optionally
 * recorded as a run of a project.
 */
import { dirname, extname, join, relative } from "node:path";
import { IMPUTE_METRICS } from "../../analysis/impute/metrics.js";
import { atomicWrite, csvField } from "../../io/csv.js";
import { writeH5ad } from "../../io/h5ad/write.js";
import type { Project } from "../../store/project.js";
import { recordDevice, setArtifact, setMetric } from "../../store/runs.js";
import type { DropoutOptions, DropoutResult, DropoutRow, ScPaLMDropouts } from "./denoise.js";
import type { GeneChoice } from "./genes.js";
import type { PanelOptions, PanelResult } from "./panel.js";
import type { Clipped, GeneRow, MethodRow } from "./scores.js";

export type ImputeOptions = ({ mode: "panel" } & PanelOptions) | ({ mode: "dropouts" } & DropoutOptions);

/** The job's input: the workflow's options and the result file to write (its other files go beside it). */
export interface ImputeInput {
  options: ImputeOptions;
  out: string;
}

export interface ImputeWritten {
  h5ad: string;
  metrics: string;
  genes: string;
  cellModel: string;
  geneModel: string;
}

/** What a finished job reports (the per-gene values are in the files). */
export interface ImputeSummary {
  mode: ImputeOptions["mode"];
  /** Panel mode: method × gene set. */
  methods: MethodRow[];
  recommended: Partial<Record<GeneRow["set"], string>>;
  coverage: GeneChoice["coverage"] | null;
  /** Dropout mode: method × RMSE, MAE on the masked entries. */
  dropouts: DropoutRow[];
  /** Dropout mode: the genes scPaLM predicted, or why it was not scored (null without a benchmark). */
  scpalm: ScPaLMDropouts | null;
  masked: number;
  maskedZeros: number;
  /** The chosen model's imputed (panel) or denoised (dropouts) values that were outside the range of their gene in
   *  the data it learned from, and were clipped to it (log-normalised expression is never negative). */
  clipped: Clipped;
  provider: string;
  fallbackReason: string | null;
  seconds: Record<string, number>;
  written: ImputeWritten;
}

export function imputeFiles(out: string): ImputeWritten {
  const base = join(dirname(out), out.slice(dirname(out).length + 1, out.length - extname(out).length));
  return {
    h5ad: out,
    metrics: `${base}.metrics.csv`,
    genes: `${base}.genes.csv`,
    cellModel: `${base}.cells.onnx`,
    geneModel: `${base}.genes.onnx`,
  };
}

const num = (v: number) => (Number.isFinite(v) ? String(Math.round(v * 1e6) / 1e6) : "");
const lines = (rows: string[][]) => `${rows.map((r) => r.join(",")).join("\n")}\n`;

export function methodsCsv(rows: readonly MethodRow[]): string {
  return lines([
    ["method", "genes_set", "genes", ...IMPUTE_METRICS.flatMap((k) => [k, `${k}_sem`])],
    ...rows.map((r) => [csvField(r.method), r.set, String(r.genes), ...IMPUTE_METRICS.flatMap((k) => [num(r[k]), num(r[`${k}Sem`])])]),
  ]);
}

export function dropoutsCsv(rows: readonly DropoutRow[]): string {
  return lines([
    ["method", "entries_scored", "entries", "rmse", "mae"],
    ...rows.map((r) => [csvField(r.method), r.scope, String(r.entries), num(r.rmse), num(r.mae)]),
  ]);
}

/** One row per scored gene and set; for each method its PCC, SCC, JSD and RMSE. */
export function genesCsv(rows: readonly GeneRow[], methods: readonly string[]): string {
  const byGene = new Map<string, Map<string, GeneRow>>();
  for (const r of rows) {
    const key = `${r.set}\t${r.gene}`;
    if (!byGene.has(key)) byGene.set(key, new Map());
    byGene.get(key)!.set(r.method, r);
  }
  return lines([
    ["gene", "genes_set", ...methods.flatMap((m) => IMPUTE_METRICS.map((k) => csvField(`${m} ${k}`)))],
    ...[...byGene].map(([key, by]) => {
      const [set, gene] = key.split("\t") as [string, string];
      return [csvField(gene), set, ...methods.flatMap((m) => IMPUTE_METRICS.map((k) => num(by.get(m)?.[k] ?? Number.NaN)))];
    }),
  ]);
}

/** Writes the result of either mode. */
export function writeImputation(
  r: { mode: "panel"; result: PanelResult } | { mode: "dropouts"; result: DropoutResult },
  out: string,
): ImputeWritten {
  const w = imputeFiles(out);
  writeH5ad(out, r.result.output);
  if (r.mode === "panel") {
    atomicWrite(w.metrics, methodsCsv(r.result.methods));
    atomicWrite(w.genes, genesCsv(r.result.perGene, [...new Set(r.result.methods.map((m) => m.method))]));
  } else {
    atomicWrite(w.metrics, dropoutsCsv(r.result.rows));
    atomicWrite(w.genes, lines([["gene"], ...r.result.genes.map((g) => [csvField(g)])]));
  }
  atomicWrite(w.cellModel, r.result.models.cells);
  atomicWrite(w.geneModel, r.result.models.genes);
  return w;
}

/** Records in the project what the imputation produced: device, metrics per method and set, files. */
export function recordImputation(p: Project, id: number, r: ImputeSummary): void {
  recordDevice(p, id, r.provider);
  for (const row of r.methods)
    for (const k of IMPUTE_METRICS) if (Number.isFinite(row[k])) setMetric(p, id, `${k} (${row.set})`, row[k], row.method);
  for (const row of r.dropouts) {
    const where = row.scope === "scpalm" ? "masked, scPaLM's genes" : "masked";
    setMetric(p, id, `rmse (${where})`, row.rmse, row.method);
    setMetric(p, id, `mae (${where})`, row.mae, row.method);
  }
  for (const [kind, path] of Object.entries(r.written)) setArtifact(p, id, kind, relative(p.dir, path));
  if (r.fallbackReason) p.log("warning", "run-device", `Run ${id} ran on the CPU: ${r.fallbackReason}`, { runId: id });
}
