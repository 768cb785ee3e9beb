/**
 * Refusals before any work, table-driven: each command line → exit code and the message's key words, and nothing of
 * the user's or the project's changed (its datasets, its runs, every file's hash). Files are built by the test.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { importDataset } from "../store/import.js";
import { Project } from "../store/project.js";
import { listRuns } from "../store/runs.js";
import { PBMC_SMALL, scilama, tempDir } from "./helpers.js";

function cli(args: string[]) {
  const started = performance.now();
  const r = scilama(...args);
  return { ...r, seconds: (performance.now() - started) / 1000 };
}

/** Every file under `dir` with its hash, and the project's datasets and runs (the database itself may gain an event
 *  saying what was refused). */
function state(dir: string, project: string) {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (!/project\.sqlite(-wal|-shm)?$/.test(f))
        files[relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  const p = Project.open(project);
  try {
    return { files, datasets: p.datasets(), runs: listRuns(p) };
  } finally {
    p.close();
  }
}

type Case = [name: string, args: (d: { dir: string; input: string; project: string }) => string[], exit: number, message: RegExp];

const Q = ["--preset", "quick", "--baselines", "none", "--epochs", "3", "--quiet"];
const CASES: Case[] = [
  ["--out over the input", ({ input }) => ["integrate", input, "--out", input, ...Q], 2, /the output .*input\.h5ad is also an input/],
  [
    "--out over a project's imported dataset",
    ({ project }) => [
      "integrate",
      join(project, "datasets", "1.h5ad"),
      "--out",
      join(project, "datasets", "1.h5ad"),
      "--project",
      project,
      ...Q,
    ],
    2,
    /is also an input.*writing into .*datasets would touch the project .*own files/,
  ],
  [
    "--out into a project's data (not an input)",
    ({ input, project }) => ["integrate", input, "--out", join(project, "datasets", "2.h5ad"), "--project", project, ...Q],
    2,
    /writing into .*datasets would touch the project .*never overwritten/,
  ],
  [
    "--out in a folder that does not exist",
    ({ input, dir }) => ["integrate", input, "--out", join(dir, "nope", "r.h5ad"), ...Q],
    2,
    /the output folder .*nope does not exist; create it or choose another/,
  ],
  [
    "--out in a folder that does not exist, with a project: no run recorded",
    ({ input, dir, project }) => ["integrate", input, "--out", join(dir, "nope", "r.h5ad"), "--project", project, ...Q],
    2,
    /the output folder .*nope does not exist/,
  ],
  [
    "a prior file that does not exist, with a project",
    ({ input, dir, project }) => ["integrate", input, "--out", join(dir, "r.h5ad"), "--prior", "nope.csv", "--project", project, ...Q],
    2,
    /--prior .*'nope\.csv' does not exist/,
  ],
  [
    "--out over a project's database",
    ({ input, project }) => ["integrate", input, "--out", join(project, "project.sqlite"), "--project", project, ...Q],
    2,
    /--out must name a \.h5ad file/,
  ],
  [
    "--out over a project's database, named .h5ad",
    ({ input, project }) => ["integrate", input, "--out", join(project, "project.sqlite.h5ad"), ...Q],
    2,
    /writing into .*project would touch the project/,
  ],
  [
    "--epochs 0 (was ignored: the preset's 30 ran)",
    ({ input, dir }) => ["integrate", input, "--out", join(dir, "r.h5ad"), ...Q, "--epochs", "0"],
    2,
    /--epochs needs a whole number from 1 to 5000, got '0'/,
  ],
  [
    "--epochs 2.5",
    ({ input, dir }) => ["integrate", input, "--out", join(dir, "r.h5ad"), ...Q, "--epochs", "2.5"],
    2,
    /--epochs needs a whole number .* got '2\.5'/,
  ],
  [
    "--seed 1.5",
    ({ input, dir }) => ["integrate", input, "--out", join(dir, "r.h5ad"), ...Q, "--seed", "1.5"],
    2,
    /--seed needs a whole number .* got '1\.5'/,
  ],
  [
    "--hvg 10.5",
    ({ input, dir }) => ["integrate", input, "--out", join(dir, "r.h5ad"), ...Q, "--hvg", "10.5"],
    2,
    /--hvg needs a whole number .* got '10\.5'/,
  ],
  [
    "a numeric --batch (was taken as 71 batches), with a project",
    ({ input, dir, project }) => ["integrate", input, "--out", join(dir, "r.h5ad"), "--batch", "nCount_RNA", "--project", project, ...Q],
    2,
    /the batch column 'nCount_RNA' has 71 different values — too many groups; choose another \(columns that would do: .*groups/,
  ],
  [
    "a single-valued --label (was silently dropped: every metric '—')",
    ({ input, dir }) => ["integrate", input, "--out", join(dir, "r.h5ad"), "--label", "orig.ident", ...Q],
    2,
    /the label column 'orig\.ident' has a single value; choose another/,
  ],
  [
    "a --label that no cell column has, with a project (was a failed run)",
    ({ input, dir, project }) => ["integrate", input, "--out", join(dir, "r.h5ad"), "--label", "celltype", "--project", project, ...Q],
    2,
    /the label column 'celltype' is not a cell column of input\.h5ad \(columns that would do: /,
  ],
  [
    "markers grouped by a measurement",
    ({ input, dir }) => ["markers", input, "--groupby", "nFeature_RNA", "--out", join(dir, "m"), "--quiet"],
    2,
    /the grouping column 'nFeature_RNA' has \d+ different values — too many groups/,
  ],
  [
    "an import where a file the database does not list sits (project.sqlite restored from an older backup)",
    ({ project }) => ["import", PBMC_SMALL, "--project", project, "--quiet"],
    4,
    /datasets\/2\.h5ad already exists, but the project database does not list it .*Nothing was written; move datasets\/2\.h5ad out/,
  ],
  [
    "a run where a folder the database does not list sits",
    ({ input, dir, project }) => ["integrate", input, "--out", join(dir, "r.h5ad"), "--project", project, ...Q],
    4,
    /runs\/1 already exists, but the project database does not list it/,
  ],
  [
    "markers into a project's folder",
    ({ input, project }) => ["markers", input, "--groupby", "groups", "--out", join(project, "runs"), "--quiet"],
    2,
    /writing into .*runs would touch the project/,
  ],
];

test("a project whose database was emptied is refused, not re-created over its datasets", async (t) => {
  const dir = tempDir(t);
  const project = join(dir, "project");
  const p = Project.create(project, "Emptied");
  await importDataset(p, PBMC_SMALL);
  p.close();
  const dataset = createHash("sha256")
    .update(readFileSync(join(project, "datasets", "1.h5ad")))
    .digest("hex");
  writeFileSync(join(project, "project.sqlite"), "");
  for (const f of ["project.sqlite-wal", "project.sqlite-shm"]) rmSync(join(project, f), { force: true });
  for (const args of [
    ["import", PBMC_SMALL, "--project", project],
    ["project", "info", project],
  ]) {
    const r = cli(args);
    console.log(`# emptied project.sqlite, ${args[0]}: exit ${r.status} — ${r.stderr.trim()}`);
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stderr, /project\.sqlite is empty \(0 bytes\).*restore project\.sqlite from a backup/);
  }
  assert.equal(statSync(join(project, "project.sqlite")).size, 0, "the database is left as it was");
  assert.equal(
    createHash("sha256")
      .update(readFileSync(join(project, "datasets", "1.h5ad")))
      .digest("hex"),
    dataset,
  );
  assert.deepEqual(readdirSync(join(project, "datasets")), ["1.h5ad"]);
});

test("refusals come before any work and change nothing", async (t) => {
  const dir = tempDir(t);
  const input = join(dir, "input.h5ad");
  copyFileSync(PBMC_SMALL, input);
  chmodSync(input, 0o644);
  const project = join(dir, "project");
  const p = Project.create(project, "Refusals");
  await importDataset(p, PBMC_SMALL);
  p.close();
  // What a database restored from an older backup does not list: the next dataset's file and the next run's folder.
  copyFileSync(PBMC_SMALL, join(project, "datasets", "2.h5ad"));
  mkdirSync(join(project, "runs", "1"), { recursive: true });
  writeFileSync(join(project, "runs", "1", "result.h5ad"), "an older run's result");
  const before = state(dir, project);
  for (const [name, args, exit, message] of CASES) {
    const r = cli(args({ dir, input, project }));
    console.log(`# ${name}: exit ${r.status} in ${r.seconds.toFixed(1)} s — ${r.stderr.trim().split("\n")[0]}`);
    assert.equal(r.status, exit, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message, name);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${name}: no stack trace`);
    assert.deepEqual(state(dir, project), before, `${name}: nothing changed`);
  }
});
