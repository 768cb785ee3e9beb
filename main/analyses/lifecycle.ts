/**
 * The one lifecycle of an analysis run, the same for the CLI and the Studio API: with a project, the run is opened
 * (running) before any work, its progress recorded at most once a second, and it ends succeeded (with what the
 * analysis records: files, metrics, device), cancelled, or failed with the error's message; without one, the job just
 * runs. The work happens in a worker thread (`serve.ts`); events come out, cancel goes in.
 */
import { mkdirSync } from "node:fs";
import { basename, join, sep } from "node:path";
import { atomicWrite } from "../io/csv.js";
import { checkInputs, type Input } from "../io/inputs.js";
import { claimPath, type Project } from "../store/project.js";
import { RUN_MARK, type RunMark } from "../store/run-mark.js";
import { claimedOutputs, claimOutputs, createRun, finishRun, markRunning, recordProgress } from "../store/runs.js";
import { startWorkerJob } from "../workers/job.js";
import { type AnalysisFiles, checkFiles, outputClaims } from "./files.js";
import type { JobOutcome } from "./serve.js";
import { type AnalysisEvent, type LossPoint, lossPoint } from "./stages.js";

/** What the lifecycle needs of an analysis. Its job's input carries `options`: what it computes from (files,
 *  columns, settings); the rest (where it writes, …) may depend on the run's folder. */
export interface Analysis<I extends { options: unknown }, S extends { seconds: Record<string, number> }> {
  /** The run's kind in the project store. */
  kind: string;
  /** Its worker module (which calls `serveAnalysis`). */
  worker: URL;
  /** Type only, never set: ties the analysis to its job's input, so a caller cannot start it with another's. */
  readonly input?: I;
  /** The files and folders it reads, checked (`checkInputs`) before anything opens them. */
  inputs(options: I["options"]): readonly Input[];
  /** The files a job with this input writes, checked (`checkFiles`) before the run is recorded. */
  files(input: I): AnalysisFiles;
  /** What only reading the inputs can tell (a cell column that is missing or cannot group cells, …), checked before
   *  the run is recorded; throws a SettingError naming every problem (a DataError for an unreadable file). */
  check(options: I["options"]): Promise<void>;
  /** Records what a finished job produced (files, metrics, device); the lifecycle then marks the run succeeded, in
   *  the same transaction. */
  record(p: Project, runId: number, summary: S): void;
}

export interface RunInProject {
  project: Project;
  /** The settings as the run keeps them (shown by the app, reused to repeat it). */
  config: unknown;
  datasetIds: readonly number[];
}

/** Where a run stands: the last stage announced and the whole run's progress in [0, 1]. */
export interface RunState {
  stage: string;
  fraction: number;
}

export interface RunOptions<I extends { options: unknown }> {
  /** What the job computes from, checked by the analysis (`check`) before anything is recorded. */
  options: I["options"];
  /** The rest of the job's input, given the run's own folder in the project (null when the run is not recorded). */
  input: (folder: string | null) => Omit<I, "options">;
  record?: RunInProject;
  /** Each event, with where the run stands after it. */
  onEvent?: (e: AnalysisEvent, state: Readonly<RunState>) => void;
}

export type Outcome<S> = { status: "succeeded"; summary: S } | { status: "cancelled"; seconds: Record<string, number> };

export interface AnalysisRun<S> {
  runId: number | null;
  /** Resolves with the outcome; rejects with the job's error (recorded as the run's failure). */
  readonly done: Promise<Outcome<S>>;
  /** Asks the job to stop at its next stop point. */
  cancel(): void;
}

const RECORD_EVERY_MS = 1000;

/** A job's error in the project's words: a message about a dataset's stored file ("3.h5ad: expected …", as `DataError`
 *  begins) names the dataset as the user named it. */
function inProjectWords(p: Project, datasetIds: readonly number[], e: unknown): Error {
  let message = e instanceof Error ? e.message : String(e);
  for (const id of datasetIds) {
    const d = p.dataset(id);
    if (d.file) message = message.replaceAll(`${basename(d.file)}: `, `dataset '${d.name}': `);
  }
  // The error keeps its class (a DataError stays exit 3 / HTTP 422, a disk-full error exit 5 / 507).
  if (e instanceof Error) {
    e.message = message;
    return e;
  }
  return new Error(message);
}

/** Checks the run (its inputs before anything opens them, its data, then its outputs), opens it and starts its job:
 *  a refused run leaves no trace. */
export async function runAnalysis<I extends { options: unknown }, S extends { seconds: Record<string, number> }>(
  a: Analysis<I, S>,
  o: RunOptions<I>,
): Promise<AnalysisRun<S>> {
  const p = o.record?.project ?? null;
  const inputs = a.inputs(o.options);
  checkInputs(inputs);
  await a.check(o.options);
  // The outputs are checked in the transaction that creates the run (the run's folder is named by its id; the other
  // runs' claims are read in it, so two runs cannot claim one place), which rolls back on a refusal.
  const prepare = (folder: string | null, id: number | null) => {
    const input = { ...o.input(folder), options: o.options } as I;
    const files = a.files(input);
    checkFiles(files, inputs, folder, p && id !== null ? claimedOutputs(p, id) : []);
    const claims = outputClaims(files);
    if (p && id !== null) claimOutputs(p, id, claims);
    return { input, claims };
  };
  const { runId, folder, input, claims } = p
    ? p.db
        .transaction(() => {
          const id = createRun(p, a.kind, o.record!.config, o.record!.datasetIds);
          const folder = p.path("runs", String(id));
          const prepared = prepare(folder, id);
          claimPath(p, join("runs", String(id)));
          return { runId: id, folder, ...prepared };
        })
        .immediate()
    : { runId: null, folder: null, ...prepare(null, null) };
  if (p) {
    markRunning(p, runId!);
    mkdirSync(folder!, { recursive: true });
    // A result folder made outside the project is marked as this run's (`markedRun`), for commands without it.
    for (const c of claims)
      if (c.folder && !c.path.startsWith(p.dir + sep)) {
        mkdirSync(c.path, { recursive: true });
        atomicWrite(join(c.path, RUN_MARK), JSON.stringify({ project: p.dir, runId: runId!, kind: a.kind } satisfies RunMark));
      }
  }
  const losses: LossPoint[] = [];
  const state: RunState = { stage: "starting", fraction: 0 };
  let lastRecorded = 0;
  const onEvent = (e: AnalysisEvent) => {
    if (e.type === "training") {
      state.fraction = e.fraction;
      const point = lossPoint(e);
      if (point) losses.push(point);
      const { phase, epoch, epochs } = e.progress;
      const now = performance.now();
      if (p && now - lastRecorded > RECORD_EVERY_MS) {
        lastRecorded = now;
        recordProgress(p, runId!, state.fraction, `${e.variant}: ${phase}, epoch ${epoch + 1}/${epochs}`);
      }
    } else {
      state.stage = e.stage;
      if (e.fraction !== null) state.fraction = e.fraction;
      if (p) recordProgress(p, runId!, state.fraction, e.stage);
    }
    o.onEvent?.(e, state);
  };
  let job: ReturnType<typeof startWorkerJob<AnalysisEvent, JobOutcome<S>>>;
  try {
    job = startWorkerJob<AnalysisEvent, JobOutcome<S>>(a.kind, a.worker, input, onEvent);
  } catch (e) {
    if (p) finishRun(p, runId!, "failed", { error: (e as Error).message });
    throw e;
  }
  const done = (async (): Promise<Outcome<S>> => {
    try {
      const r = await job.done;
      if (p && losses.length) atomicWrite(join(folder!, "losses.json"), JSON.stringify(losses));
      if (r.stopped) {
        if (p) finishRun(p, runId!, "cancelled", { timings: r.seconds });
        return { status: "cancelled", seconds: r.seconds };
      }
      if (p)
        p.db.transaction(() => {
          a.record(p, runId!, r.summary);
          finishRun(p, runId!, "succeeded", { timings: r.summary.seconds });
        })();
      return { status: "succeeded", summary: r.summary };
    } catch (e) {
      // The job failed, or recording its result did (that transaction rolled back): the run says why.
      if (!p) throw e;
      const failure = inProjectWords(p, o.record!.datasetIds, e);
      finishRun(p, runId!, "failed", { error: failure.message });
      throw failure;
    }
  })();
  return { runId, done, cancel: job.cancel };
}
