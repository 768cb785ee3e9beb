/**
 * The renderer's door to the engine. In the desktop window the preload script exposes `window.studio` (Electron IPC);
 * in browser mode the same methods go over HTTP and events over a WebSocket to the local web host. Pages only see
 * the typed functions below.
 */
import type {
  DrugPlan,
  DrugSettings,
  DrugView,
  Home,
  ImputeGeneValues,
  ImputePlan,
  ImputeSettings,
  ImputeView,
  IntegrationPlan,
  IntegrationSettings,
  MarkersPlan,
  MarkersSettings,
  MarkersView,
  MoleculeCheck,
  PriorCoverage,
  ProjectView,
  RunResult,
  ScalingAdviceView,
  ScPaLMCheckpoints,
  ScPaLMPathwaysSettings,
  ScPaLMPlan,
  ScPaLMTrainingSettings,
  ScPaLMView,
  StudioEvent,
} from "../../../main/api/contract";

export type * from "../../../main/api/contract";

interface ErrorBody {
  kind: string;
  message: string;
  data?: { file: string; expected: string; found: string; hint?: string };
}

/** What the Electron preload exposes (see electron/preload.cjs). */
export interface StudioBridge {
  call(method: string, payload: unknown): Promise<{ result?: unknown; error?: ErrorBody }>;
  onEvent(listener: (e: StudioEvent) => void): () => void;
  pathForFile(file: File): string;
  chooseFolder(): Promise<string | null>;
  chooseFiles(): Promise<string[]>;
}

declare global {
  interface Window {
    studio?: StudioBridge;
  }
}

export class ApiFailure extends Error {
  readonly kind: string;
  readonly data: ErrorBody["data"];
  constructor(body: ErrorBody) {
    super(body.message);
    this.kind = body.kind;
    this.data = body.data;
  }
}

export const desktop = typeof window !== "undefined" && window.studio !== undefined;

async function call<T>(method: string, payload: object = {}): Promise<T> {
  if (window.studio) {
    const r = await window.studio.call(method, payload);
    if (r.error) throw new ApiFailure(r.error);
    return r.result as T;
  }
  let res: Response;
  try {
    res = await fetch(`api/${method}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload) });
  } catch {
    throw new ApiFailure({
      kind: "offline",
      message: "sciLaMA Studio is not running any more (the page lost its connection). Start it again.",
    });
  }
  const body = (await res.json().catch(() => ({ error: { kind: "internal", message: `HTTP ${res.status}` } }))) as {
    result?: T;
    error?: ErrorBody;
  };
  if (body.error) throw new ApiFailure(body.error);
  return body.result as T;
}

export const api = {
  home: () => call<Home>("home"),
  createProject: (name: string, dir?: string) => call<ProjectView>("project.create", dir ? { name, dir } : { name }),
  openProject: (dir: string) => call<ProjectView>("project.open", { dir }),
  view: (project: string) => call<ProjectView>("project.view", { project }),
  importPath: (project: string, path: string, name?: string) =>
    call<{ ticket: string }>("dataset.import", name ? { project, path, name } : { project, path }),
  renameDataset: (project: string, id: number, name: string) => call<ProjectView>("dataset.rename", { project, id, name }),
  removeDataset: (project: string, id: number) => call<ProjectView>("dataset.remove", { project, id }),
  plan: (project: string, datasets: number[]) => call<IntegrationPlan>("integration.plan", { project, datasets }),
  coverage: (project: string, datasets: number[], prior: string) =>
    call<PriorCoverage>("integration.coverage", { project, datasets, prior }),
  scalingAdvice: (project: string, datasets: number[], batch: string, label: string) =>
    call<ScalingAdviceView>("integration.scaling", { project, datasets, batch: batch || undefined, label: label || undefined }),
  startIntegration: (project: string, s: IntegrationSettings) =>
    call<{ runId: number }>("integration.start", {
      project,
      ...s,
      batch: s.batch ?? undefined,
      label: s.label ?? undefined,
    }),
  imputePlan: (project: string, target: number, reference: number | null) =>
    call<ImputePlan>("impute.plan", reference === null ? { project, target } : { project, target, reference }),
  imputeCoverage: (project: string, dataset: number, prior: string) => call<PriorCoverage>("impute.coverage", { project, dataset, prior }),
  startImpute: (project: string, s: ImputeSettings) => {
    const { mode, ...rest } = s;
    return call<{ runId: number }>(mode === "panel" ? "impute.startPanel" : "impute.startDropouts", { project, ...rest });
  },
  imputeResult: (project: string, runId: number) => call<ImputeView>("impute.result", { project, runId }),
  imputeGene: (project: string, runId: number, gene: string) => call<ImputeGeneValues>("impute.gene", { project, runId, gene }),
  drugPlan: (project: string, dataset: number) => call<DrugPlan>("drugs.plan", { project, dataset }),
  drugMolecule: (smiles: string) => call<MoleculeCheck>("drugs.molecule", { smiles }),
  startDrugs: (project: string, s: DrugSettings) => call<{ runId: number }>("drugs.start", { project, ...s }),
  drugResult: (project: string, runId: number) => call<DrugView>("drugs.result", { project, runId }),
  cancelRun: (project: string, runId: number) => call<null>("run.cancel", { project, runId }),
  result: (project: string, runId: number) => call<RunResult>("run.result", { project, runId }),
  gene: (project: string, runId: number, gene: string) =>
    call<{ gene: string; values: number[]; max: number }>("run.gene", { project, runId, gene }),
  report: (project: string, runId: number) => call<{ path: string; url: string }>("run.report", { project, runId }),
  markersPlan: (project: string, runId: number) => call<MarkersPlan>("markers.plan", { project, runId }),
  startMarkers: (project: string, s: MarkersSettings) => call<{ runId: number }>("markers.start", { project, ...s }),
  markersResult: (project: string, runId: number) => call<MarkersView>("markers.result", { project, runId }),
  moduleScores: (project: string, runId: number, module: number) =>
    call<{ module: number; values: number[]; min: number; max: number }>("markers.scores", { project, runId, module }),
  scpalmPlan: (project: string) => call<ScPaLMPlan>("scpalm.plan", { project }),
  /** A training as the wizard (or "run again") starts it; a resume goes through `scpalmResume`. */
  scpalmTrain: (project: string, s: ScPaLMTrainingSettings) => {
    const { resumes: _resumes, ...settings } = s;
    return call<{ runId: number }>("scpalm.train", { project, ...settings });
  },
  scpalmResume: (project: string, runId: number) => call<{ runId: number }>("scpalm.resume", { project, runId }),
  scpalmCheckpoints: (project: string, runId: number) => call<ScPaLMCheckpoints>("scpalm.checkpoints", { project, runId }),
  scpalmPathways: (project: string, s: ScPaLMPathwaysSettings) => {
    const { mode: _mode, ...settings } = s;
    return call<{ runId: number }>("scpalm.pathways", { project, ...settings });
  },
  scpalmResult: (project: string, runId: number) => call<ScPaLMView>("scpalm.result", { project, runId }),
  tokenCells: (project: string, runId: number, code: number) =>
    call<{ code: number; counts: number[]; tokens: number; cells: number }>("scpalm.tokenCells", { project, runId, code }),
};

/** Subscribes to engine events (reconnecting in browser mode); returns the unsubscribe function. */
export function onEvent(listener: (e: StudioEvent) => void): () => void {
  if (window.studio) return window.studio.onEvent(listener);
  let ws: WebSocket | null = null;
  let closed = false;
  const connect = () => {
    ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/events`);
    ws.onmessage = (m) => listener(JSON.parse(String(m.data)) as StudioEvent);
    ws.onclose = () => {
      if (!closed) setTimeout(connect, 1000);
    };
  };
  connect();
  return () => {
    closed = true;
    ws?.close();
  };
}

/** Imports a dropped file: by path in the desktop app, by upload (with progress) in the browser. */
export async function importFile(project: string, file: File, onUpload: (fraction: number) => void): Promise<{ ticket: string }> {
  return api.importPath(project, await localPath(project, file, onUpload), stem(file.name));
}

/** A path the engine can read for a chosen file: its own path in the desktop app, else a copy uploaded into the
 *  project. */
export function localPath(project: string, file: File, onUpload: (fraction: number) => void = () => {}): Promise<string> {
  if (window.studio) return Promise.resolve(window.studio.pathForFile(file));
  return new Promise<string>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `upload?project=${encodeURIComponent(project)}&name=${encodeURIComponent(file.name)}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onUpload(e.loaded / e.total);
    xhr.onload = () => {
      const body = JSON.parse(xhr.responseText || "{}") as { result?: { path: string }; error?: ErrorBody };
      if (body.result) resolve(body.result.path);
      else reject(new ApiFailure(body.error ?? { kind: "internal", message: `upload failed (HTTP ${xhr.status})` }));
    };
    xhr.onerror = () => reject(new ApiFailure({ kind: "offline", message: "The upload was interrupted." }));
    xhr.send(file);
  });
}

const stem = (name: string) => name.replace(/(\.h5ad|\.h5|\.csv|\.tsv|\.txt|\.mtx)?(\.gz)?$/i, "");
