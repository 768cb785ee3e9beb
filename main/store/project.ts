/**
 * A project is a folder: `project.sqlite` (WAL, foreign keys, versioned migrations) plus the data files beside
 * it (`datasets/<id>.h5ad`, `runs/<id>/…`). Opening a project also recovers from crashes: work left 'importing'
 * or 'running' by a process that no longer exists is marked failed, and its temporary files are removed.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import Database from "better-sqlite3";
import { DiskFullError, diskIsFull } from "../io/disk.js";
import { MIGRATIONS } from "./schema.js";

export const PROJECT_FILE = "project.sqlite";

export class ProjectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProjectError";
  }
}

/** Refuses to use `rel` (a new dataset's file or a new run's folder, named by its id) when something is already there:
 *  the database no longer lists it (restored from an older backup?), and what is there is never overwritten. */
export function claimPath(p: { path(...parts: string[]): string }, rel: string): void {
  const at = p.path(rel);
  if (existsSync(at) && (!statSync(at).isDirectory() || readdirSync(at).length > 0))
    throw new ProjectError(
      `${at} already exists, but the project database does not list it (was project.sqlite restored from an older backup?). Nothing was written; move ${rel} out of the project folder, then retry.`,
    );
}

/** A dataset or run the project does not have (a stale link, a mistyped id): "not found", not a broken project. */
export class NotInProjectError extends ProjectError {}

export type EventLevel = "info" | "warning" | "error";

export interface DatasetRow {
  id: number;
  name: string;
  source_path: string;
  format: string | null;
  status: "importing" | "ready" | "failed";
  file: string | null;
  n_obs: number | null;
  n_vars: number | null;
  nnz: number | null;
  summary_json: string | null;
  error: string | null;
  pid: number | null;
  created_at: string;
  finished_at: string | null;
}

export interface EventRow {
  id: number;
  ts: string;
  level: EventLevel;
  kind: string;
  message: string;
  dataset_id: number | null;
  run_id: number | null;
  data_json: string | null;
}

export const now = () => new Date().toISOString();

const emptied = (abs: string, what: string) =>
  `The project database ${join(abs, PROJECT_FILE)} ${what}: it was cut short or replaced (a crash, a sync client, a full disk). Nothing was changed; restore project.sqlite from a backup — the files in ${join(abs, "datasets")} and ${join(abs, "runs")} are untouched.`;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class Project {
  private constructor(
    readonly dir: string,
    readonly db: Database.Database,
  ) {}

  static create(dir: string, name?: string): Project {
    const abs = resolve(dir);
    if (existsSync(join(abs, PROJECT_FILE))) throw new ProjectError(`A project already exists in ${abs}.`);
    if (existsSync(abs) && readdirSync(abs).length > 0) {
      throw new ProjectError(`${abs} is not empty; choose a new or empty folder for the project.`);
    }
    mkdirSync(join(abs, "datasets"), { recursive: true });
    mkdirSync(join(abs, "runs"), { recursive: true });
    const p = Project.openDb(abs);
    p.db.prepare("INSERT INTO meta (key, value) VALUES ('name', ?), ('created_at', ?)").run(name ?? basename(abs), now());
    p.log("info", "project-created", `Project '${name ?? basename(abs)}' created`);
    return p;
  }

  static open(dir: string): Project {
    const abs = resolve(dir);
    if (!existsSync(join(abs, PROJECT_FILE))) {
      throw new ProjectError(`${abs} is not a sciLaMA Studio project (no ${PROJECT_FILE}); create one with 'scilama project create'.`);
    }
    // An emptied database (a crash, a sync client, a full disk) would open as a new, blank project, and the next
    // import would overwrite the datasets it no longer knows about.
    if (statSync(join(abs, PROJECT_FILE)).size === 0) throw new ProjectError(emptied(abs, "is empty (0 bytes)"));
    const p = Project.openDb(abs, true);
    p.recover();
    return p;
  }

  private static openDb(abs: string, existing = false): Project {
    let db: Database.Database;
    try {
      db = new Database(join(abs, PROJECT_FILE));
      db.pragma("journal_mode = WAL");
      db.pragma("foreign_keys = ON");
      db.pragma("busy_timeout = 5000");
      db.pragma("synchronous = NORMAL");
      const check = db.pragma("quick_check", { simple: true });
      if (check !== "ok") throw new Error(String(check));
    } catch (e) {
      // Opening writes (WAL index, journal): on a full disk SQLite reports an I/O error for an intact database.
      if (diskIsFull(abs)) throw new DiskFullError(join(abs, PROJECT_FILE));
      throw new ProjectError(`The project database in ${abs} cannot be read (${(e as Error).message}). Restore it from a backup.`);
    }
    const version = db.pragma("user_version", { simple: true }) as number;
    if (existing && version === 0) {
      db.close();
      throw new ProjectError(emptied(abs, "holds no sciLaMA Studio project"));
    }
    if (version > MIGRATIONS.length) {
      db.close();
      throw new ProjectError(
        `This project was saved by a newer sciLaMA Studio (schema ${version}, this version knows ${MIGRATIONS.length}); update the app to open it.`,
      );
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[v]);
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
    return new Project(abs, db);
  }

  close(): void {
    this.db.close();
  }

  get name(): string {
    return (
      (this.db.prepare("SELECT value FROM meta WHERE key = 'name'").get() as { value: string } | undefined)?.value ?? basename(this.dir)
    );
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  log(level: EventLevel, kind: string, message: string, refs: { datasetId?: number; runId?: number; data?: unknown } = {}): void {
    this.db
      .prepare("INSERT INTO events (ts, level, kind, message, dataset_id, run_id, data_json) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(
        now(),
        level,
        kind,
        message,
        refs.datasetId ?? null,
        refs.runId ?? null,
        refs.data === undefined ? null : JSON.stringify(refs.data),
      );
  }

  events(limit = 100): EventRow[] {
    return this.db.prepare("SELECT * FROM events ORDER BY id DESC LIMIT ?").all(limit) as EventRow[];
  }

  datasets(status?: DatasetRow["status"]): DatasetRow[] {
    const rows = this.db.prepare("SELECT * FROM datasets ORDER BY id").all() as DatasetRow[];
    return status ? rows.filter((r) => r.status === status) : rows;
  }

  dataset(id: number): DatasetRow {
    const row = this.db.prepare("SELECT * FROM datasets WHERE id = ?").get(id) as DatasetRow | undefined;
    if (!row) throw new NotInProjectError(`There is no dataset ${id} in this project.`);
    return row;
  }

  /** Marks work of dead processes as failed and deletes temporary files nobody is writing any more. */
  private recover(): void {
    const stale = this.datasets("importing").filter((d) => d.pid === null || !processAlive(d.pid));
    const runs = this.db.prepare("SELECT id, pid FROM runs WHERE status IN ('queued', 'running')").all() as Array<{
      id: number;
      pid: number | null;
    }>;
    const staleRuns = runs.filter((r) => r.pid !== null && !processAlive(r.pid));
    this.db.transaction(() => {
      for (const d of stale) {
        const reason =
          "The import was interrupted (the app or computer stopped while it was writing); nothing was kept. Import the file again.";
        this.db.prepare("UPDATE datasets SET status = 'failed', error = ?, finished_at = ? WHERE id = ?").run(reason, now(), d.id);
        this.log("error", "import-interrupted", `Import of '${d.name}' was interrupted and marked failed`, { datasetId: d.id });
      }
      for (const r of staleRuns) {
        this.db
          .prepare("UPDATE runs SET status = 'failed', error = ?, finished_at = ? WHERE id = ?")
          .run("The run was interrupted (its process stopped).", now(), r.id);
        this.log("error", "run-interrupted", `Run ${r.id} was interrupted and marked failed`, { runId: r.id });
      }
    })();
    this.removeOrphanTemps();
  }

  private removeOrphanTemps(): void {
    const dir = this.path("datasets");
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir)) {
      const m = /\.tmp-(\d+)$/.exec(f);
      if (m && !processAlive(Number(m[1]))) rmSync(join(dir, f), { force: true });
    }
  }
}
