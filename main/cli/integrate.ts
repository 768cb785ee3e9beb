/**
 * `scilama integrate`: datasets → sciLaMA → clusters, UMAP, metrics with baselines → result .h5ad + CSVs + models,
 * printing progress on stderr and the metric table on stdout (Ctrl-C stops training cleanly).
 */
import { basename, resolve } from "node:path";
import { INTEGRATION } from "../analyses/integrate/analysis.js";
import { METRIC_COLUMNS, type MetricRow } from "../analyses/integrate/evaluate.js";
import { priorChoice } from "../analyses/integrate/gene-inputs.js";
import type { Baseline, Preset, Scaling } from "../analyses/integrate/settings.js";
import { runAnalysis } from "../analyses/lifecycle.js";
import { bestOverall } from "../isomorphic/overall.js";
import { Project } from "../store/project.js";
import { stopped, untilDone } from "./interrupt.js";
import { print, progressPrinter, runLines, sayer, UsageError } from "./output.js";

export interface IntegrateCommandOptions {
  out: string;
  batch?: string;
  label?: string;
  /** Repeatable: several static priors train one gene encoder each. */
  prior: string[];
  preset: Preset;
  seed: number;
  hvg: number;
  scaling: Scaling;
  baselines: readonly Baseline[];
  /** The model folder the scpalm baseline embeds with (default: the bundled model). */
  scpalmModel?: string | undefined;
  epochs?: number;
  project?: string;
  json: boolean;
  quiet: boolean;
}

const HEADS: Record<(typeof METRIC_COLUMNS)[number], string> = {
  ari: "ARI",
  nmi: "NMI",
  asw: "ASW",
  batchAsw: "batch ASW",
  ilisi: "iLISI",
  clisi: "cLISI",
  overall: "overall",
};

export function metricTable(rows: readonly MetricRow[]): string {
  const width = Math.max(6, ...rows.map((r) => r.method.length));
  const head = `${"method".padEnd(width)}  ${METRIC_COLUMNS.map((k) => HEADS[k].padStart(9)).join(" ")}`;
  const lines = rows.map(
    (r) => `${r.method.padEnd(width)}  ${METRIC_COLUMNS.map((k) => (r[k] === null ? "—" : r[k]!.toFixed(3)).padStart(9)).join(" ")}`,
  );
  const best = bestOverall(rows);
  return [head, "-".repeat(head.length), ...lines, ...(best ? [`best overall score: ${best.method}`] : [])].join("\n");
}

export async function integrateCommand(files: string[], o: IntegrateCommandOptions): Promise<void> {
  if (!files.length) throw new UsageError("'integrate' needs at least one dataset file");
  if (!o.out.endsWith(".h5ad")) throw new UsageError("--out must name a .h5ad file");
  const prior = priorChoice(o.prior, "--prior");
  const project = o.project ? Project.open(o.project) : null;
  try {
    const run = await runAnalysis(INTEGRATION, {
      options: {
        files,
        ...(o.batch ? { batch: o.batch } : {}),
        ...(o.label ? { label: o.label } : {}),
        prior,
        preset: o.preset,
        ...(o.epochs ? { hyper: { maxEpochs: o.epochs } } : {}),
        seed: o.seed,
        hvg: o.hvg,
        scaling: o.scaling,
        baselines: o.baselines,
        ...(o.scpalmModel ? { scpalmModel: { folder: o.scpalmModel, name: `model ${basename(resolve(o.scpalmModel))}` } } : {}),
      },
      input: () => ({ out: o.out }),
      ...(project ? { record: { project, config: { files, ...o }, datasetIds: [] } } : {}),
      onEvent: progressPrinter(o.quiet),
    });
    const outcome = await untilDone(run, "stopping after the current training block…");
    if (outcome.status === "cancelled") throw stopped("integration", run.runId);
    const r = outcome.summary;
    const c = r.coverage;
    const say = sayer(o.quiet);
    say(
      `genes: ${c.datasetGenes} shared, ${c.covered} covered by the prior (${(100 * c.fraction).toFixed(1)}%), ${r.modelledGenes} modelled`,
    );
    if (r.skippedBaselines.length)
      say(`stopped during the baselines: ${r.skippedBaselines.join(", ")} not trained; the result and the other rows are kept`);
    const w = r.written;
    print(o.json, { metrics: r.metrics, written: w, seconds: r.seconds, runId: run.runId, coverage: c }, () =>
      [
        r.metrics.length ? metricTable(r.metrics) : "(no labels or batches: no metrics)",
        "",
        ...runLines(`${w.h5ad}, ${w.metrics}, ${w.cells}, ${w.genes}, ${w.cellModel}, ${w.geneModel}`, run.runId, project?.dir, r.seconds),
      ].join("\n"),
    );
  } finally {
    project?.close();
  }
}
