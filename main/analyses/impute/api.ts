/**
 * The imputation's API methods: the wizard's plan (the chosen datasets' genes, the suggested panel, whether the target
 * has coordinates, presets, defaults and limits), the prior's coverage, starting a panel or a dropout run, and a
 * finished run's result (methods table, recommendation, per-gene accuracy, UMAP, spatial coordinates) and one gene's
 * values in every cell (imputed, measured, each baseline).
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type {
  ImputeDataset,
  ImputedGene,
  ImputeGeneValues,
  ImputePlan,
  ImputeSettings,
  ImputeView,
  PriorCoverage,
} from "../../api/contract.js";
import { ApiError } from "../../api/errors.js";
import { id, method, path, project } from "../../api/method.js";
import { bool, list, obj, oneOf, optional, type Schema, str, within } from "../../api/schema.js";
import type { Studio } from "../../api/studio.js";
import { runCard } from "../../api/views.js";
import type { Dataset, Json, Matrix } from "../../data/dataset.js";
import { matrixColumn } from "../../data/subset.js";
import { matchGenes } from "../../genes/keys.js";
import { withH5ad } from "../../io/h5ad/read.js";
import { readDataset } from "../../io/read.js";
import { expressionOf } from "../../pp/expression.js";
import type { Project } from "../../store/project.js";
import { artifact, artifacts, getRun, runDatasetIds } from "../../store/runs.js";
import { GeneInputs, priorChoice } from "../integrate/gene-inputs.js";
import { IMPUTATION } from "./analysis.js";
import type { DropoutRow } from "./denoise.js";
import { MIN_DENOISE_CELLS } from "./denoise.js";
import type { ImputeOptions } from "./export.js";
import { type ImputeReportData, imputeReportHtml } from "./report.js";
import type { MethodRow } from "./scores.js";
import { GENE_SETS } from "./scores.js";
import {
  IMPUTE_DEFAULTS,
  IMPUTE_LIMITS,
  MIN_PANEL,
  MIN_TARGET_CELLS,
  PANEL_BASELINES,
  PRESETS,
  type Preset,
  parseEvaluation,
} from "./settings.js";

const L = IMPUTE_LIMITS;
const gene = str({ min: 1, max: 200 });
const genes = list(gene, { min: 1, max: 100_000 });
const preset = oneOf(Object.keys(PRESETS) as Preset[]);

/** "kfold:K", "kfold", "logo" or "none", refused in words naming the accepted forms. */
const evaluation: Schema<string> = (v, at) => {
  const s = str({ min: 1, max: 20 })(v, at);
  if (!parseEvaluation(s))
    throw new ApiError(
      "bad-request",
      `${at} must be kfold:K (K from ${L.folds.min} to ${L.folds.max}), logo (leave-one-gene-out) or none; got '${s}'`,
    );
  return s;
};

/** The genes the engine will use from a dataset (its expression: counts, else log-normalised values) and whether it
 *  has cell coordinates. */
async function describe(s: Studio, p: Project, datasetId: number): Promise<ImputeDataset & { path: string }> {
  const [d] = s.readyDatasets(p, [datasetId]);
  const { dataset } = await readDataset(d!.path);
  const e = expressionOf(dataset, d!.path);
  return { id: d!.id, name: d!.name, path: d!.path, cells: e.matrix.nRows, genes: e.genes, spatial: dataset.obsm.has("spatial") };
}

async function plan(s: Studio, dir: string, reference: number | null, target: number): Promise<ImputePlan> {
  const p = s.project(dir);
  const tgt = await describe(s, p, target);
  const ref = reference === null ? null : await describe(s, p, reference);
  const inRef = ref ? matchGenes(tgt.genes, ref.genes) : null;
  const panel = inRef ? tgt.genes.filter((_, i) => inRef[i]! >= 0) : [];
  const shown = ({ path: _, ...d }: ImputeDataset & { path: string }): ImputeDataset => d;
  return {
    reference: ref ? shown(ref) : null,
    target: shown(tgt),
    sharedGenes: panel.length,
    panel,
    presets: PRESETS,
    baselines: PANEL_BASELINES,
    defaults: IMPUTE_DEFAULTS,
    limits: IMPUTE_LIMITS,
    minPanel: MIN_PANEL,
    minCells: { target: MIN_TARGET_CELLS, dropouts: MIN_DENOISE_CELLS },
  };
}

/** How many of a dataset's genes the prior covers (the reference's in panel mode): only those are modelled. */
async function coverage(s: Studio, dir: string, datasetId: number, prior: string): Promise<PriorCoverage> {
  const d = await describe(s, s.project(dir), datasetId);
  const c = (await GeneInputs.load(priorChoice([prior], "prior"), false)).coverage(d.genes);
  return {
    prior: ["bundled", "self", "random", "shuffled"].includes(prior) ? prior : basename(prior),
    genes: c.datasetGenes,
    covered: c.covered.length,
    fraction: c.fraction,
    missingExamples: c.dropped.slice(0, 20),
  };
}

/** Starts a run (the lifecycle refuses bad genes, panels and files first, in the engine's words); the run id comes
 *  back once its job has started. */
async function start(s: Studio, dir: string, settings: ImputeSettings): Promise<{ runId: number }> {
  const p = s.project(dir);
  const prior = priorChoice([settings.prior], "prior");
  const hyper = settings.epochs ? { hyper: { maxEpochs: settings.epochs } } : {};
  let options: ImputeOptions;
  let datasetIds: number[];
  if (settings.mode === "panel") {
    if (settings.reference === settings.target)
      throw new ApiError("bad-request", "The reference and the target must be different datasets.");
    const [ref, tgt] = s.readyDatasets(p, [settings.reference, settings.target]);
    datasetIds = [ref!.id, tgt!.id];
    options = {
      mode: "panel",
      reference: ref!.path,
      target: tgt!.path,
      ...(settings.panel ? { panel: settings.panel } : {}),
      ...(settings.genes ? { genes: settings.genes } : {}),
      evaluation: parseEvaluation(settings.evaluation)!,
      ...(settings.unseen ? { unseenFolds: settings.unseen } : {}),
      prior,
      preset: settings.preset,
      seed: settings.seed,
      baselines: settings.baselines,
      ...hyper,
    };
  } else {
    const [d] = s.readyDatasets(p, [settings.dataset]);
    datasetIds = [d!.id];
    options = {
      mode: "dropouts",
      file: d!.path,
      mask: settings.mask,
      nonzero: settings.nonzero,
      prior,
      preset: settings.preset,
      seed: settings.seed,
      ...hyper,
    };
  }
  const runId = await s.startRun(p, IMPUTATION, {
    config: settings,
    datasetIds,
    options,
    input: (folder) => ({ out: `${folder}/result.h5ad` }),
  });
  return { runId };
}

/** The result file of a finished imputation run. */
function resultFile(p: Project, runId: number): string {
  const run = getRun(p, runId);
  if (run.kind !== IMPUTATION.kind) throw new ApiError("bad-request", `Run ${runId} is not an imputation.`);
  if (run.status !== "succeeded") throw new ApiError("not-found", `Run ${runId} has no result (${run.status}).`);
  const rel = artifact(p, runId, "h5ad");
  if (!rel) throw new ApiError("not-found", `Run ${runId} has no result file.`);
  return p.path(rel);
}

/** The fields of one line of our own CSV files (quoted where a field holds a comma or a quote). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g)) out.push(m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2]!);
  return out;
}

/** Per gene and method, the PCC of the genes.csv a panel run wrote (header: gene, genes_set, "<method> <metric>"…). */
function genePccs(file: string): Map<string, { set: ImputedGene["set"]; pcc: Record<string, number | null> }> {
  const [head, ...rows] = readFileSync(file, "utf8").trimEnd().split("\n");
  const columns = csvFields(head!);
  const pccColumns = columns.flatMap((c, i) => (c.endsWith(" pcc") ? [{ i, method: c.slice(0, -4) }] : []));
  const out = new Map<string, { set: ImputedGene["set"]; pcc: Record<string, number | null> }>();
  for (const row of rows) {
    const f = csvFields(row);
    const pcc = Object.fromEntries(pccColumns.map(({ i, method }) => [method, f[i] ? Number(f[i]) : null]));
    // A gene scored directly is also in the unseen set (listed after it): the page shows what the result holds.
    if (!out.has(f[0]!)) out.set(f[0]!, { set: f[1] as ImputedGene["set"], pcc });
  }
  return out;
}

/** A table kept in `uns` as a list of rows (the writer stores each row object as its JSON text). */
const tableRows = <T>(v: Json | undefined): T[] => (Array.isArray(v) ? v.map((r) => (typeof r === "string" ? JSON.parse(r) : r) as T) : []);

const record = (uns: { [k: string]: Json }) => (uns.impute && typeof uns.impute === "object" ? uns.impute : {}) as Record<string, Json>;

interface Loaded {
  view: Omit<ImputeView, "run">;
  report: Omit<ImputeReportData, "appVersion" | "createdAt">;
}

/** Everything the result page and the report show, read from the run's files. */
async function readResult(p: Project, runId: number): Promise<Loaded> {
  const file = resultFile(p, runId);
  const r = await withH5ad(file, (h) => {
    const obs = h.readFrame("obs");
    const vars = h.readFrame("var");
    const obsm = h.readObsm();
    return { obs, vars, obsm, uns: h.readUns() };
  });
  // The project's names of the datasets, not their stored files' (datasets/<id>.h5ad).
  const names = runDatasetIds(p, runId).map((d) => p.dataset(d).name);
  const rec = { ...record(r.uns) };
  if (rec.mode === "panel" && names.length === 2) [rec.reference, rec.target] = names;
  if (rec.mode === "dropouts" && names.length === 1) rec.file = names[0]!;
  const mode = rec.mode === "dropouts" ? "dropouts" : "panel";
  const role = r.vars.columns.get("role");
  const roleOf = (i: number) =>
    role?.kind === "categorical" ? role.categories[role.codes[i]!]! : mode === "dropouts" ? "denoised" : "imputed";
  const genesFile = artifact(p, runId, "genes");
  const scored = mode === "panel" && genesFile ? genePccs(p.path(genesFile)) : new Map();
  const genes: ImputedGene[] = r.vars.index.map((gene, i) => ({
    gene,
    role: roleOf(i),
    set: scored.get(gene)?.set ?? null,
    pcc: scored.get(gene)?.pcc ?? {},
  }));
  const methods = tableRows<MethodRow>(rec.methods);
  const dropouts = tableRows<DropoutRow>(rec.errors);
  const flat = (m: Matrix | { values: ArrayLike<number> } | undefined) => (m && "values" in m ? Array.from(m.values) : []);
  const spatial = r.obsm.get("spatial");
  const groups = [...r.obs.columns]
    .filter(([, c]) => c.kind === "categorical" && c.categories.length <= 60)
    .map(([name, c]) => (c.kind === "categorical" ? { name, categories: c.categories, codes: Array.from(c.codes) } : null))
    .filter((g) => g !== null)
    .sort((a, b) => (a.name === "leiden" ? -1 : b.name === "leiden" ? 1 : 0));
  const view: Omit<ImputeView, "run"> = {
    mode,
    record: rec,
    methods,
    recommended: (rec.recommended ?? {}) as ImputeView["recommended"],
    geneSets: GENE_SETS,
    dropouts,
    genes,
    main: `sciLaMA (${String(rec.prior)})`,
    layers: (rec.layers ?? {}) as Record<string, string>,
    cells: r.obs.index.length,
    umap: flat(r.obsm.get("X_umap")),
    spatial:
      spatial && spatial.nCols >= 2
        ? Array.from({ length: 2 * spatial.nRows }, (_, k) => spatial.values[(k >> 1) * spatial.nCols + (k & 1)]!)
        : null,
    groups,
    files: artifacts(p, runId).map((f) => ({ kind: f.kind, path: p.path(f.path) })),
  };
  return {
    view,
    report: {
      runId,
      project: p.name,
      file: basename(file),
      mode,
      record: rec,
      methods,
      recommended: view.recommended,
      dropouts,
      genes,
      cells: view.cells,
    },
  };
}

async function result(s: Studio, dir: string, runId: number): Promise<ImputeView> {
  const p = s.project(dir);
  return { run: runCard(p, getRun(p, runId)), ...(await readResult(p, runId)).view };
}

/** The result's matrices, kept while the user looks at it (a gene is drawn again and again). */
function matrices(s: Studio, p: Project, runId: number): Promise<Dataset> {
  return s.remember(`impute:${p.dir}#${runId}`, () => withH5ad(resultFile(p, runId), (h) => h.readAll()));
}

async function geneValues(s: Studio, dir: string, runId: number, name: string): Promise<ImputeGeneValues> {
  const d = await matrices(s, s.project(dir), runId);
  let col = d.var.index.indexOf(name);
  if (col < 0) col = d.var.index.findIndex((g) => g.toUpperCase() === name.toUpperCase());
  if (col < 0) throw new ApiError("not-found", `The gene '${name}' is not among the ${d.var.index.length} genes of this result.`);
  const role = d.var.columns.get("role");
  const measured = d.layers.get("measured");
  const m = measured ? matrixColumn(measured, col).map((v) => (Number.isNaN(v) ? null : v)) : null;
  const layers = Object.fromEntries(
    [...d.layers]
      .filter(([k]) => k !== "measured" && k !== "masked")
      .map(([k, l]) => [k, matrixColumn(l, col).map((v) => (Number.isNaN(v) ? 0 : v))]),
  );
  return {
    gene: d.var.index[col]!,
    role: role?.kind === "categorical" ? role.categories[role.codes[col]!]! : "imputed",
    imputed: matrixColumn(d.X, col).map((v) => (Number.isNaN(v) ? 0 : v)),
    measured: m?.some((v) => v !== null) ? m : null,
    layers,
  };
}

const common = { ...project, prior: path, preset, epochs: optional(within(L.epochs)), seed: within(L.seed) };

export const IMPUTE_METHODS = {
  "impute.plan": method(obj({ ...project, reference: optional(id), target: id }), (s, i) =>
    plan(s, i.project, i.reference ?? null, i.target),
  ),
  "impute.coverage": method(obj({ ...project, dataset: id, prior: path }), (s, i) => coverage(s, i.project, i.dataset, i.prior)),
  "impute.startPanel": method(
    obj({
      ...common,
      reference: id,
      target: id,
      panel: optional(genes),
      genes: optional(genes),
      evaluation,
      unseen: optional(within(L.unseen)),
      baselines: list(oneOf(PANEL_BASELINES), { max: PANEL_BASELINES.length }),
    }),
    (s, { project, ...i }) => start(s, project, { mode: "panel", ...i }),
  ),
  "impute.startDropouts": method(obj({ ...common, dataset: id, mask: within(L.mask), nonzero: bool }), (s, { project, ...i }) =>
    start(s, project, { mode: "dropouts", ...i }),
  ),
  "impute.result": method(obj({ ...project, runId: id }), (s, i) => result(s, i.project, i.runId)),
  "impute.gene": method(obj({ ...project, runId: id, gene }), (s, i) => geneValues(s, i.project, i.runId, i.gene)),
};

/** The run's PDF report: title and HTML. */
export async function imputeRunReport(p: Project, runId: number, appVersion: string): Promise<{ title: string; html: string }> {
  const { report } = await readResult(p, runId);
  const title = `Imputation (run ${runId})`;
  return { title, html: imputeReportHtml({ ...report, appVersion, createdAt: new Date().toISOString() }) };
}
