/**
 * The Studio API behind both hosts: projects, dataset imports, the integration wizard's questions, integration runs
 * and their results. Long work runs in worker threads (imports, training); progress is pushed as `StudioEvent`s.
 * One Studio serves one user session; it keeps the projects it opened, the jobs it started and the last result read.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { recordIntegration, startIntegrationRun } from "../analyses/integrate/export.js";
import { GeneInputs, type PriorChoice, priorChoiceOf } from "../analyses/integrate/gene-inputs.js";
import { startIntegrateJob } from "../analyses/integrate/job.js";
import { reportHtml } from "../analyses/integrate/report.js";
import { type ReportData, reportData } from "../analyses/integrate/report-data.js";
import { recordMarkers } from "../analyses/markers/export.js";
import { startMarkersJob } from "../analyses/markers/job.js";
import { readGmt } from "../analysis/enrichment.js";
import { MODULE_DEFAULTS } from "../analysis/modules.js";
import type { Matrix } from "../data/dataset.js";
import { type Column, cellText, columnLength, type Frame } from "../data/frame.js";
import { atomicWrite } from "../io/csv.js";
import { DataError } from "../io/errors.js";
import { H5adFile } from "../io/h5ad/read.js";
import { PRESETS } from "../models/scilama-train.js";
import { printPdf } from "../report/pdf.js";
import { ensureDemoProject, recentProjects, studioHome, touchRecent } from "../store/home.js";
import { startImportJob } from "../store/import-job.js";
import { now, Project } from "../store/project.js";
import {
  artifact,
  artifacts,
  createRun,
  finishRun,
  getRun,
  listRuns,
  markRunning,
  metrics,
  recordProgress,
  runDatasetIds,
  setArtifact,
} from "../store/runs.js";
import type { WorkerJob } from "../workers/job.js";
import { describeColumn, suggestColumns } from "./columns.js";
import type {
  Home,
  IntegrationPlan,
  IntegrationSettings,
  LossPoint,
  MarkersPlan,
  MarkersSettings,
  MarkersSummary,
  MarkersView,
  PriorCoverage,
  ProjectView,
  RunResult,
  StudioEvent,
} from "./contract.js";
import { ApiError } from "./errors.js";
import { projectView, runCard } from "./views.js";

const DATASET_COLUMN = "dataset";

interface LoadedResult {
  key: string;
  X: Matrix;
  genes: Map<string, number>;
  report: ReportData;
  result: Omit<RunResult, "run">;
}

export class Studio {
  private readonly projects = new Map<string, Project>();
  private readonly listeners = new Set<(e: StudioEvent) => void>();
  private readonly jobs = new Map<string, WorkerJob<unknown>>();
  private loaded: LoadedResult | null = null;
  private tickets = 0;

  /** `print` turns report HTML into a PDF file (Chromium here, Electron's printToPDF in the desktop app). */
  constructor(
    readonly version: string,
    private readonly print: (html: string, out: string) => Promise<string> = printPdf,
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
    for (const job of this.jobs.values()) job.cancel();
    await Promise.allSettled([...this.jobs.values()].map((job) => job.done));
    for (const p of this.projects.values()) p.close();
    this.projects.clear();
  }

  private project(dir: string): Project {
    const abs = resolve(dir);
    let p = this.projects.get(abs);
    if (!p) {
      p = Project.open(abs);
      this.projects.set(abs, p);
    }
    return p;
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
    const p = this.project(dir);
    if (!existsSync(source)) throw new ApiError("not-found", `There is no file or folder at ${source}.`);
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
    const p = this.project(dir);
    const folder = p.path("uploads", `${Date.now()}-${++this.tickets}`);
    mkdirSync(folder, { recursive: true });
    const safe =
      basename(fileName)
        .replace(/[^\w.\- ]+/g, "_")
        .slice(-120) || "upload";
    return join(folder, safe);
  }

  renameDataset(dir: string, id: number, name: string): ProjectView {
    const p = this.project(dir);
    p.dataset(id);
    p.db.prepare("UPDATE datasets SET name = ? WHERE id = ?").run(name, id);
    return this.view(dir);
  }

  /** Removes a dataset that no run used (runs keep their inputs). */
  removeDataset(dir: string, id: number): ProjectView {
    const p = this.project(dir);
    const d = p.dataset(id);
    if (d.status === "importing") throw new ApiError("busy", `'${d.name}' is still being imported.`);
    const used = p.db.prepare("SELECT run_id FROM run_datasets WHERE dataset_id = ?").all(id) as { run_id: number }[];
    if (used.length)
      throw new ApiError("busy", `'${d.name}' is the input of run ${used.map((u) => u.run_id).join(", ")}; it is kept with those results.`);
    p.db.transaction(() => {
      p.db.prepare("DELETE FROM datasets WHERE id = ?").run(id);
      p.log("info", "dataset-removed", `Removed dataset '${d.name}'`);
    })();
    if (d.file) rmSync(p.path(d.file), { force: true });
    return this.view(dir);
  }

  private readyDatasets(p: Project, ids: readonly number[]) {
    if (!ids.length) throw new ApiError("bad-request", "Choose at least one dataset.");
    return ids.map((id) => {
      const d = p.dataset(id);
      if (d.status !== "ready" || !d.file) throw new ApiError("bad-request", `'${d.name}' is not ready (${d.status}).`);
      return { ...d, path: p.path(d.file) };
    });
  }

  // —— the integration wizard ——

  async integrationPlan(dir: string, ids: readonly number[]): Promise<IntegrationPlan> {
    const p = this.project(dir);
    const chosen = this.readyDatasets(p, ids);
    const frames: Frame[] = [];
    const geneLists: string[][] = [];
    for (const d of chosen) {
      const f = await withH5ad(d.path, (h) => ({ obs: h.readFrame("obs"), genes: h.readFrame("var").index }));
      frames.push(f.obs);
      geneLists.push(f.genes);
    }
    const shared = sharedGenes(geneLists);
    const names = [...frames[0]!.columns.keys()].filter((n) => frames.every((f) => f.columns.has(n)));
    const cells = frames.reduce((a, f) => a + f.index.length, 0);
    // Several datasets: a column's values are compared across all of them (the combined column).
    const columns = names.map((n) => {
      const parts = frames.map((f) => f.columns.get(n)!);
      return parts.length === 1 ? describeColumn(n, parts[0]!) : describeColumn(n, joinColumns(parts));
    });
    return {
      cells,
      sharedGenes: shared.length,
      columns,
      datasetColumn: chosen.length > 1 ? DATASET_COLUMN : null,
      suggested: chosen.length > 1 ? { batch: DATASET_COLUMN, label: suggestColumns(columns).label } : suggestColumns(columns),
      presets: PRESETS,
      defaults: { hvg: 2000, seed: 0 },
    };
  }

  async priorCoverage(dir: string, ids: readonly number[], prior: string): Promise<PriorCoverage> {
    const p = this.project(dir);
    const chosen = this.readyDatasets(p, ids);
    const geneLists: string[][] = [];
    for (const d of chosen) geneLists.push(await withH5ad(d.path, (h) => h.readFrame("var").index));
    const inputs = await GeneInputs.load(priorChoice(prior), false);
    const c = inputs.coverage(sharedGenes(geneLists));
    return {
      prior: prior === "bundled" || ["self", "random", "shuffled"].includes(prior) ? prior : basename(prior),
      genes: c.datasetGenes,
      covered: c.covered.length,
      fraction: c.fraction,
      missingExamples: c.dropped.slice(0, 20),
    };
  }

  /** Checks the settings, opens the run (marked running) and starts the job; the run id comes back at once. */
  async startIntegration(dir: string, s: IntegrationSettings): Promise<{ runId: number }> {
    const p = this.project(dir);
    const chosen = this.readyDatasets(p, s.datasets);
    const plan = await this.integrationPlan(dir, s.datasets);
    const usable = (name: string | null, note: "batchNote" | "labelNote") => {
      if (!name || name === plan.datasetColumn) return;
      const c = plan.columns.find((x) => x.name === name);
      if (!c) throw new ApiError("bad-request", `There is no cell column '${name}' in every chosen dataset.`);
      if (c[note]) throw new ApiError("bad-request", `The column '${name}' ${c[note]}; choose another.`);
    };
    usable(s.batch, "batchNote");
    usable(s.label, "labelNote");
    const prior = priorChoice(s.prior);
    const runId = startIntegrationRun(
      p,
      s,
      chosen.map((d) => d.id),
    );
    const out = p.path("runs", String(runId), "result.h5ad");
    mkdirSync(dirname(out), { recursive: true });
    const losses: LossPoint[] = [];
    let lastRecorded = 0;
    let stage = "starting";
    const job = startIntegrateJob(
      {
        files: chosen.map((d) => d.path),
        names: chosen.map((d) => d.name),
        ...(s.batch && s.batch !== plan.datasetColumn ? { batch: s.batch } : {}),
        ...(s.label ? { label: s.label } : {}),
        prior,
        preset: s.preset,
        hyper: s.hyper,
        seed: s.seed,
        hvg: s.hvg,
        baselines: s.baselines,
      },
      out,
      {
        onStage: (st) => {
          stage = st;
          recordProgress(p, runId, getRun(p, runId).progress, st);
          this.emit(runEvent(p.dir, runId, st, null));
        },
        onProgress: (variant, pr, fraction) => {
          const point =
            pr.losses.loss === undefined
              ? null
              : { variant, phase: pr.phase, epoch: pr.epoch, elapsedSec: pr.elapsedSec, loss: pr.losses.loss };
          if (point) losses.push(point);
          const now = performance.now();
          if (now - lastRecorded > 1000) {
            lastRecorded = now;
            recordProgress(p, runId, fraction, `${variant}: ${pr.phase}, epoch ${pr.epoch + 1}/${pr.epochs}`);
          }
          this.emit({
            ...runEvent(p.dir, runId, stage, fraction),
            variant,
            phase: pr.phase,
            epoch: pr.epoch,
            epochs: pr.epochs,
            etaSec: pr.etaSec,
            cellsPerSec: pr.cellsPerSec,
            device: pr.provider,
            point,
          });
        },
      },
    );
    this.jobs.set(`${p.dir}#${runId}`, job);
    this.settle(p, runId, job, (r) => {
      atomicWrite(p.path("runs", String(runId), "losses.json"), JSON.stringify(losses));
      if (r.status === "stopped" || !r.written) {
        finishRun(p, runId, "cancelled", { timings: r.seconds });
        return "cancelled";
      }
      recordIntegration(p, runId, r, r.written);
      return "succeeded";
    });
    return { runId };
  }

  // —— the markers wizard ——

  /** The groupings a result offers for markers (its cell columns), with the run's label column suggested. */
  async markersPlan(dir: string, sourceRun: number): Promise<MarkersPlan> {
    const p = this.project(dir);
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
      defaults: { neighbors: MODULE_DEFAULTS.neighbors, resolution: MODULE_DEFAULTS.resolution },
    };
  }

  /** Checks the settings, opens a markers run on the integration result and starts the job in a worker. */
  async startMarkers(dir: string, s: MarkersSettings): Promise<{ runId: number }> {
    const p = this.project(dir);
    const file = integrationResultFile(p, s.sourceRun);
    const plan = await this.markersPlan(dir, s.sourceRun);
    const col = plan.columns.find((c) => c.name === s.groupby);
    if (!col) throw new ApiError("bad-request", `The result of run ${s.sourceRun} has no cell column '${s.groupby}'.`);
    if (col.labelNote) throw new ApiError("bad-request", `The column '${s.groupby}' ${col.labelNote}; choose another.`);
    for (const g of s.gmt) {
      try {
        readGmt(g);
      } catch (e) {
        throw new ApiError("bad-request", e instanceof DataError ? e.message : `The gene-set file ${basename(g)} cannot be read.`);
      }
    }
    const runId = createRun(p, "markers", s, runDatasetIds(p, s.sourceRun));
    markRunning(p, runId);
    const key = `${p.dir}#${runId}`;
    const job = startMarkersJob(
      { file, groupby: s.groupby, neighbors: s.neighbors, resolution: s.resolution, gmt: s.gmt },
      p.path("runs", String(runId)),
      { source: `run ${s.sourceRun} (${basename(file)})`, groupby: s.groupby, appVersion: this.version },
      (stage, fraction) => {
        recordProgress(p, runId, fraction, stage);
        this.emit(runEvent(p.dir, runId, stage, fraction));
      },
    );
    this.jobs.set(key, job);
    this.settle(p, runId, job, (r) => {
      if (r.status === "stopped") {
        finishRun(p, runId, "cancelled");
        return "cancelled";
      }
      recordMarkers(p, runId, r);
      return "succeeded";
    });
    return { runId };
  }

  async markersResult(dir: string, runId: number): Promise<MarkersView> {
    const p = this.project(dir);
    const run = getRun(p, runId);
    if (run.kind !== "markers") throw new ApiError("bad-request", `Run ${runId} is not a markers run.`);
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
  moduleScores(dir: string, runId: number, module: number): { module: number; values: number[]; min: number; max: number } {
    const p = this.project(dir);
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

  /** Records how a job ended (`finish` records what it returned; a failure is recorded here) and tells the renderer. */
  private settle<R>(p: Project, runId: number, job: WorkerJob<R>, finish: (r: R) => "succeeded" | "cancelled"): void {
    const key = `${p.dir}#${runId}`;
    job.done
      .then(
        (r) => ({ status: finish(r), error: null }),
        (e: Error) => {
          finishRun(p, runId, "failed", { error: e.message });
          return { status: "failed" as const, error: e.message };
        },
      )
      .then(({ status, error }) => {
        this.jobs.delete(key);
        this.emit({ type: "run-done", project: p.dir, runId, status, error });
      });
  }

  cancelRun(dir: string, runId: number): void {
    const p = this.project(dir);
    const running = this.jobs.get(`${p.dir}#${runId}`);
    if (!running) throw new ApiError("not-found", `Run ${runId} is not running.`);
    running.cancel();
  }

  // —— results ——

  async runResult(dir: string, runId: number): Promise<RunResult> {
    const p = this.project(dir);
    const run = runCard(p, getRun(p, runId));
    const loaded = await this.loadResult(p, runId);
    return { run, ...loaded.result };
  }

  /** Writes the run's PDF report into its folder (recorded as an artifact and in the reports table). */
  async report(dir: string, runId: number): Promise<{ path: string; url: string }> {
    const p = this.project(dir);
    const rel = join("runs", String(runId), "report.pdf");
    let title: string;
    if (getRun(p, runId).kind === "markers") {
      const html = artifact(p, runId, "html");
      if (!html || getRun(p, runId).status !== "succeeded") throw new ApiError("not-found", `Run ${runId} has no result to report.`);
      title = `Markers and gene modules (run ${runId})`;
      await this.print(readFileSync(p.path(html), "utf8"), p.path(rel));
    } else {
      const loaded = await this.loadResult(p, runId);
      title = loaded.report.title;
      await this.print(reportHtml({ ...loaded.report, createdAt: new Date().toISOString() }), p.path(rel));
    }
    p.db.transaction(() => {
      setArtifact(p, runId, "report", rel);
      p.db.prepare("INSERT INTO reports (run_id, title, path, created_at) VALUES (?, ?, ?, ?)").run(runId, title, rel, now());
      p.log("info", "report", `PDF report of run ${runId} written`, { runId });
    })();
    return { path: p.path(rel), url: `files/report?project=${encodeURIComponent(p.dir)}&runId=${runId}` };
  }

  /** The run's report file, if one was written. */
  reportFile(dir: string, runId: number): string {
    const p = this.project(dir);
    const rel = artifact(p, runId, "report");
    if (!rel || !existsSync(p.path(rel))) throw new ApiError("not-found", `Run ${runId} has no PDF report yet.`);
    return p.path(rel);
  }

  /** Log-normalised expression of one gene in every cell of a run's result (for colouring the UMAP). */
  async geneValues(dir: string, runId: number, gene: string): Promise<{ gene: string; values: number[]; max: number }> {
    const p = this.project(dir);
    const loaded = await this.loadResult(p, runId);
    const col = loaded.genes.get(gene) ?? loaded.genes.get(gene.toUpperCase());
    if (col === undefined)
      throw new ApiError("not-found", `The gene '${gene}' is not among the ${loaded.genes.size} genes of this result.`);
    const X = loaded.X;
    const values = new Array<number>(X.nRows).fill(0);
    if (X.kind === "csr") {
      for (let r = 0; r < X.nRows; r++)
        for (let k = X.indptr[r]!; k < X.indptr[r + 1]!; k++) if (X.indices[k] === col) values[r] = X.data[k]!;
    } else for (let r = 0; r < X.nRows; r++) values[r] = X.values[r * X.nCols + col]!;
    return { gene: [...loaded.genes.keys()][col]!, values, max: Math.max(0, ...values) };
  }

  private async loadResult(p: Project, runId: number): Promise<LoadedResult> {
    const key = `${p.dir}#${runId}`;
    if (this.loaded?.key === key) return this.loaded;
    const h5ad = integrationResultFile(p, runId);
    const files = artifacts(p, runId);
    const lossesFile = p.path("runs", String(runId), "losses.json");
    const datasets = runDatasetIds(p, runId).map((id) => {
      const d = p.dataset(id);
      return { name: d.name, cells: d.n_obs, genes: d.n_vars };
    });
    const report = await reportData(h5ad, {
      runId,
      project: p.name,
      datasets,
      losses: existsSync(lossesFile) ? (JSON.parse(readFileSync(lossesFile, "utf8")) as LossPoint[]) : [],
      appVersion: this.version,
    });
    const { X, genes } = await withH5ad(h5ad, (h) => ({ X: h.readX(), genes: h.readFrame("var").index }));
    this.loaded = {
      key,
      X,
      genes: new Map(genes.map((g, i) => [g, i])),
      report,
      result: {
        metrics: report.metrics,
        cells: report.cells,
        umap: report.umap ? Array.from(report.umap) : [],
        groups: report.groups.map((g) => ({ ...g, codes: Array.from(g.codes) })),
        genes,
        losses: report.losses,
        files: files.map((f) => ({ kind: f.kind, path: p.path(f.path) })),
      },
    };
    return this.loaded;
  }
}

/** The result file of a finished integration run. */
function integrationResultFile(p: Project, runId: number): string {
  const run = getRun(p, runId);
  if (run.kind !== "integrate") throw new ApiError("bad-request", `Run ${runId} is not an integration.`);
  if (run.status !== "succeeded") throw new ApiError("not-found", `Run ${runId} has no result (${run.status}).`);
  const rel = artifact(p, runId, "h5ad");
  if (!rel) throw new ApiError("not-found", `Run ${runId} has no result file.`);
  return p.path(rel);
}

function runEvent(project: string, runId: number, stage: string, fraction: number | null): Extract<StudioEvent, { type: "run" }> {
  return {
    type: "run",
    project,
    runId,
    stage,
    variant: null,
    phase: null,
    fraction: fraction ?? 0,
    epoch: null,
    epochs: null,
    etaSec: null,
    cellsPerSec: null,
    device: null,
    point: null,
  };
}

function priorChoice(prior: string): PriorChoice {
  const choice = priorChoiceOf([prior]);
  if (typeof choice === "string") throw new ApiError("bad-request", `The prior ${choice}.`);
  return choice;
}

async function withH5ad<T>(path: string, read: (h: H5adFile) => T): Promise<T> {
  const h = await H5adFile.open(path);
  try {
    return read(h);
  } finally {
    h.close();
  }
}

/** Genes present in every list, in the first list's order. */
function sharedGenes(lists: string[][]): string[] {
  const others = lists.slice(1).map((l) => new Set(l));
  return lists[0]!.filter((g) => others.every((o) => o.has(g)));
}

/** One column over several datasets: numeric if every part is, else the parts' values as text. */
function joinColumns(parts: Column[]): Column {
  if (parts.every((c) => c.kind === "numeric"))
    return { kind: "numeric", values: Float64Array.from(parts.flatMap((c) => Array.from(c.values as ArrayLike<number>, Number))) };
  return { kind: "string", values: parts.flatMap((c) => Array.from({ length: columnLength(c) }, (_, i) => cellText(c, i))) };
}

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60) || "project";
