/**
 * The project store's refusals, table-driven (`refusal-harness.ts`): a project another program is writing to (it
 * holds SQLite's write lock), a project on a read-only disk (viewed, never written), and a recorded run whose folder
 * was moved away — each → exit 4 in words a biologist can act on, no stack trace, no hang, nothing changed. Beside the
 * table: a read-only project still opens for viewing (CLI and API), and the temporary files a killed writer left in a
 * run's folder are removed when the project reopens (and nothing else is).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { isDeepStrictEqual } from "node:util";
import type { ProjectView } from "../api/contract.js";
import { errorBody, HTTP_STATUS } from "../api/errors.js";
import { callMethod } from "../api/methods.js";
import { Studio } from "../api/studio.js";
import { importDataset } from "../store/import.js";
import { Project } from "../store/project.js";
import { PBMC_SMALL, PY, projectState, smallDisk, tempDir } from "./helpers.js";
import { type Case, cli, integratedRun, refuse, setup, Tally, type Where } from "./refusal-harness.js";

const tally = new Tally("project store refusals");
const Q = ["--preset", "quick", "--baselines", "none", "--epochs", "3", "--quiet"];
const integrate = ({ input, dir, project }: Where) => ["integrate", input, "--out", join(dir, "r.h5ad"), "--project", project, ...Q];
const NO_RAW = /database is locked|SQLITE_|EROFS|ENOENT|attempt to write/;

/** Another program writing to the project: Python's sqlite3 holds the database's write lock until it is killed. */
async function holdWriteLock(database: string): Promise<ChildProcess> {
  const script =
    "import sqlite3, sys, time\nc = sqlite3.connect(sys.argv[1], isolation_level=None)\nc.execute('BEGIN IMMEDIATE')\nprint('locked', flush=True)\ntime.sleep(600)";
  const child = spawn(PY, ["-c", script, database], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (b: Buffer) => (b.toString().includes("locked") ? resolve() : undefined));
    child.once("exit", (code) => reject(new Error(`the lock holder exited (${code})`)));
  });
  return child;
}

const START = { datasets: [1], prior: "bundled", preset: "quick", seed: 0, hvg: 0, baselines: [] };

/** API requests (as both hosts dispatch them) → HTTP 409 and the message's words, counted in the tally. */
async function apiRefusals(cases: [name: string, payload: object, message: RegExp][], state: () => unknown): Promise<void> {
  const studio = new Studio("test");
  try {
    const before = state();
    for (const [name, payload, message] of cases) {
      const method = name.split(" ")[0]!;
      let r = { status: 200, message: "accepted" };
      try {
        await callMethod(studio, method, payload);
      } catch (e) {
        const body = errorBody(e);
        r = { status: HTTP_STATUS[body.kind], message: body.message };
      }
      const changed = !isDeepStrictEqual(state(), before);
      const clean = r.status === 409 && message.test(r.message);
      tally.count({ hung: false, internal: r.status >= 500, silent: r.status < 300, changed, clean });
      console.log(`# API ${name}: HTTP ${r.status} — ${r.message}`);
      assert.equal(r.status, 409, `${name}: ${r.message}`);
      assert.match(r.message, message, name);
      assert.equal(changed, false, `${name}: nothing changed`);
    }
  } finally {
    await studio.close();
  }
}

const BUSY = /The project .*project is busy: another sciLaMA Studio or program is writing to it; try again when it has finished/;

test("a project another program is writing to: exit 4 in clear words, nothing recorded", async (t) => {
  const w = await setup(t);
  const lock = await holdWriteLock(join(w.project, "project.sqlite"));
  t.after(() => lock.kill("SIGKILL"));
  const cases: Case[] = [
    ["import into a busy project", ({ input, project }) => ["import", input, "--project", project], 4, BUSY],
    ["integrate --project on a busy project", integrate, 4, BUSY],
  ];
  await refuse(tally, w, cases, (c, stderr) => assert.doesNotMatch(stderr, NO_RAW, c[0]));
  const { project } = w;
  await apiRefusals(
    [
      ["dataset.rename in a busy project", { project, id: 1, name: "renamed" }, BUSY],
      ["integration.start in a busy project", { project, ...START }, BUSY],
    ],
    () => projectState(w.dir, w.project),
  );
  // Viewing is not writing: the project's information is shown while the other program holds its lock.
  const info = cli(["project", "info", w.project, "--json"]);
  assert.equal(info.status, 0, info.stderr);
  assert.deepEqual(
    (JSON.parse(info.stdout) as ProjectView).datasets.map((d) => d.id),
    [1],
  );
});

/** A project on a tmpfs mounted read-only (a chmod'ed folder does not stop root), or why there cannot be one here. */
async function readOnlyProject(t: { after(fn: () => void): void }): Promise<{ disk: string; project: string } | { skip: string }> {
  const disk = smallDisk(t, { size: "16m" });
  if (typeof disk !== "string") return disk;
  const project = join(disk, "project");
  const p = Project.create(project, "On a read-only disk");
  await importDataset(p, PBMC_SMALL);
  p.close();
  const ro = spawnSync("mount", ["-o", "remount,ro", disk], { encoding: "utf8" });
  assert.equal(ro.status, 0, ro.stderr);
  return { disk, project };
}

const READ_ONLY =
  /The project .*project is read-only \(it is on a read-only disk\): it can be viewed, but nothing can be added to it or changed/;

test("a project on a read-only disk: viewed as it is; what would write is refused as read-only (exit 4, HTTP 409)", async (t) => {
  const ro = await readOnlyProject(t);
  if ("skip" in ro) {
    console.log(`# read-only disk cases skipped: ${ro.skip}`);
    return t.skip(ro.skip);
  }
  const scratch = await setup(t);
  const w: Where = { dir: scratch.dir, input: scratch.input, project: ro.project };
  const state = () => [projectState(scratch.dir, ro.project), projectState(ro.disk, ro.project)];
  const before = state();

  // Viewing works: `project info` (was "cannot be read … restore it from a backup").
  const info = cli(["project", "info", ro.project, "--json"]);
  assert.equal(info.status, 0, info.stderr);
  const view = JSON.parse(info.stdout) as ProjectView;
  assert.deepEqual(
    view.datasets.map((d) => [d.id, d.status, d.cells]),
    [[1, "ready", 80]],
  );
  assert.equal(cli(["project", "list", ro.disk]).status, 0);
  const text = cli(["project", "info", ro.project]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /1 dataset\(s\)[\s\S]*read-only \(it is on a read-only disk\): it can be viewed, not changed/);

  const cases: Case[] = [
    ["import into a project on a read-only disk", ({ input, project }) => ["import", input, "--project", project], 4, READ_ONLY],
    ["integrate --project on a read-only disk", integrate, 4, READ_ONLY],
  ];
  await refuse(tally, w, cases, (c, stderr) => assert.doesNotMatch(stderr, NO_RAW, c[0]), state);

  // The API: the project's view, and the same refusals as HTTP 409.
  const studio = new Studio("test");
  t.after(() => studio.close());
  const apiView = (await callMethod(studio, "project.view", { project: ro.project })) as ProjectView;
  assert.deepEqual(
    apiView.datasets.map((d) => d.id),
    [1],
  );
  await studio.close();
  const project = ro.project;
  const CREATE = /A project cannot be created in .*new: the disk is read-only\. Choose a folder on a disk you can write to/;
  await apiRefusals(
    [
      ["dataset.import on a read-only disk", { project, path: scratch.input }, READ_ONLY],
      ["dataset.rename on a read-only disk", { project, id: 1, name: "renamed" }, READ_ONLY],
      ["integration.start on a read-only disk", { project, ...START }, READ_ONLY],
      ["project.create on a read-only disk", { name: "new", dir: join(ro.disk, "new") }, CREATE],
    ],
    state,
  );
  assert.deepEqual(state(), before, "nothing on the read-only disk or in the scratch folder changed");
});

test("a recorded run whose folder was moved: its result and report are refused as missing (exit 4), the run still listed", async (t) => {
  const w = await setup(t);
  const studio = new Studio("test");
  t.after(() => studio.close());
  const runId = await integratedRun(studio, w.project);
  await studio.close();
  const folder = join(w.project, "runs", String(runId));
  renameSync(folder, join(w.dir, "moved-away"));

  const MISSING = new RegExp(
    `Run ${runId}'s files are missing at .*runs/${runId} \\(moved or deleted\\?\\)\\. The project still lists the run; put its folder back`,
  );
  const cases: Case[] = [
    [
      "the report of a run whose folder was moved",
      ({ dir, project }) => ["report", String(runId), "--project", project, "--out", join(dir, "r.pdf")],
      4,
      MISSING,
    ],
    [
      "markers on a run whose folder was moved",
      ({ dir, project }) => [
        "markers",
        String(runId),
        "--project",
        project,
        "--groupby",
        "RNA_snn_res.1",
        "--out",
        join(dir, "m"),
        "--quiet",
      ],
      4,
      MISSING,
    ],
  ];
  await refuse(tally, w, cases, (c, stderr) => assert.doesNotMatch(stderr, NO_RAW, c[0]));
  const info = cli(["project", "info", w.project, "--json"]);
  assert.equal(info.status, 0, info.stderr);
  assert.deepEqual(
    (JSON.parse(info.stdout) as ProjectView).runs.map((r) => [r.id, r.status]),
    [[runId, "succeeded"]],
  );
});

test("a killed writer's temporary files in a run's folder are removed when the project reopens; nothing else is", (t) => {
  const dir = join(tempDir(t), "p");
  Project.create(dir).close();
  const dead = spawnSync("true").pid!; // a process that has ended
  const run = join(dir, "runs", "1");
  mkdirSync(join(run, "checkpoints"), { recursive: true });
  const removed = [`result.h5ad.tmp-${dead}`, `losses.json.tmp-${dead}`, join("checkpoints", `stage1.safetensors.tmp-${dead}`)];
  const kept = [
    "result.h5ad",
    `result.h5ad.tmp-${process.pid}`, // its writer is alive
    "notes.tmp-draft",
    `tmp-${dead}`,
    `result.tmp-${dead}.h5ad`,
  ];
  for (const f of [...removed, ...kept]) writeFileSync(join(run, f), "x");
  mkdirSync(join(run, `folder.tmp-${dead}`)); // a folder, not a writer's temporary file
  kept.push(`folder.tmp-${dead}`);
  writeFileSync(join(dir, "..", "outside.txt"), "x");
  symlinkSync(join(dir, "..", "outside.txt"), join(run, `link.tmp-${dead}`)); // a link, never followed nor removed
  kept.push(`link.tmp-${dead}`);
  const info = cli(["project", "info", dir]);
  assert.equal(info.status, 0, info.stderr);
  for (const f of removed) assert.equal(existsSync(join(run, f)), false, `${f} is removed`);
  for (const f of kept) assert.ok(existsSync(join(run, f)), `${f} is kept`);
  assert.ok(existsSync(join(dir, "..", "outside.txt")));
});
