/**
 * The Studio session behind both hosts: the projects it opened, the listeners of its events and the runs it started.
 * Projects, datasets and imports are answered here; each analysis's questions (plans, starts, results) come from its
 * own folder (`analyses/<kind>/api.ts`, listed in `analyses/registry.ts`), which starts runs through `startRun` —
 * the lifecycle every analysis shares. Progress is pushed as `StudioEvent`s.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { type Analysis, type AnalysisRun, type RunState, runAnalysis } from "../analyses/lifecycle.js";
import { type AnalysisEvent, lossPoint } from "../analyses/stages.js";
import { checkInputs } from "../io/inputs.js";
import { printPdf } from "../report/pdf.js";
import { removeDataset, renameDataset } from "../store/datasets.js";
import { ensureDemoProject, recentProjects, studioHome, touchRecent } from "../store/home.js";
import { startImportJob } from "../store/import-job.js";
import { Project } from "../store/project.js";
import { listRuns } from "../store/runs.js";
import type { Home, ProjectView, StudioEvent } from "./contract.js";
import { ApiError } from "./errors.js";
import { projectView } from "./views.js";

/** How a run is started: the settings it keeps, the datasets it used, what its job computes from (checked by the
 *  analysis before the run is recorded) and the rest of its input given its folder. */
export interface RunStart<I extends { options: unknown }> {
  config: unknown;
  datasetIds: readonly number[];
  options: I["options"];
  input: (folder: string) => Omit<I, "options">;
}

export class Studio {
  private readonly projects = new Map<string, Project>();
  private readonly listeners = new Set<(e: StudioEvent) => void>();
  private readonly runs = new Map<string, AnalysisRun<unknown>>();
  private memory: { key: string; value: Promise<unknown> } | null = null;
  private tickets = 0;

  /** `print` turns report HTML into a PDF file (Chromium here, Electron's printToPDF in the desktop app). */
  constructor(
    readonly version: string,
    readonly print: (html: string, out: string) => Promise<string> = printPdf,
  ) {}

  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: (e: StudioEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: StudioEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** Stops running jobs (they are recorded as cancelled) and closes the projects. */
  async close(): Promise<void> {
    for (const run of this.runs.values()) run.cancel();
    await Promise.allSettled([...this.runs.values()].map((run) => run.done));
    for (const p of this.projects.values()) p.close();
    this.projects.clear();
  }

  /** The project in `dir`, opened once per session. */
  project(dir: string): Project {
    const abs = resolve(dir);
    let p = this.projects.get(abs);
    if (!p) {
      p = Project.open(abs);
      this.projects.set(abs, p);
    }
    return p;
  }

  /** The last value loaded under `key` (one slot: the result page the user is looking at), else `load()`'s. */
  remember<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.memory?.key !== key) {
      const value = load();
      this.memory = { key, value };
      value.catch(() => {
        if (this.memory?.value === value) this.memory = null;
      });
    }
    return this.memory.value as Promise<T>;
  }

  // —— home and projects ——

  async home(): Promise<Home> {
    const demo = await ensureDemoProject();
    if (!recentProjects().some((r) => r.dir === demo)) touchRecent(demo);
    const recent = recentProjects().map((r) => {
      if (!existsSync(join(r.dir, "project.sqlite")))
        return { dir: r.dir, name: basename(r.dir), openedAt: r.openedAt, missing: true, datasets: 0, runs: 0 };
      const p = this.project(r.dir);
      return {
        dir: p.dir,
        name: p.name,
        openedAt: r.openedAt,
        missing: false,
        datasets: p.datasets("ready").length,
        runs: listRuns(p).length,
      };
    });
    return { recent, demo, projectsRoot: join(studioHome(), "projects"), version: this.version };
  }

  createProject(name: string, dir?: string): ProjectView {
    const target = dir ?? join(studioHome(), "projects", slug(name));
    if (!dir && existsSync(target))
      throw new ApiError("busy", `A project folder named '${basename(target)}' exists already; choose another name.`);
    const p = Project.create(target, name);
    this.projects.set(p.dir, p);
    touchRecent(p.dir);
    return this.view(p.dir);
  }

  openProject(dir: string): ProjectView {
    const view = this.view(dir);
    touchRecent(view.dir);
    return view;
  }

  view(dir: string): ProjectView {
    return projectView(this.project(dir));
  }

  // —— datasets ——

  /** Starts importing `source` into the project; progress and the outcome come as events with the ticket. Files
   *  uploaded by the browser (in the project's `uploads/`) are deleted once imported or refused. */
  importDataset(dir: string, source: string, name?: string): { ticket: string } {
    const p = this.project(dir).writable();
    if (!existsSync(source)) throw new ApiError("not-found", `There is no file or folder at ${source}.`);
    checkInputs([{ path: source, what: "the file to import", kind: "dataset" }]);
    const ticket = `import-${++this.tickets}`;
    const shown = name ?? basename(source);
    const job = startImportJob({ projectDir: p.dir, source, name: shown }, (progress) =>
      this.emit({ type: "import", project: p.dir, ticket, name: shown, phase: progress.phase, fraction: progress.fraction }),
    );
    const uploaded = source.startsWith(p.path("uploads") + sep) ? dirname(source) : null;
    job.done
      .then(
        (r) => this.emit({ type: "import-done", project: p.dir, ticket, name: shown, datasetId: r.id, error: null }),
        (e: Error) => this.emit({ type: "import-done", project: p.dir, ticket, name: shown, datasetId: null, error: e.message }),
      )
      .finally(() => {
        if (uploaded) rmSync(uploaded, { force: true, recursive: true });
      });
    return { ticket };
  }

  /** Where the web host streams a browser upload before importing it: a folder of its own, so the file keeps its
   *  name (messages about it name what the user dropped). */
  uploadPath(dir: string, fileName: string): string {
    const p = this.project(dir).writable();
    const folder = p.path("uploads", `${Date.now()}-${++this.tickets}`);
    mkdirSync(folder, { recursive: true });
    const safe =
      basename(fileName)
        .replace(/[^\w.\- ]+/g, "_")
        .slice(-120) || "upload";
    return join(folder, safe);
  }

  renameDataset(dir: string, id: number, name: string): ProjectView {
    renameDataset(this.project(dir), id, name);
    return this.view(dir);
  }

  /** Removes a dataset that no run used (runs keep their inputs). */
  removeDataset(dir: string, id: number): ProjectView {
    removeDataset(this.project(dir), id);
    return this.view(dir);
  }

  /** The chosen datasets, each ready (imported) and with its file's path. */
  readyDatasets(p: Project, ids: readonly number[]) {
    if (!ids.length) throw new ApiError("bad-request", "Choose at least one dataset.");
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice !== undefined) throw new ApiError("bad-request", `Dataset ${twice} is listed twice; list each dataset once.`);
    return ids.map((id) => {
      const d = p.dataset(id);
      if (d.status !== "ready" || !d.file) throw new ApiError("bad-request", `'${d.name}' is not ready (${d.status}).`);
      return { ...d, path: p.path(d.file) };
    });
  }

  // —— runs ——

  /** Checks a run of `analysis`, opens it in the project (marked running) and starts its job; its events are pushed
   *  to the renderer and its end is announced with `run-done`. The run id comes back once the job has started. */
  async startRun<I extends { options: unknown }, S extends { seconds: Record<string, number> }>(
    p: Project,
    analysis: Analysis<I, S>,
    start: RunStart<I>,
  ): Promise<number> {
    p.writable();
    const run: AnalysisRun<S> = await runAnalysis(analysis, {
      options: start.options,
      input: (folder) => start.input(folder!),
      record: { project: p, config: start.config, datasetIds: start.datasetIds },
      onEvent: (e, state) => this.emit(runEvent(p.dir, run.runId!, state, e)),
    });
    const runId = run.runId!;
    const key = `${p.dir}#${runId}`;
    this.runs.set(key, run as AnalysisRun<unknown>);
    run.done
      .then(
        (o) => ({ status: o.status, error: null }),
        (e: Error) => ({ status: "failed" as const, error: e.message }),
      )
      .then(({ status, error }) => {
        this.runs.delete(key);
        this.emit({ type: "run-done", project: p.dir, runId, status, error });
      });
    return runId;
  }

  cancelRun(dir: string, runId: number): void {
    const running = this.runs.get(`${this.project(dir).dir}#${runId}`);
    if (!running) throw new ApiError("not-found", `Run ${runId} is not running.`);
    running.cancel();
  }
}

/** A run's progress as the renderer receives it: the last announced stage and the run's fraction, with the
 *  training's details when the event is one. */
function runEvent(project: string, runId: number, state: Readonly<RunState>, e: AnalysisEvent): Extract<StudioEvent, { type: "run" }> {
  const base = { type: "run" as const, project, runId, stage: state.stage, fraction: state.fraction };
  if (e.type === "stage")
    return { ...base, variant: null, phase: null, epoch: null, epochs: null, etaSec: null, cellsPerSec: null, device: null, point: null };
  const p = e.progress;
  return {
    ...base,
    variant: e.variant,
    phase: p.phase,
    epoch: p.epoch,
    epochs: p.epochs,
    etaSec: p.etaSec,
    cellsPerSec: p.cellsPerSec,
    device: p.provider,
    point: lossPoint(e),
  };
}

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60) || "project";
