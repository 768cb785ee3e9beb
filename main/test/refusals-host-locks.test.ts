/**
 * The app keeps its SQLite locks and WAL through every refused input. Closing any descriptor of a SQLite file drops
 * every POSIX lock its process holds on it; an app that opened its own project.sqlite as an input (an import, a prior,
 * a gene-set file) and closed it would let the next outside SQLite client think it was alone, checkpoint and delete
 * the WAL under it — and the app's later writes would vanish. Here the Studio (the engine of both hosts) holds a
 * project while its database files are offered as inputs by name, by symlink and by hard link; then Debian's Python
 * opens and closes the database as an outside client would, the Studio writes again, and every write must survive.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, linkSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { errorBody } from "../api/errors.js";
import { callMethod } from "../api/methods.js";
import { Studio } from "../api/studio.js";
import { importDataset } from "../store/import.js";
import { Project } from "../store/project.js";
import { PBMC_SMALL, PY } from "./helpers.js";
import { Tally } from "./refusal-harness.js";

const tally = new Tally("the app's own database as an input");

/** An outside SQLite client (Python's sqlite3): opens the project, reads, closes — checkpointing and deleting the WAL
 *  when it finds no other process holding the database. */
function outsideClient(db: string): number {
  const out = execFileSync(
    PY,
    [
      "-c",
      "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); n=c.execute('select count(*) from datasets').fetchone()[0]; c.close(); print(n)",
      db,
    ],
    { encoding: "utf8" },
  );
  return Number(out.trim());
}

test("refused inputs that are the project's own database leave the app's locks and WAL in place", async (t) => {
  const home = mkdtempSync(join(tmpdir(), "studio-locks-"));
  process.env.SCILAMA_HOME = home;
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const project = join(home, "project");
  const p = Project.create(project, "Locks");
  await importDataset(p, PBMC_SMALL);
  p.close();
  const db = join(project, "project.sqlite");
  const studio = new Studio("test");
  t.after(() => studio.close());
  await callMethod(studio, "project.view", { project });
  // A write the app makes before the refusals, kept in its WAL (not checkpointed while it holds the database).
  await callMethod(studio, "dataset.rename", { project, id: 1, name: "before" });
  assert.ok(existsSync(`${db}-wal`), "the app holds the database in WAL mode");
  const hard = join(home, "prior.csv");
  linkSync(db, hard);
  const hardData = join(home, "cells.h5ad");
  linkSync(db, hardData);
  symlinkSync(`${db}-wal`, join(home, "wal-link.gmt"));
  const start = (prior: string) => ({ project, datasets: [1], prior, preset: "quick", seed: 0, hvg: 0, baselines: [] });
  const cases: [string, string, unknown][] = [
    ["import of the database", "dataset.import", { project, path: db }],
    ["import of its -wal", "dataset.import", { project, path: `${db}-wal` }],
    ["import of its -shm", "dataset.import", { project, path: `${db}-shm` }],
    ["import of a hard link to it named .h5ad", "dataset.import", { project, path: hardData }],
    ["import of a symlink to its -wal", "dataset.import", { project, path: join(home, "wal-link.gmt") }],
    ["an integration with the database as its prior", "integration.start", start(db)],
    ["an integration with a hard link to it as its prior", "integration.start", start(hard)],
    ["the prior coverage of a hard link to it", "integration.coverage", { project, datasets: [1], prior: hard }],
  ];
  const failures: string[] = [];
  for (const [name, method, payload] of cases) {
    let body: ReturnType<typeof errorBody> | null = null;
    try {
      await callMethod(studio, method, payload);
    } catch (e) {
      body = errorBody(e);
    }
    const clean = body?.kind === "data" && /project's database/.test(body.message);
    tally.count({ hung: false, internal: body?.kind === "internal", silent: body === null, changed: false, clean });
    console.log(`# ${name}: ${body ? `${body.kind} — ${body.message}` : "ACCEPTED"}`);
    if (!clean) failures.push(`${name}: ${body ? `${body.kind}: ${body.message}` : "accepted"}`);
  }
  assert.deepEqual(failures, []);

  // The outside client comes and goes; the app must still be the WAL's holder.
  assert.equal(outsideClient(db), 1);
  assert.ok(existsSync(`${db}-wal`), "the outside client did not delete the WAL under the app");
  await callMethod(studio, "dataset.rename", { project, id: 1, name: "after" });
  await studio.close();
  const reopened = Project.open(project);
  try {
    assert.equal(reopened.dataset(1).name, "after", "the app's write after the outside client survived");
  } finally {
    reopened.close();
  }
});
