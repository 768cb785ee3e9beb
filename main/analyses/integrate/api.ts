/**
 * The integration's API methods: the wizard's plan (cell columns, shared genes, presets, defaults and limits), prior
 * coverage, starting a run, and a finished run's result (UMAPs, groups, metrics, losses) and gene values.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import type { IntegrationPlan, PriorCoverage, RunResult, ScalingAdviceView } from "../../api/contract.js";
import { ApiError } from "../../api/errors.js";
import { id, method, path, project } from "../../api/method.js";
import { list, obj, oneOf, optional, type Schema, str, within } from "../../api/schema.js";
import type { Studio } from "../../api/studio.js";
import { runCard } from "../../api/views.js";
import type { Matrix } from "../../data/dataset.js";
import type { Frame } from "../../data/frame.js";
import { matrixColumn } from "../../data/subset.js";
import { withH5ad } from "../../io/h5ad/read.js";
import type { Limit } from "../../isomorphic/limits.js";
import type { Project } from "../../store/project.js";
import { artifact, artifacts, getRun, runDatasetIds } from "../../store/runs.js";
import { describeColumn, groupCodes, joinColumns, readCellColumns, suggestColumns } from "../columns.js";
import { modelName, trainedModelFolder } from "../scpalm/api.js";
import type { LossPoint } from "../stages.js";
import { INTEGRATION } from "./analysis.js";
import { GeneInputs, priorChoice } from "./gene-inputs.js";
import { reportHtml } from "./report.js";
import { type ReportData, reportData } from "./report-data.js";
import { scalingAdvice } from "./scaling-advice.js";
import {
  BASELINES,
  HYPER_LIMITS,
  INTEGRATION_DEFAULTS,
  INTEGRATION_LIMITS,
  type IntegrationSettings,
  MIN_HVG,
  PRESET_NAMES,
  PRESETS,
  SCALINGS,
} from "./settings.js";

/** Several datasets: the file each cell came from, always a valid batch. */
const DATASET_COLUMN = "dataset";

const datasets = list(id, { min: 1, max: 50 });
const L = INTEGRATION_LIMITS;
const hyperSchema = obj({
  hidden: optional(list(within(L.hidden), { min: 1, max: 4 })),
  beta: optional(obj({ zeroEpochs: within(L.betaZeroEpochs), step: within(L.betaStep), max: within(L.betaMax) })),
  ...(Object.fromEntries(Object.entries(HYPER_LIMITS).map(([k, l]) => [k, optional(within(l as Limit))])) as {
    [K in keyof typeof HYPER_LIMITS]: Schema<number | undefined>;
  }),
});

async function plan(s: Studio, dir: string, ids: readonly number[]): Promise<IntegrationPlan> {
  const chosen = s.readyDatasets(s.project(dir), ids);
  const frames: Frame[] = [];
  const geneLists: string[][] = [];
  for (const d of chosen) {
    const f = await withH5ad(d.path, (h) => ({ obs: h.readFrame("obs"), genes: h.readFrame("var").index }));
    frames.push(f.obs);
    geneLists.push(f.genes);
  }
  const names = [...frames[0]!.columns.keys()].filter((n) => frames.every((f) => f.columns.has(n)));
  // Several datasets: a column's values are compared across all of them (the combined column).
  const columns = names.map((n) => {
    const parts = frames.map((f) => f.columns.get(n)!);
    return describeColumn(n, joinColumns(parts));
  });
  return {
    cells: frames.reduce((a, f) => a + f.index.length, 0),
    sharedGenes: sharedGenes(geneLists).length,
    columns,
    datasetColumn: chosen.length > 1 ? DATASET_COLUMN : null,
    suggested: chosen.length > 1 ? { batch: DATASET_COLUMN, label: suggestColumns(columns).label } : suggestColumns(columns),
    presets: PRESETS,
    defaults: INTEGRATION_DEFAULTS,
    limits: { ...INTEGRATION_LIMITS, hyper: HYPER_LIMITS, minHvg: MIN_HVG },
  };
}

async function coverage(s: Studio, dir: string, ids: readonly number[], prior: string): Promise<PriorCoverage> {
  const chosen = s.readyDatasets(s.project(dir), ids);
  const geneLists: string[][] = [];
  for (const d of chosen) geneLists.push(await withH5ad(d.path, (h) => h.readFrame("var").index));
  const inputs = await GeneInputs.load(priorChoice([prior], "prior"), false);
  const c = inputs.coverage(sharedGenes(geneLists));
  return {
    prior: prior === "bundled" || ["self", "random", "shuffled"].includes(prior) ? prior : basename(prior),
    genes: c.datasetGenes,
    covered: c.covered.length,
    fraction: c.fraction,
    missingExamples: c.dropped.slice(0, 20),
  };
}

/** The scaling advice for a batch and label choice, from the cells' own columns (before any training). */
async function scaling(
  s: Studio,
  dir: string,
  ids: readonly number[],
  batch: string | null,
  label: string | null,
): Promise<ScalingAdviceView> {
  const chosen = s.readyDatasets(s.project(dir), ids);
  const frames = await readCellColumns(
    chosen.map((d) => d.path),
    chosen.map((d) => d.name),
  );
  const column = (name: string | null) => {
    if (!name) return null;
    if (name === DATASET_COLUMN && frames.length > 1)
      return { codes: Int32Array.from(frames.flatMap((f, i) => f.obs.index.map(() => i))), categories: frames.map((f) => f.name) };
    if (!frames.every((f) => f.obs.columns.has(name))) return null;
    return groupCodes(joinColumns(frames.map((f) => f.obs.columns.get(name)!)));
  };
  return scalingAdvice(column(batch), column(label));
}

/** Starts a run on the chosen datasets (the lifecycle checks the columns and files first); the run id comes back once
 *  its job has started. */
async function start(s: Studio, dir: string, settings: IntegrationSettings): Promise<{ runId: number }> {
  const p = s.project(dir);
  const chosen = s.readyDatasets(p, settings.datasets);
  // With several datasets, the dataset each cell came from is the batch unless a column is chosen.
  const byDataset = chosen.length > 1 && settings.batch === DATASET_COLUMN;
  const prior = priorChoice([settings.prior], "prior");
  const scpalmModel = settings.scpalmModel
    ? { folder: trainedModelFolder(p, settings.scpalmModel), name: modelName(settings.scpalmModel) }
    : null;
  const runId = await s.startRun(p, INTEGRATION, {
    config: settings,
    datasetIds: chosen.map((d) => d.id),
    options: {
      files: chosen.map((d) => d.path),
      names: chosen.map((d) => d.name),
      ...(settings.batch && !byDataset ? { batch: settings.batch } : {}),
      ...(settings.label ? { label: settings.label } : {}),
      prior,
      preset: settings.preset,
      hyper: settings.hyper,
      seed: settings.seed,
      hvg: settings.hvg,
      scaling: settings.scaling,
      baselines: settings.baselines,
      ...(scpalmModel ? { scpalmModel } : {}),
    },
    input: (folder) => ({ out: `${folder}/result.h5ad` }),
  });
  return { runId };
}

/** The result file of a finished integration run. */
export function integrationResultFile(p: Project, runId: number): string {
  const run = getRun(p, runId);
  if (run.kind !== INTEGRATION.kind) throw new ApiError("bad-request", `Run ${runId} is not an integration.`);
  if (run.status !== "succeeded") throw new ApiError("not-found", `Run ${runId} has no result (${run.status}).`);
  const rel = artifact(p, runId, "h5ad");
  if (!rel) throw new ApiError("not-found", `Run ${runId} has no result file.`);
  return p.path(rel);
}

interface Loaded {
  X: Matrix;
  genes: Map<string, number>;
  report: ReportData;
  result: Omit<RunResult, "run">;
}

/** What the report and the result page show of a run, read from its files (the run's loss curves, its datasets). */
async function runReportData(p: Project, runId: number, appVersion: string): Promise<ReportData> {
  const lossesFile = p.path("runs", String(runId), "losses.json");
  return reportData(integrationResultFile(p, runId), {
    runId,
    project: p.name,
    datasets: runDatasetIds(p, runId).map((d) => {
      const row = p.dataset(d);
      return { name: row.name, cells: row.n_obs, genes: row.n_vars };
    }),
    losses: existsSync(lossesFile) ? (JSON.parse(readFileSync(lossesFile, "utf8")) as LossPoint[]) : [],
    appVersion,
  });
}

/** A finished run's result, kept while the user looks at it (gene colouring reads its matrix again and again). */
function load(s: Studio, p: Project, runId: number): Promise<Loaded> {
  return s.remember(`integration:${p.dir}#${runId}`, async () => {
    const report = await runReportData(p, runId, s.version);
    const { X, genes } = await withH5ad(integrationResultFile(p, runId), (h) => ({ X: h.readX(), genes: h.readFrame("var").index }));
    return {
      X,
      genes: new Map(genes.map((g, i) => [g, i])),
      report,
      result: {
        metrics: report.metrics,
        cells: report.cells,
        maps: report.maps.map((m) => ({ ...m, umap: Array.from(m.umap) })),
        scpalmModel: report.scpalmModel,
        groups: report.groups.map((g) => ({ ...g, codes: Array.from(g.codes) })),
        genes,
        losses: report.losses,
        files: artifacts(p, runId).map((f) => ({ kind: f.kind, path: p.path(f.path) })),
      },
    };
  });
}

/** Log-normalised expression of one gene in every cell of a run's result (for colouring the UMAP). */
async function geneValues(s: Studio, dir: string, runId: number, gene: string): Promise<{ gene: string; values: number[]; max: number }> {
  const loaded = await load(s, s.project(dir), runId);
  const col = loaded.genes.get(gene) ?? loaded.genes.get(gene.toUpperCase());
  if (col === undefined) throw new ApiError("not-found", `The gene '${gene}' is not among the ${loaded.genes.size} genes of this result.`);
  const values = matrixColumn(loaded.X, col);
  return { gene: [...loaded.genes.keys()][col]!, values, max: Math.max(0, ...values) };
}

/** Genes present in every list, in the first list's order. */
function sharedGenes(lists: string[][]): string[] {
  const others = lists.slice(1).map((l) => new Set(l));
  return lists[0]!.filter((g) => others.every((o) => o.has(g)));
}

export const INTEGRATION_METHODS = {
  "integration.plan": method(obj({ ...project, datasets }), (s, i) => plan(s, i.project, i.datasets)),
  "integration.scaling": method(
    obj({ ...project, datasets, batch: optional(str({ min: 1, max: 200 })), label: optional(str({ min: 1, max: 200 })) }),
    (s, i) => scaling(s, i.project, i.datasets, i.batch ?? null, i.label ?? null),
  ),
  "integration.coverage": method(obj({ ...project, datasets, prior: path }), (s, i) => coverage(s, i.project, i.datasets, i.prior)),
  "integration.start": method(
    obj({
      ...project,
      datasets,
      batch: optional(str({ min: 1, max: 200 })),
      label: optional(str({ min: 1, max: 200 })),
      prior: path,
      preset: oneOf(PRESET_NAMES),
      hyper: optional(hyperSchema),
      seed: within(L.seed),
      hvg: within(L.hvg),
      scaling: optional(oneOf(SCALINGS)),
      baselines: list(oneOf(BASELINES), { max: BASELINES.length }),
      scpalmModel: optional(id),
    }),
    (s, i) =>
      start(s, i.project, {
        datasets: i.datasets,
        batch: i.batch ?? null,
        label: i.label ?? null,
        prior: i.prior,
        preset: i.preset,
        hyper: i.hyper ?? {},
        seed: i.seed,
        hvg: i.hvg,
        scaling: i.scaling ?? INTEGRATION_DEFAULTS.scaling,
        baselines: i.baselines,
        ...(i.scpalmModel ? { scpalmModel: i.scpalmModel } : {}),
      }),
  ),
  "run.result": method(obj({ ...project, runId: id }), async (s, i) => {
    const p = s.project(i.project);
    const run = runCard(p, getRun(p, i.runId));
    return { run, ...(await load(s, p, i.runId)).result } satisfies RunResult;
  }),
  "run.gene": method(obj({ ...project, runId: id, gene: str({ min: 1, max: 100 }) }), (s, i) => geneValues(s, i.project, i.runId, i.gene)),
};

/** The run's PDF report: title and HTML. */
export async function integrationRunReport(p: Project, runId: number, appVersion: string): Promise<{ title: string; html: string }> {
  const data = await runReportData(p, runId, appVersion);
  return { title: data.title, html: reportHtml({ ...data, createdAt: new Date().toISOString() }) };
}
