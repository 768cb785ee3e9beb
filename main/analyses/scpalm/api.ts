/**
 * scPaLM's API methods: the wizard's plan (configurations, defaults and limits, the models a run can start from or
 * read with), starting a training (pre-training or fine-tuning) or a pathway-token run on the project's datasets,
 * resuming a stopped training from its checkpoints, a finished run's view, and which cells use a token.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type {
  ScPaLMCheckpoints,
  ScPaLMModelCard,
  ScPaLMPathwaysSettings,
  ScPaLMPlan,
  ScPaLMSettings,
  ScPaLMTrainingSettings,
  ScPaLMTrainingSummary,
  ScPaLMView,
} from "../../api/contract.js";
import { ApiError } from "../../api/errors.js";
import { id, method, project } from "../../api/method.js";
import { int, list, obj, oneOf, optional, type Schema, within } from "../../api/schema.js";
import type { Studio } from "../../api/studio.js";
import { runCard } from "../../api/views.js";
import { DataError } from "../../io/errors.js";
import { readScPaLMMeta, type ScPaLMModelMeta } from "../../models/scpalm-files.js";
import { SCPALM_CONFIGS } from "../../models/scpalm-hyper.js";
import type { Project } from "../../store/project.js";
import { artifact, artifacts, getRun, listRuns, RunFilesMissingError, type RunRow } from "../../store/runs.js";
import { SCPALM } from "./analysis.js";
import { bundledScPaLMFolder, MODEL_FILE } from "./pretrain.js";
import { ARCHITECTURE_KEYS, SCPALM_DEFAULTS, SCPALM_LIMITS, trainingHyper } from "./settings.js";
import { CHECKPOINTS, checkpointProgress } from "./workflow.js";

const L = SCPALM_LIMITS;
const settingsOf = (r: RunRow) => JSON.parse(r.config_json) as ScPaLMSettings;
const isTraining = (s: ScPaLMSettings): s is ScPaLMTrainingSettings => s.mode !== "pathways";
/** How results name a model: "run N's model" or "the bundled model". */
export const modelName = (runId: number | undefined) => (runId ? `run ${runId}'s model` : "the bundled model");

/** An scPaLM run of the project, refused as "bad request" when it is another analysis's. */
function scpalmRun(p: Project, runId: number): RunRow {
  const run = getRun(p, runId);
  if (run.kind !== SCPALM.kind) throw new ApiError("bad-request", `Run ${runId} is not an scPaLM run.`);
  return run;
}

/** A finished run's view (its view.json). */
function summaryOf<T>(p: Project, run: RunRow): T {
  if (run.status !== "succeeded") throw new ApiError("not-found", `Run ${run.id} has no result (${run.status}).`);
  const view = artifact(p, run.id, "view");
  if (!view) throw new ApiError("not-found", `Run ${run.id} has no result file.`);
  return JSON.parse(readFileSync(p.path(view), "utf8")) as T;
}

/** The model folder of a finished training run (refused when the run is not one). */
export function trainedModelFolder(p: Project, runId: number): string {
  const run = scpalmRun(p, runId);
  const model = run.status === "succeeded" ? artifact(p, runId, "model") : null;
  if (!model) throw new ApiError("bad-request", `Run ${runId} did not train a model (${run.status}).`);
  return dirname(p.path(model));
}

/** The bundled model (when it is installed), then the project's trained ones, newest first. */
function models(p: Project): ScPaLMModelCard[] {
  const card = (runId: number | null, m: Omit<ScPaLMModelCard, "runId" | "name">): ScPaLMModelCard => ({
    runId,
    name: modelName(runId ?? undefined),
    ...m,
  });
  const shape = ({ tokens, hidden, layers, codes }: ScPaLMTrainingSummary["hyper"]) => ({ tokens, hidden, layers, codes });
  const out: ScPaLMModelCard[] = [];
  const bundled = join(bundledScPaLMFolder(), MODEL_FILE);
  if (existsSync(bundled)) {
    // Its header says all a card shows; a damaged installation's model is not offered (a run through it would be
    // refused saying why), and the project's own models still are.
    let meta: ScPaLMModelMeta | null = null;
    try {
      meta = readScPaLMMeta(bundled);
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
    }
    if (meta)
      out.push(card(null, { genes: meta.genes.length, ...shape(meta.hyper), codesUsed: meta.trained.codesUsed, corpus: meta.corpus }));
  }
  for (const r of listRuns(p).reverse())
    if (r.kind === SCPALM.kind && r.status === "succeeded" && isTraining(settingsOf(r))) {
      let t: ScPaLMTrainingSummary;
      try {
        t = summaryOf<ScPaLMTrainingSummary>(p, r);
      } catch (e) {
        if (e instanceof RunFilesMissingError) continue; // its folder was moved: the other models are still offered
        throw e;
      }
      out.push(card(r.id, { genes: t.genes, ...shape(t.hyper), codesUsed: t.codesUsed, corpus: t.corpus }));
    }
  return out;
}

function plan(s: Studio, dir: string): ScPaLMPlan {
  return { configs: SCPALM_CONFIGS, defaults: SCPALM_DEFAULTS, limits: L, models: models(s.project(dir)) };
}

/** Starts a training on the chosen datasets (the lifecycle checks the configuration, the model and the files first). */
async function train(s: Studio, dir: string, settings: ScPaLMTrainingSettings): Promise<{ runId: number }> {
  const p = s.project(dir);
  if (settings.mode === "pretrain" && settings.from)
    throw new ApiError("bad-request", "Pre-training starts from scratch; to start from a model, fine-tune it.");
  if (settings.mode === "finetune" && settings.architecture)
    throw new ApiError("bad-request", "Fine-tuning keeps the model's architecture; only pre-training can change it.");
  const chosen = s.readyDatasets(p, settings.datasets);
  const from = settings.mode === "finetune" ? (settings.from ? trainedModelFolder(p, settings.from) : bundledScPaLMFolder()) : null;
  const resume = settings.resumes ? join(p.path("runs", String(settings.resumes)), CHECKPOINTS) : null;
  const runId = await s.startRun(p, SCPALM, {
    config: settings,
    datasetIds: chosen.map((d) => d.id),
    options: {
      mode: "train",
      files: chosen.map((d) => d.path),
      names: chosen.map((d) => d.name),
      hyper: trainingHyper(SCPALM_CONFIGS[settings.config], settings),
      seed: settings.seed,
      from,
      resume,
    },
    // The run's folder is the model folder: a later run fine-tunes from it.
    input: (folder) => ({ out: folder, context: { appVersion: s.version, model: from ? modelName(settings.from) : null } }),
  });
  return { runId };
}

/** Where a stopped training stands: how far its checkpoints go, and whether a run already continued it. */
function checkpoints(s: Studio, dir: string, runId: number): ScPaLMCheckpoints {
  const p = s.project(dir);
  const run = scpalmRun(p, runId);
  const resumedIn =
    listRuns(p).find((r) => {
      if (r.kind !== SCPALM.kind) return false;
      const c = settingsOf(r);
      return isTraining(c) && c.resumes === runId;
    })?.id ?? null;
  const where = checkpointProgress(join(p.path("runs", String(runId)), CHECKPOINTS));
  const stopped = run.status === "cancelled" || run.status === "failed";
  return { resumable: stopped && isTraining(settingsOf(run)) && where !== null && resumedIn === null, where, resumedIn };
}

/** Continues a cancelled or interrupted training from its checkpoints, as a new run with the same settings. */
async function resume(s: Studio, dir: string, runId: number): Promise<{ runId: number }> {
  const p = s.project(dir);
  const settings = settingsOf(scpalmRun(p, runId));
  const c = checkpoints(s, dir, runId);
  if (!isTraining(settings) || !c.resumable)
    throw new ApiError(
      "bad-request",
      c.resumedIn
        ? `Run ${runId} was already continued by run ${c.resumedIn}.`
        : `Run ${runId} cannot be resumed: it is not a stopped training with checkpoints.`,
    );
  return train(s, dir, { ...settings, resumes: runId });
}

/** Starts the pathway tokens of one dataset through a model (the bundled one, or a project run's). */
async function pathways(s: Studio, dir: string, settings: ScPaLMPathwaysSettings): Promise<{ runId: number }> {
  const p = s.project(dir);
  const [d] = s.readyDatasets(p, [settings.dataset]);
  const model = settings.model ? trainedModelFolder(p, settings.model) : bundledScPaLMFolder();
  const runId = await s.startRun(p, SCPALM, {
    config: settings,
    datasetIds: [d!.id],
    options: { mode: "pathways", file: d!.path, name: d!.name, model, top: settings.top },
    input: (folder) => ({ out: folder, context: { appVersion: s.version, model: modelName(settings.model) } }),
  });
  return { runId };
}

function result(s: Studio, dir: string, runId: number): ScPaLMView {
  const p = s.project(dir);
  const run = scpalmRun(p, runId);
  const summary = summaryOf<Omit<ScPaLMView, "run" | "settings" | "files">>(p, run);
  return {
    ...summary,
    run: runCard(p, run),
    settings: settingsOf(run),
    files: artifacts(p, runId)
      .filter((f) => !["view", "html", "codes"].includes(f.kind))
      .map((f) => ({ kind: f.kind, path: p.path(f.path) })),
  } as ScPaLMView;
}

/** How many of each cell's tokens are on `code` (0: the cell does not use it), for colouring the cell map. */
function tokenCells(
  s: Studio,
  dir: string,
  runId: number,
  code: number,
): { code: number; counts: number[]; tokens: number; cells: number } {
  const p = s.project(dir);
  const run = scpalmRun(p, runId);
  const rel = artifact(p, runId, "codes");
  if (!rel) throw new ApiError("not-found", `Run ${runId} has no pathway tokens.`);
  const { tokens, codes } = summaryOf<{ tokens: number; codes: number }>(p, run);
  if (code >= codes) throw new ApiError("not-found", `The model has ${codes} codes (0–${codes - 1}).`);
  const buf = readFileSync(p.path(rel));
  const all = new Int32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const counts = Array.from({ length: all.length / tokens }, (_, c) => {
    let n = 0;
    for (let t = 0; t < tokens; t++) if (all[c * tokens + t] === code) n++;
    return n;
  });
  return { code, counts, tokens, cells: counts.filter((n) => n > 0).length };
}

const architecture = obj(
  Object.fromEntries(ARCHITECTURE_KEYS.map((k) => [k, optional(within(L[k]))])) as {
    [K in (typeof ARCHITECTURE_KEYS)[number]]: Schema<number | undefined>;
  },
);

export const SCPALM_METHODS = {
  "scpalm.plan": method(obj(project), (s, i) => plan(s, i.project)),
  "scpalm.train": method(
    obj({
      ...project,
      mode: oneOf(["pretrain", "finetune"] as const),
      datasets: list(id, { min: L.datasets.min, max: L.datasets.max }),
      config: oneOf(["desktop", "paper"] as const),
      epochs: optional(within(L.epochs)),
      seed: within(L.seed),
      architecture: optional(architecture),
      from: optional(id),
    }),
    (s, { project: dir, ...settings }) => train(s, dir, settings),
  ),
  "scpalm.resume": method(obj({ ...project, runId: id }), (s, i) => resume(s, i.project, i.runId)),
  "scpalm.checkpoints": method(obj({ ...project, runId: id }), (s, i) => checkpoints(s, i.project, i.runId)),
  "scpalm.pathways": method(obj({ ...project, dataset: id, model: optional(id), top: within(L.top) }), (s, { project: dir, ...settings }) =>
    pathways(s, dir, { mode: "pathways", ...settings }),
  ),
  "scpalm.result": method(obj({ ...project, runId: id }), (s, i) => result(s, i.project, i.runId)),
  "scpalm.tokenCells": method(obj({ ...project, runId: id, code: int({ min: 0, max: 100_000 }) }), (s, i) =>
    tokenCells(s, i.project, i.runId, i.code),
  ),
};

/** The run's PDF report: its title and the HTML the worker wrote. */
export async function scpalmRunReport(p: Project, runId: number): Promise<{ title: string; html: string }> {
  const run = scpalmRun(p, runId);
  const html = artifact(p, runId, "html");
  if (!html || run.status !== "succeeded") throw new ApiError("not-found", `Run ${runId} has no result to report.`);
  const what = isTraining(settingsOf(run)) ? "scPaLM training" : "scPaLM pathway tokens";
  return { title: `${what} (run ${runId})`, html: readFileSync(p.path(html), "utf8") };
}
