/**
 * What a project holds, as the app and the CLI show it: one shape for datasets and runs (the Studio API's
 * `ProjectView`), read from the project store.
 */
import type { DatasetSummary } from "../store/import.js";
import type { Project } from "../store/project.js";
import { listRuns, type RunRow, runDatasetIds } from "../store/runs.js";
import type {
  DatasetCard,
  DrugSettings,
  ImputeSettings,
  IntegrationSettings,
  MarkersSettings,
  ProjectView,
  RunCard,
  ScPaLMSettings,
} from "./contract.js";

export function projectView(p: Project, events = 30): ProjectView {
  return {
    dir: p.dir,
    name: p.name,
    datasets: p.datasets().map(datasetCard),
    runs: listRuns(p).map((r) => runCard(p, r)),
    events: p.events(events).map((e) => ({ ts: e.ts, level: e.level, message: e.message })),
  };
}

export function runCard(p: Project, r: RunRow): RunCard {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    progress: r.progress,
    phase: r.phase,
    device: r.device,
    error: r.error,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    datasets: runDatasetIds(p, r.id),
    config: r.kind === "integrate" ? (JSON.parse(r.config_json) as IntegrationSettings) : null,
    markers: r.kind === "markers" ? (JSON.parse(r.config_json) as MarkersSettings) : null,
    impute: r.kind === "impute" ? imputeSettings(r.config_json) : null,
    drugs: r.kind === "drug-response" ? drugSettings(r.config_json) : null,
    scpalm: r.kind === "scpalm" ? (JSON.parse(r.config_json) as ScPaLMSettings) : null,
    timings: r.timings_json ? (JSON.parse(r.timings_json) as Record<string, number>) : null,
  };
}

/** The settings of an imputation started from the app (a CLI run keeps its command-line options instead). */
function imputeSettings(json: string): ImputeSettings | null {
  const c = JSON.parse(json) as Partial<ImputeSettings>;
  return c.mode === "panel" || c.mode === "dropouts" ? (c as ImputeSettings) : null;
}

/** The settings of a drug-response run started from the app (a CLI run keeps its command-line options instead). */
function drugSettings(json: string): DrugSettings | null {
  const c = JSON.parse(json) as Partial<DrugSettings>;
  return typeof c.dataset === "number" && typeof c.groupby === "string" ? (c as DrugSettings) : null;
}

function datasetCard(d: ReturnType<Project["dataset"]>): DatasetCard {
  return {
    id: d.id,
    name: d.name,
    status: d.status,
    format: d.format,
    cells: d.n_obs,
    genes: d.n_vars,
    error: d.error,
    summary: d.summary_json ? (JSON.parse(d.summary_json) as DatasetSummary) : null,
    createdAt: d.created_at,
  };
}
