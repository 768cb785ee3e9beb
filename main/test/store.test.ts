import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { readH5ad } from "../io/h5ad/read.js";
import { importDataset } from "../store/import.js";
import { Project } from "../store/project.js";
import { createRun, runDatasetIds } from "../store/runs.js";
import { MIGRATIONS } from "../store/schema.js";
import { CELLBENCH, PBMC_SMALL, ROOT, tempDir } from "./helpers.js";

test("a new project is a folder with a WAL SQLite store at the latest schema", (t) => {
  const dir = join(tempDir(t), "p");
  const p = Project.create(dir, "My lab");
  try {
    assert.equal(p.name, "My lab");
    assert.equal(p.db.pragma("journal_mode", { simple: true }), "wal");
    assert.equal(p.db.pragma("foreign_keys", { simple: true }), 1);
    assert.equal(p.db.pragma("user_version", { simple: true }), MIGRATIONS.length);
    assert.ok(existsSync(join(dir, "datasets")) && existsSync(join(dir, "runs")));
    assert.throws(() => p.db.prepare("INSERT INTO metrics (run_id, name, value) VALUES (999, 'ari', 0.5)").run(), /FOREIGN KEY/);
  } finally {
    p.close();
  }
  assert.throws(() => Project.create(dir), /already exists/);
  assert.throws(() => Project.open(join(dir, "datasets")), /not a sciLaMA Studio project/);
});

test("a project saved by a newer schema is refused with advice", (t) => {
  const dir = join(tempDir(t), "p");
  Project.create(dir).close();
  const db = new Database(join(dir, "project.sqlite"));
  db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
  db.close();
  assert.throws(() => Project.open(dir), /newer sciLaMA Studio .* update the app/);
});

test("import stores an atomic .h5ad copy that reads back identically, and records it", async (t) => {
  const dir = join(tempDir(t), "p");
  const p = Project.create(dir);
  try {
    const { id, summary } = await importDataset(p, PBMC_SMALL);
    const row = p.dataset(id);
    assert.equal(row.status, "ready");
    assert.equal(row.n_obs, 80);
    assert.equal(row.n_vars, 230);
    assert.equal(summary.genes.guess.type, "symbol");
    const stored = await readH5ad(p.path(row.file ?? ""));
    const original = await readH5ad(PBMC_SMALL);
    assert.deepEqual(stored.obs.index, original.obs.index);
    assert.equal(p.events(5)[0].kind, "import-finished");
  } finally {
    p.close();
  }
});

test("a process killed (SIGKILL) in the middle of an import leaves a project that opens, no half dataset, and a failed record", async (t) => {
  const dir = join(tempDir(t), "p");
  Project.create(dir).close();
  const child = spawnSync(process.execPath, [join(ROOT, "bin", "scilama.js"), "import", CELLBENCH, "--project", dir, "--quiet"], {
    env: { ...process.env, SCILAMA_FAULT_KILL_DURING_WRITE: "0.5" },
    encoding: "utf8",
  });
  assert.equal(child.signal, "SIGKILL", `the child should have been killed mid-write (status ${child.status}, stderr ${child.stderr})`);
  // The temp file of the killed write is there before recovery …
  assert.ok(
    readdirSync(join(dir, "datasets")).some((f) => /\.tmp-\d+$/.test(f)),
    "a partial temp file should exist before recovery",
  );
  const p = Project.open(dir);
  try {
    const rows = p.datasets();
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, "failed");
    assert.match(rows[0].error ?? "", /interrupted/);
    assert.deepEqual(p.datasets("ready"), []);
    assert.deepEqual(readdirSync(p.path("datasets")), [], "no half dataset and no temp file may remain");
    assert.equal(p.events(1)[0].kind, "import-interrupted");
    // … and the project still works: the same import now succeeds.
    const { id } = await importDataset(p, CELLBENCH);
    assert.equal(p.dataset(id).status, "ready");
  } finally {
    p.close();
  }
});

test("a run started on a dataset listed twice records it once (run_datasets' unique key is never hit)", async (t) => {
  const p = Project.create(join(tempDir(t), "p"));
  try {
    const { id } = await importDataset(p, PBMC_SMALL);
    const run = createRun(p, "integrate", {}, [id, id]);
    assert.deepEqual(runDatasetIds(p, run), [id]);
  } finally {
    p.close();
  }
});
