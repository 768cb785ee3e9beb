/**
 * `scilama integrate`: datasets → sciLaMA → clusters, UMAP, metrics with baselines → result .h5ad + CSVs + models,
 * printing progress on stderr and the metric table on stdout (Ctrl-C stops training cleanly).
 */

import { METRIC_COLUMNS, type MetricRow } from "../analyses/integrate/evaluate.js";
import { recordIntegration, startIntegrationRun } from "../analyses/integrate/export.js";
import { type PriorChoice, priorChoiceOf } from "../analyses/integrate/gene-inputs.js";
import { startIntegrateJob } from "../analyses/integrate/job.js";
import type { Baseline } from "../analyses/integrate/workflow.js";
import type { Preset } from "../models/scilama-train.js";
import { Project } from "../store/project.js";
import { finishRun, getRun, recordProgress } from "../store/runs.js";
import { print, UsageError } from "./output.js";

export interface IntegrateCommandOptions {
  out: string;
  batch?: string;
  label?: string;
  /** Repeatable: several static priors train one gene encoder each. */
  prior: string[];
  preset: Preset;
  seed: number;
  hvg: number;
  baselines: readonly Baseline[];
  epochs?: number;
  project?: string;
  json: boolean;
  quiet: boolean;
}

function priorChoice(values: readonly string[]): PriorChoice {
  const choice = priorChoiceOf(values);
  if (typeof choice === "string") throw new UsageError(`--prior ${choice}`);
  return choice;
}

const HEADS: Record<(typeof METRIC_COLUMNS)[number], string> = {
  ari: "ARI",
  nmi: "NMI",
  asw: "ASW",
  batchAsw: "batch ASW",
  ilisi: "iLISI",
  clisi: "cLISI",
};

export function metricTable(rows: readonly MetricRow[]): string {
  const width = Math.max(6, ...rows.map((r) => r.method.length));
  const head = `${"method".padEnd(width)}  ${METRIC_COLUMNS.map((k) => HEADS[k].padStart(9)).join(" ")}`;
  const lines = rows.map(
    (r) => `${r.method.padEnd(width)}  ${METRIC_COLUMNS.map((k) => (r[k] === null ? "—" : r[k]!.toFixed(3)).padStart(9)).join(" ")}`,
  );
  return [head, "-".repeat(head.length), ...lines].join("\n");
}

export async function integrateCommand(files: string[], o: IntegrateCommandOptions): Promise<void> {
  if (!files.length) throw new UsageError("'integrate' needs at least one dataset file");
  if (!o.out.endsWith(".h5ad")) throw new UsageError("--out must name a .h5ad file");
  const project = o.project ? Project.open(o.project) : null;
  const runId = project ? startIntegrationRun(project, { files, ...o }) : null;
  let stop = false;
  let cancel = () => {};
  const onSigint = () => {
    if (stop) process.exit(130);
    stop = true;
    cancel();
    process.stderr.write("\nstopping after the current training block… (Ctrl-C again to quit at once)\n");
  };
  process.on("SIGINT", onSigint);
  const say = (s: string) => {
    if (!o.quiet) process.stderr.write(`${s}\n`);
  };
  let last = 0;
  let lastRecorded = 0;
  try {
    const prior = priorChoice(o.prior);
    const job = startIntegrateJob(
      {
        files,
        ...(o.batch ? { batch: o.batch } : {}),
        ...(o.label ? { label: o.label } : {}),
        prior,
        preset: o.preset,
        ...(o.epochs ? { hyper: { maxEpochs: o.epochs } } : {}),
        seed: o.seed,
        hvg: o.hvg,
        baselines: o.baselines,
      },
      o.out,
      {
        onStage: (s) => say(`· ${s}`),
        onProgress: (variant, p, fraction) => {
          const now = performance.now();
          if (project && now - lastRecorded > 1000) {
            lastRecorded = now;
            recordProgress(project, runId!, fraction, `${variant}: ${p.phase}, epoch ${p.epoch + 1}/${p.epochs}`);
          }
          if (now - last < 2000) return;
          last = now;
          const loss = p.losses.loss?.toFixed(1) ?? "";
          say(
            `  ${variant} | ${p.phase} | epoch ${p.epoch + 1}/${p.epochs} | loss ${loss} | ${p.cellsPerSec.toFixed(0)} cells/s | ${p.provider}`,
          );
        },
      },
    );
    cancel = job.cancel;
    const r = await job.done;
    if (r.status === "stopped") {
      if (project) finishRun(project, runId!, "cancelled", { timings: r.seconds });
      throw new Error("integration stopped before training finished; nothing was written");
    }
    const c = r.coverage;
    say(
      `genes: ${c.datasetGenes} shared, ${c.covered} covered by the prior (${(100 * c.fraction).toFixed(1)}%), ${r.modelledGenes} modelled`,
    );
    if (r.skippedBaselines.length)
      say(`stopped during the baselines: ${r.skippedBaselines.join(", ")} not trained; the result and the other rows are kept`);
    const written = r.written!;
    if (project) recordIntegration(project, runId!, r, written);
    print(o.json, { metrics: r.metrics, written, seconds: r.seconds, runId, coverage: c }, () =>
      [
        r.metrics.length ? metricTable(r.metrics) : "(no labels or batches: no metrics)",
        "",
        `wrote ${written.h5ad}, ${written.metrics}, ${written.cells}, ${written.genes}, ${written.cellModel}, ${written.geneModel}`,
        ...(runId ? [`recorded as run ${runId} of ${project!.dir}`] : []),
        `time: ${Object.entries(r.seconds)
          .map(([k, s]) => `${k} ${s.toFixed(1)} s`)
          .join(", ")}`,
      ].join("\n"),
    );
  } catch (e) {
    if (project && getRun(project, runId!).status === "running")
      finishRun(project, runId!, "failed", { error: e instanceof Error ? e.message : String(e) });
    throw e;
  } finally {
    process.off("SIGINT", onSigint);
    project?.close();
  }
}
