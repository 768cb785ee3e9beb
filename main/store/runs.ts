import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve, sep } from "node:path";
import Database from "better-sqlite3";
import { NotInProjectError, now, PROJECT_FILE, type Project } from "./project.js";
import { RUN_MARK, type RunMark } from "./run-mark.js";

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export interface RunRow {
  id: number;
  kind: string;
  config_json: string;
  status: RunStatus;
  progress: number;
  phase: string | null;
  device: string | null;
  pid: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  timings_json: string | null;
  error: string | null;
}

export function createRun(p: Project, kind: string, config: unknown, datasetIds: readonly number[] = []): number {
  return p.db.transaction(() => {
    const id = Number(
      p.db
        .prepare("INSERT INTO runs (kind, config_json, status, created_at) VALUES (?, ?, 'queued', ?)")
        .run(kind, JSON.stringify(config), now()).lastInsertRowid,
    );
    // Each dataset once (a list naming one twice is the same input; the table keeps one row per dataset).
    for (const d of new Set(datasetIds)) p.db.prepare("INSERT INTO run_datasets (run_id, dataset_id) VALUES (?, ?)").run(id, d);
    return id;
  })();
}

/** The datasets a run was started on. */
export function runDatasetIds(p: Project, runId: number): number[] {
  return (p.db.prepare("SELECT dataset_id FROM run_datasets WHERE run_id = ?").all(runId) as { dataset_id: number }[]).map(
    (d) => d.dataset_id,
  );
}

export function getRun(p: Project, id: number): RunRow {
  const row = p.db.prepare("SELECT * FROM runs WHERE id = ?").get(id) as RunRow | undefined;
  if (!row) throw new NotInProjectError(`There is no run ${id} in this project.`);
  return row;
}

export function listRuns(p: Project): RunRow[] {
  return p.db.prepare("SELECT * FROM runs ORDER BY id").all() as RunRow[];
}

export function markRunning(p: Project, id: number): void {
  p.db
    .prepare(
      "UPDATE runs SET status = 'running', pid = ?, started_at = COALESCE(started_at, ?), finished_at = NULL, error = NULL WHERE id = ?",
    )
    .run(process.pid, now(), id);
}

export function recordProgress(p: Project, id: number, progress: number, phase: string): void {
  p.db.prepare("UPDATE runs SET progress = ?, phase = ? WHERE id = ?").run(Math.min(1, Math.max(0, progress)), phase, id);
}

/** The execution provider that actually ran (e.g. "cpu (2 threads)" or "cuda"). */
export function recordDevice(p: Project, id: number, device: string): void {
  p.db.prepare("UPDATE runs SET device = ? WHERE id = ?").run(device, id);
}

export function finishRun(
  p: Project,
  id: number,
  status: Exclude<RunStatus, "queued" | "running">,
  extra: { error?: string; timings?: unknown } = {},
): void {
  p.db
    .prepare(
      // A succeeded run is complete whatever its last progress report said (training ends before writing the result).
      "UPDATE runs SET status = ?, finished_at = ?, error = ?, timings_json = COALESCE(?, timings_json), pid = NULL, progress = CASE WHEN ? THEN 1 ELSE progress END WHERE id = ?",
    )
    .run(
      status,
      now(),
      extra.error ?? null,
      extra.timings === undefined ? null : JSON.stringify(extra.timings),
      status === "succeeded" ? 1 : 0,
      id,
    );
}

export function setMetric(p: Project, runId: number, name: string, value: number, context = ""): void {
  p.db
    .prepare(
      "INSERT INTO metrics (run_id, name, context, value) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, name, context) DO UPDATE SET value = excluded.value",
    )
    .run(runId, name, context, Number.isFinite(value) ? value : null);
}

export function metrics(p: Project, runId: number): { name: string; context: string; value: number | null }[] {
  return p.db.prepare("SELECT name, context, value FROM metrics WHERE run_id = ? ORDER BY id").all(runId) as {
    name: string;
    context: string;
    value: number | null;
  }[];
}

/** Records a file produced by a run (path relative to the project folder when inside it). */
export function setArtifact(p: Project, runId: number, kind: string, path: string): void {
  p.db.transaction(() => {
    p.db.prepare("DELETE FROM artifacts WHERE run_id = ? AND kind = ?").run(runId, kind);
    p.db
      .prepare("INSERT INTO artifacts (run_id, kind, path, bytes, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(runId, kind, path, statSync(p.path(path)).size, now());
  })();
}

/** A recorded run's files are not where the project says (its folder moved or deleted): "not found", saying where
 *  they were and what to do. The project still lists the run. */
export class RunFilesMissingError extends NotInProjectError {}

/** `rel`, a file run `runId` recorded, when it is there; refused in the user's words when it is not. Every reader of
 *  a run's result and report comes here (through `artifact`/`artifacts`), so none meets a missing file unprepared. */
function present(p: Project, runId: number, rel: string): string {
  const file = resolve(p.dir, rel);
  if (existsSync(file)) return rel;
  const folder = p.path("runs", String(runId));
  const whole = file.startsWith(folder + sep) && !existsSync(folder);
  const gone = whole ? folder : file;
  throw new RunFilesMissingError(
    `Run ${runId}'s files are missing at ${gone} (moved or deleted?). The project still lists the run; put ${whole ? "its folder" : "the file"} back at ${gone} to see its result and report again, or run the analysis again.`,
  );
}

/** The files a run recorded, each checked to be there (a missing PDF report is left out: it can be written again). */
export function artifacts(p: Project, runId: number): { kind: string; path: string; bytes: number | null }[] {
  const rows = p.db.prepare("SELECT kind, path, bytes FROM artifacts WHERE run_id = ? ORDER BY id").all(runId) as {
    kind: string;
    path: string;
    bytes: number | null;
  }[];
  return rows.filter((f) => {
    if (f.kind === "report" && rows.length > 1 && !existsSync(resolve(p.dir, f.path))) return false;
    present(p, runId, f.path);
    return true;
  });
}

/** The file of `kind` a run recorded (null when it recorded none), refused as missing when it is not there. */
export function artifact(p: Project, runId: number, kind: string): string | null {
  const rel =
    (p.db.prepare("SELECT path FROM artifacts WHERE run_id = ? AND kind = ?").get(runId, kind) as { path: string } | undefined)?.path ??
    null;
  return rel === null ? null : present(p, runId, rel);
}

/** Records a run's PDF report (the file is written already): the artifact, the reports table and the log. */
export function recordReport(p: Project, runId: number, title: string, path: string): void {
  p.db.transaction(() => {
    setArtifact(p, runId, "report", path);
    p.db.prepare("INSERT INTO reports (run_id, title, path, created_at) VALUES (?, ?, ?, ?)").run(runId, title, path, now());
    p.log("info", "report", `PDF report of run ${runId} written`, { runId });
  })();
}

/** A file or a folder a run writes. A recorded run's files are its own: no later run may write over them, nor into
 *  its folder. */
export interface OutputClaim {
  path: string;
  folder: boolean;
}

/** Takes the run's claim on its outputs (absolute paths). */
export function claimOutputs(p: Project, runId: number, claims: readonly OutputClaim[]): void {
  p.db.prepare("UPDATE runs SET outputs_json = ? WHERE id = ?").run(JSON.stringify(claims), runId);
}

/** The outputs of the project's runs other than `exceptRun` that are not failed or cancelled: their claims, and
 *  the files they recorded (for runs opened before claims were kept). */
export function claimedOutputs(p: Pick<Project, "db" | "dir">, exceptRun: number): (OutputClaim & { runId: number; kind: string })[] {
  const runs = p.db
    .prepare("SELECT id, kind, outputs_json FROM runs WHERE id != ? AND status IN ('queued', 'running', 'succeeded')")
    .all(exceptRun) as { id: number; kind: string; outputs_json: string | null }[];
  const files = p.db
    .prepare("SELECT a.run_id, a.path FROM artifacts a JOIN runs r ON r.id = a.run_id WHERE r.id != ? AND r.status = 'succeeded'")
    .all(exceptRun) as { run_id: number; path: string }[];
  const kinds = new Map(runs.map((r) => [r.id, r.kind]));
  return [
    ...runs.flatMap((r) =>
      (r.outputs_json ? (JSON.parse(r.outputs_json) as OutputClaim[]) : []).map((c) => ({ ...c, runId: r.id, kind: r.kind })),
    ),
    ...files.map((f) => ({ path: resolve(p.dir, f.path), folder: false, runId: f.run_id, kind: kinds.get(f.run_id) ?? "" })),
  ];
}

/** The run whose results `folder` holds, if its project still lists them (a failed or cancelled run, a project that is
 *  gone or a mark that is not ours: none). Read-only, through SQLite, which keeps the locks of this process's other
 *  connections to the same database. */
export function markedRun(folder: string): RunMark | null {
  const at = resolve(folder, RUN_MARK);
  if (!existsSync(at)) return null;
  let mark: RunMark;
  try {
    mark = JSON.parse(readFileSync(at, "utf8")) as RunMark;
  } catch {
    return null;
  }
  if (typeof mark.runId !== "number" || typeof mark.project !== "string" || !existsSync(resolve(mark.project, PROJECT_FILE))) return null;
  // A project that cannot be read now keeps its results protected.
  return (
    readOnly(mark.project, (db) => {
      const row = db.prepare("SELECT status FROM runs WHERE id = ?").get(mark.runId) as { status: RunStatus } | undefined;
      return row && ["queued", "running", "succeeded"].includes(row.status) ? mark : null;
    }) ?? mark
  );
}

/** What the project's runs claim (`claimedOutputs`), for a command that checks its outputs before it opens the
 *  project (none where there is no readable project: the command refuses that itself). */
export const projectClaims = (dir: string) => readOnly(dir, (db) => claimedOutputs({ db, dir: resolve(dir) }, -1)) ?? [];

/** `query` on a project's database opened read-only; undefined when it cannot be read. Through SQLite, which keeps
 *  the locks of this process's other connections to the same database. */
function readOnly<T>(dir: string, query: (db: Database.Database) => T): T | undefined {
  const file = resolve(dir, PROJECT_FILE);
  if (!existsSync(file)) return undefined;
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return query(db);
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}
