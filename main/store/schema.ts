/**
 * The project database schema as an ordered list of migrations; `PRAGMA user_version` records how many have
 * been applied. Append a migration to change the schema — never edit one that has shipped.
 */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE datasets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    source_path TEXT NOT NULL,
    format TEXT,
    status TEXT NOT NULL CHECK (status IN ('importing', 'ready', 'failed')),
    file TEXT,
    n_obs INTEGER,
    n_vars INTEGER,
    nnz INTEGER,
    summary_json TEXT,
    error TEXT,
    pid INTEGER,
    created_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    config_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    progress REAL NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
    phase TEXT,
    device TEXT,
    pid INTEGER,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    timings_json TEXT,
    error TEXT
  );
  CREATE TABLE run_datasets (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE RESTRICT,
    PRIMARY KEY (run_id, dataset_id)
  );
  CREATE TABLE metrics (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    context TEXT NOT NULL DEFAULT '',
    value REAL,
    UNIQUE (run_id, name, context)
  );
  CREATE TABLE artifacts (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    bytes INTEGER,
    created_at TEXT NOT NULL
  );
  CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    path TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('info', 'warning', 'error')),
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
    run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    data_json TEXT
  );
  CREATE INDEX events_by_time ON events(ts);
  CREATE INDEX metrics_by_run ON metrics(run_id);
  `,
  // The files each run was set to write (its claim on them, taken when the run is opened: `claimOutputs`).
  `ALTER TABLE runs ADD COLUMN outputs_json TEXT;`,
];
