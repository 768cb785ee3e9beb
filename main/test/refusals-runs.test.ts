/**
 * A recorded run's files are its own. Two recorded runs started at once on one output folder: one runs, the other is
 * refused before any work and leaves no run behind (the claim is read and taken in one immediate transaction). Then,
 * table-driven: later runs — recorded or not, other analyses, through a symlink — that would write over a recorded
 * integration's files or into a recorded drug-response folder are refused, with every file and record as it was.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Project } from "../store/project.js";
import { listRuns } from "../store/runs.js";
import { CLI, PBMC_SMALL } from "./helpers.js";
import { type Case, cli, drugRun, refuse, setup, Tally } from "./refusal-harness.js";

const tally = new Tally("recorded runs' outputs");

/** `scilama …` started without waiting (two at once). */
function started(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("close", (status) => resolve({ status, stderr }));
  });
}

const QUICK = ["--preset", "quick", "--epochs", "2", "--baselines", "none", "--quiet"];

test("two recorded runs started at once on one folder: one runs, the other is refused and recorded nowhere", async (t) => {
  const w = await setup(t);
  const out = join(w.dir, "same");
  const [a, b] = await Promise.all([started(drugRun(out, w.project)), started(drugRun(out, w.project))]);
  console.log(`# two at once: exits ${a.status} and ${b.status} — ${[a, b].find((r) => r.status !== 0)?.stderr.trim()}`);
  assert.deepEqual([a.status, b.status].sort(), [0, 2], `${a.stderr}\n${b.stderr}`);
  assert.match([a, b].find((r) => r.status === 2)!.stderr, /holds? the files of run \d \(drug-response\)/);
  const p = Project.open(w.project);
  try {
    assert.deepEqual(
      listRuns(p).map((r) => [r.kind, r.status]),
      [["drug-response", "succeeded"]],
    );
  } finally {
    p.close();
  }
  assert.ok(readdirSync(out).includes("predictions.csv"));
});

test("later runs never write over a recorded run's files or into its folder", async (t) => {
  const w = await setup(t);
  const result = join(w.dir, "r.h5ad");
  const drugs = join(w.dir, "drugs");
  const integrated = cli(["integrate", PBMC_SMALL, "--out", result, "--project", w.project, ...QUICK]);
  assert.equal(integrated.status, 0, integrated.stderr);
  const predicted = cli(drugRun(drugs, w.project));
  assert.equal(predicted.status, 0, predicted.stderr);
  symlinkSync(drugs, join(w.dir, "drugs-link"));
  const INTEGRATED = /r\.h5ad, .*r\.metrics\.csv.* hold the files of run 1 \(integrate\); a recorded run's files are its own/;
  const DRUGS = /holds? the files of run 2 \(drug-response\)/;
  const cases: Case[] = [
    [
      "a second integration onto the first one's result",
      ({ input }) => ["integrate", input, "--out", result, "--project", w.project, ...QUICK],
      2,
      INTEGRATED,
    ],
    [
      "an imputation onto the integration's result (its files share names)",
      ({ input }) => ["impute", "--dropouts", input, "--out", result, "--project", w.project, ...QUICK],
      2,
      INTEGRATED,
    ],
    ["a second recorded prediction into the drug run's folder", () => drugRun(drugs, w.project), 2, DRUGS],
    ["the same through a symlink to the folder", () => drugRun(join(w.dir, "drugs-link"), w.project), 2, DRUGS],
    [
      "markers (not recorded) into the drug run's folder",
      ({ input }) => ["markers", input, "--groupby", "groups", "--out", drugs, "--quiet"],
      2,
      DRUGS,
    ],
    [
      "predict-pairs (no project) over a file of the drug run",
      ({ dir }) => ["drugs", "predict-pairs", join(dir, "pairs.csv"), "--out", join(drugs, "predictions.csv")],
      2,
      DRUGS,
    ],
    [
      "scPaLM pathways (no project) into the drug run's folder",
      ({ input }) => ["scpalm", "pathways", input, "--out", drugs, "--quiet"],
      2,
      DRUGS,
    ],
  ];
  writeFileSync(join(w.dir, "pairs.csv"), "DepMap_ID,SMILES\nACH-000001,CCO\n");
  await refuse(tally, w, cases);
});
