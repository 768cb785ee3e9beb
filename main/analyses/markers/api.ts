/**
 * The markers analysis's API methods: the plan (the integration result's cell columns, defaults and limits), starting
 * a run on an integration result, its result view and one module's score per cell.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { MarkersPlan, MarkersSummary, MarkersView } from "../../api/contract.js";
import { ApiError } from "../../api/errors.js";
import { id, method, path, project } from "../../api/method.js";
import { int, list, obj, str, within } from "../../api/schema.js";
import type { Studio } from "../../api/studio.js";
import { runCard } from "../../api/views.js";
import { withH5ad } from "../../io/h5ad/read.js";
import type { Project } from "../../store/project.js";
import { artifact, artifacts, getRun, metrics, runDatasetIds } from "../../store/runs.js";
import { describeColumn, suggestColumns } from "../columns.js";
import { integrationResultFile } from "../integrate/api.js";
import type { IntegrationSettings } from "../integrate/settings.js";
import { MARKERS } from "./analysis.js";
import { MARKERS_DEFAULTS, MARKERS_LIMITS, MAX_GMT_FILES, type MarkersSettings } from "./settings.js";

/** The groupings a result offers for markers (its cell columns), with the run's label column suggested. */
async function plan(s: Studio, dir: string, sourceRun: number): Promise<MarkersPlan> {
  const p = s.project(dir);
  const file = integrationResultFile(p, sourceRun);
  const { obs, genes } = await withH5ad(file, (h) => ({ obs: h.readFrame("obs"), genes: h.readFrame("var").index.length }));
  const columns = [...obs.columns].map(([n, c]) => describeColumn(n, c)).filter((c) => c.kind !== "numeric" || c.distinct <= 20);
  const label = (JSON.parse(getRun(p, sourceRun).config_json) as Partial<IntegrationSettings>).label ?? null;
  const usable = (n: string | null) => (columns.some((c) => c.name === n && c.labelNote === null) ? n : null);
  return {
    sourceRun,
    cells: obs.index.length,
    genes,
    columns,
    suggested: usable(label) ?? suggestColumns(columns).label ?? usable("leiden"),
    defaults: MARKERS_DEFAULTS,
    limits: MARKERS_LIMITS,
  };
}

/** Opens a markers run on the integration result (the lifecycle checks the grouping and gene-set files first) and
 *  starts its job. */
async function start(s: Studio, dir: string, settings: MarkersSettings): Promise<{ runId: number }> {
  const p = s.project(dir);
  const file = integrationResultFile(p, settings.sourceRun);
  const { sourceRun, groupby, neighbors, resolution, gmt } = settings;
  const runId = await s.startRun(p, MARKERS, {
    config: settings,
    datasetIds: runDatasetIds(p, sourceRun),
    options: { file, groupby, neighbors, resolution, gmt },
    input: (folder) => ({
      folder,
      context: { source: `run ${sourceRun} (${basename(file)})`, groupby, appVersion: s.version },
      pdf: false,
    }),
  });
  return { runId };
}

async function result(s: Studio, dir: string, runId: number): Promise<MarkersView> {
  const p = s.project(dir);
  const run = getRun(p, runId);
  if (run.kind !== MARKERS.kind) throw new ApiError("bad-request", `Run ${runId} is not a markers run.`);
  if (run.status !== "succeeded") throw new ApiError("not-found", `Run ${runId} has no result (${run.status}).`);
  const files = artifacts(p, runId);
  const view = files.find((f) => f.kind === "view");
  if (!view) throw new ApiError("not-found", `Run ${runId} has no result file.`);
  const summary = JSON.parse(readFileSync(p.path(view.path), "utf8")) as MarkersSummary;
  const card = runCard(p, run);
  return {
    ...summary,
    run: card,
    settings: card.markers!,
    files: files.filter((f) => !["view", "scores", "html"].includes(f.kind)).map((f) => ({ kind: f.kind, path: p.path(f.path) })),
  };
}

/** One module's score in every cell (scanpy's score_genes), for colouring the cell UMAP. */
function moduleScores(
  s: Studio,
  dir: string,
  runId: number,
  module: number,
): { module: number; values: number[]; min: number; max: number } {
  const p = s.project(dir);
  const rel = artifact(p, runId, "scores");
  // The scores file holds one column per module; the run's "modules" metric says how many.
  const modules = metrics(p, runId).find((m) => m.name === "modules")?.value;
  if (!rel || !modules) throw new ApiError("not-found", `Run ${runId} has no module scores.`);
  if (module >= modules) throw new ApiError("not-found", `Run ${runId} has ${modules} modules (0–${modules - 1}).`);
  const buf = readFileSync(p.path(rel));
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const values = Array.from({ length: all.length / modules }, (_, c) => all[c * modules + module]!);
  let min = 0;
  let max = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { module, values, min, max };
}

export const MARKERS_METHODS = {
  "markers.plan": method(obj({ ...project, runId: id }), (s, i) => plan(s, i.project, i.runId)),
  "markers.start": method(
    obj({
      ...project,
      sourceRun: id,
      groupby: str({ min: 1, max: 200 }),
      neighbors: within(MARKERS_LIMITS.neighbors),
      resolution: within(MARKERS_LIMITS.resolution),
      gmt: list(path, { max: MAX_GMT_FILES }),
    }),
    (s, i) =>
      start(s, i.project, { sourceRun: i.sourceRun, groupby: i.groupby, neighbors: i.neighbors, resolution: i.resolution, gmt: i.gmt }),
  ),
  "markers.result": method(obj({ ...project, runId: id }), (s, i) => result(s, i.project, i.runId)),
  "markers.scores": method(obj({ ...project, runId: id, module: int({ min: 0, max: 100_000 }) }), (s, i) =>
    moduleScores(s, i.project, i.runId, i.module),
  ),
};

/** The run's PDF report: its title and the HTML the worker wrote. */
export async function markersRunReport(p: Project, runId: number): Promise<{ title: string; html: string }> {
  const html = artifact(p, runId, "html");
  if (!html || getRun(p, runId).status !== "succeeded") throw new ApiError("not-found", `Run ${runId} has no result to report.`);
  return { title: `Markers and gene modules (run ${runId})`, html: readFileSync(p.path(html), "utf8") };
}
