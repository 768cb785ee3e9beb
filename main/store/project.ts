/**
 * A project is a folder: `project.sqlite` (WAL, foreign keys, versioned migrations) plus the data files beside
 * it (`datasets/<id>.h5ad`, `runs/<id>/…`). Opening a project also recovers from crashes: work left 'importing'
 * or 'running' by a process that no longer exists is marked failed, and its temporary files are removed (in datasets/
 * and in each run's folder). A project that cannot be written (a read-only disk) opens for viewing only; SQLite's
 * "database is locked" and "read-only" reach the user as a ProjectError that says what to do.
 */
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import Database from "better-sqlite3";
import { DiskFullError, diskIsFull } from "../io/disk.js";
import { guardDatabase, PROJECT_DATABASE } from "../io/inputs.js";
import { MIGRATIONS } from "./schema.js";

export const PROJECT_FILE = PROJECT_DATABASE;

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

/** Another process holds the project database's write lock (SQLite's "database is locked"): nothing was written. */
export class ProjectBusyError extends ProjectError {}

/** The project cannot be written (a read-only disk, no permission): it can be viewed, not changed. */
export class ProjectReadOnlyError extends ProjectError {}

const busy = (abs: string) =>
  new ProjectBusyError(`The project ${abs} is busy: another sciLaMA Studio or program is writing to it; try again when it has finished.`);

const readOnly = (abs: string, reason: string) =>
  new ProjectReadOnlyError(
    `The project ${abs} is read-only (${reason}): it can be viewed, but nothing can be added to it or changed. Nothing was changed; copy the project folder to a disk you can write to (or make this one writable), then retry.`,
  );

/** Why the project in `abs` cannot be written (its folder or its database file), or null when it can. */
function readOnlyReason(abs: string): string | null {
  for (const f of [abs, join(abs, PROJECT_FILE)]) {
    const denied = writeDenied(f);
    if (denied === "EROFS") return "it is on a read-only disk";
    if (denied) return `you have no permission to write to ${f}`;
  }
  return null;
}

/** Why `path` (or, when it does not exist yet, the folder it would be made in) cannot be written, or null. */
function writeDenied(path: string): "EROFS" | "EACCES" | null {
  let at = path;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  try {
    accessSync(at, constants.W_OK);
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "EROFS" ? "EROFS" : code === "EACCES" || code === "EPERM" ? "EACCES" : null;
  }
}

/** SQLite's "busy"/"locked" and "read-only" errors in the user's words (better-sqlite3's errors carry `.code`). */
function sqliteProblem(e: unknown, abs: string, reason: string | null): ProjectError | null {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return null;
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return busy(abs);
  if (code.startsWith("SQLITE_READONLY")) return readOnly(abs, reason ?? readOnlyReason(abs) ?? "its database cannot be written");
  return null;
}

/** The project's database reports "busy" and "read-only" as a ProjectError in the user's words, whichever of its
 *  two doors the store used: a statement (`prepare`) or a transaction (`transaction`, plain or `.immediate()`, whose
 *  BEGIN takes the write lock; it rolls back on the error). An error already in words passes unchanged. */
function guardSqlite(db: Database.Database, problem: (e: unknown) => ProjectError | null): void {
  type Fn = (...args: unknown[]) => unknown;
  const said =
    (f: Fn, self?: unknown): Fn =>
    (...args) => {
      try {
        return f.apply(self, args);
      } catch (e) {
        throw problem(e) ?? e;
      }
    };
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    const statement = prepare(source) as unknown as Record<string, Fn>;
    for (const m of ["run", "get", "all"]) statement[m] = said(statement[m]!, statement);
    return statement;
  }) as unknown as typeof db.prepare;
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: Fn) => {
    const t = transaction(fn) as unknown as Fn & Record<string, Fn>;
    const guarded = said(t) as Fn & Record<string, unknown>;
    for (const k of ["default", "deferred", "immediate", "exclusive"]) guarded[k] = said(t[k]!);
    guarded.database = db;
    return guarded;
  }) as unknown as typeof db.transaction;
}

/** A temporary file of the writers (`<file>.tmp-<pid>`: io/csv.ts' atomicWrite, the h5ad and checkpoint writers). */
const TEMP_FILE = /\.tmp-(\d+)$/;

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
    /** Why the project cannot be written (then it is opened for viewing only), or null. */
    readonly readOnly: string | null = null,
    /** The copy of a read-only project's database that this process reads (removed on close). */
    private readonly viewCopy: string | null = null,
  ) {}

  static create(dir: string, name?: string): Project {
    const abs = resolve(dir);
    if (existsSync(join(abs, PROJECT_FILE))) throw new ProjectError(`A project already exists in ${abs}.`);
    if (existsSync(abs) && !statSync(abs).isDirectory())
      throw new ProjectError(`${abs} is a file, not a folder; choose a new or empty folder for the project.`);
    if (existsSync(abs) && readdirSync(abs).length > 0) {
      throw new ProjectError(`${abs} is not empty; choose a new or empty folder for the project.`);
    }
    try {
      mkdirSync(join(abs, "datasets"), { recursive: true });
      mkdirSync(join(abs, "runs"), { recursive: true });
    } catch (e) {
      const denied = writeDenied(abs);
      if (!denied) throw e;
      throw new ProjectReadOnlyError(
        `A project cannot be created in ${abs}: ${denied === "EROFS" ? "the disk is read-only" : "you have no permission to write there"}. Choose a folder on a disk you can write to.`,
      );
    }
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
    if (p.readOnly) return p; // viewed as it is: recovering would write
    try {
      p.recover();
    } catch (e) {
      // Another process is writing: the project can still be viewed, and the next opening recovers.
      if (!(e instanceof ProjectBusyError)) {
        p.close();
        throw e;
      }
    }
    return p;
  }

  private static openDb(abs: string, existing = false): Project {
    const reason = existing ? readOnlyReason(abs) : null;
    // A project that cannot be written is viewed through a copy of its database (and of its WAL, whose transactions
    // SQLite replays): SQLite cannot open a WAL-mode database where it cannot create the WAL's index beside it. The
    // copy is brought up to this version's schema and then answers only queries (writes are refused as read-only).
    const viewCopy = reason ? mkdtempSync(join(tmpdir(), "scilama-view-")) : null;
    const forget = () => viewCopy && rmSync(viewCopy, { recursive: true, force: true });
    const problem = (e: unknown) => sqliteProblem(e, abs, reason);
    let db: Database.Database;
    try {
      if (viewCopy)
        for (const suffix of ["", "-wal"])
          if (existsSync(join(abs, PROJECT_FILE + suffix)))
            copyFileSync(join(abs, PROJECT_FILE + suffix), join(viewCopy, PROJECT_FILE + suffix));
      db = new Database(join(viewCopy ?? abs, PROJECT_FILE));
      db.pragma("journal_mode = WAL");
      db.pragma("foreign_keys = ON");
      db.pragma("busy_timeout = 5000");
      db.pragma("synchronous = NORMAL");
      const check = db.pragma("quick_check", { simple: true });
      if (check !== "ok") throw new Error(String(check));
    } catch (e) {
      forget();
      const said = problem(e);
      if (said) throw said;
      // Opening writes (WAL index, journal): on a full disk SQLite reports an I/O error for an intact database.
      if (diskIsFull(abs)) throw new DiskFullError(join(abs, PROJECT_FILE));
      throw new ProjectError(`The project database in ${abs} cannot be read (${(e as Error).message}). Restore it from a backup.`);
    }
    const version = db.pragma("user_version", { simple: true }) as number;
    if (existing && version === 0) {
      db.close();
      forget();
      throw new ProjectError(emptied(abs, "holds no sciLaMA Studio project"));
    }
    if (version > MIGRATIONS.length) {
      db.close();
      forget();
      throw new ProjectError(
        `This project was saved by a newer sciLaMA Studio (schema ${version}, this version knows ${MIGRATIONS.length}); update the app to open it.`,
      );
    }
    try {
      for (let v = version; v < MIGRATIONS.length; v++) {
        db.transaction(() => {
          db.exec(MIGRATIONS[v]);
          db.pragma(`user_version = ${v + 1}`);
        })();
      }
      if (viewCopy) db.pragma("query_only = ON");
    } catch (e) {
      db.close();
      forget();
      throw problem(e) ?? e;
    }
    guardSqlite(db, problem);
    // From now on no input of this process may be one of these files (`io/inputs.ts` says why).
    guardDatabase(abs);
    return new Project(abs, db, reason, viewCopy);
  }

  close(): void {
    this.db.close();
    if (this.viewCopy) rmSync(this.viewCopy, { recursive: true, force: true });
  }

  /** Refuses, before any work, to change a project that can only be viewed (a read-only disk). */
  writable(): this {
    if (this.readOnly) throw readOnly(this.dir, this.readOnly);
    return this;
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

  /** Deletes the writers' temporary files whose process is gone, in datasets/ and in each run's folder (and its
   *  subfolders, e.g. checkpoints): only regular files named `<file>.tmp-<pid>`, never anything else. */
  private removeOrphanTemps(): void {
    const sweep = (dir: string, depth: number) => {
      for (const f of readdirSync(dir, { withFileTypes: true })) {
        const at = join(dir, f.name);
        if (f.isDirectory() && depth > 0) sweep(at, depth - 1);
        const m = TEMP_FILE.exec(f.name);
        if (m && f.isFile() && !processAlive(Number(m[1]))) rmSync(at, { force: true });
      }
    };
    if (existsSync(this.path("datasets"))) sweep(this.path("datasets"), 0);
    if (!existsSync(this.path("runs"))) return;
    for (const f of readdirSync(this.path("runs"), { withFileTypes: true }))
      if (f.isDirectory() && /^\d+$/.test(f.name)) sweep(this.path("runs", f.name), 2);
  }
}
