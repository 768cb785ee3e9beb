/**
 * The imputation's and the worker-thread analyses' table-driven cases (`refusal-harness.ts`): each a command line →
 * the exit code the README documents, the message's key words, no stack trace, nothing of the user's or the project's
 * changed. Small targets (10–12 cells: they failed in Leiden after training) now run through; a dropout mask that masks
 * too few entries to score is refused before any training with the smallest usable fraction (it printed NaN tables and
 * a recommendation); a full disk during a job's writing (a real small tmpfs, root only; skipped with the reason
 * elsewhere) ends with the disk-full message and exit 5 and leaves none of the job's files (it exited 1 and left half
 * an output set). Beside the table: Ctrl-C of a recorded imputation (a stack trace before) stops cleanly with exit
 * 130 and a cancelled run, and imputed values stay within the range the reference measured of their gene.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { OWN_FOLDER_MARKS, outputGuard, outputPlaces } from "../analyses/serve.js";
import { matrixValues, subset } from "../data/subset.js";
import { readH5ad } from "../io/h5ad/read.js";
import { writeH5ad } from "../io/h5ad/write.js";
import { readDataset } from "../io/read.js";
import { Project } from "../store/project.js";
import { RUN_MARK } from "../store/run-mark.js";
import { listRuns } from "../store/runs.js";
import { CLI, PBMC_SMALL, projectState, smallDisk, tempDir } from "./helpers.js";
import { type Case, cli, refuse, setup, Tally, type Where } from "./refusal-harness.js";

const tally = new Tally("imputation and worker refusals");

/** The quickest imputation that still trains, scores and clusters. */
const QUICK = ["--preset", "quick", "--epochs", "2", "--baselines", "none"];
const PANEL = ["--panel", "MS4A1,CD79B,CD3E,GNLY,NKG7,LYZ,S100A8,CD14"];

/** pbmc_small's first `cells` cells, written as `<dir>/<name>.h5ad`. */
async function firstCells(dir: string, name: string, cells: number): Promise<string> {
  const { dataset } = await readDataset(PBMC_SMALL);
  const out = join(dir, `${name}.h5ad`);
  writeH5ad(
    out,
    subset(
      dataset,
      Array.from({ length: cells }, (_, i) => i),
    ),
  );
  return out;
}

/** A folder outside the scratch folder for outputs a case is meant to write (the harness watches the scratch). */
function outside(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "scilama-out-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("small targets and dropout masks: a 10–12-cell target clusters; a mask too small to score is refused first", async (t) => {
  const w = await setup(t);
  const out = outside(t);
  await firstCells(w.dir, "cells9", 9);
  await firstCells(w.dir, "cells10", 10);
  await firstCells(w.dir, "cells12", 12);
  const impute = (target: string, name: string) => [
    "impute",
    "--reference",
    PBMC_SMALL,
    "--target",
    target,
    ...PANEL,
    "--out",
    join(out, `${name}.h5ad`),
    ...QUICK,
  ];
  const dropouts = (w: Where, ...more: string[]) => [
    "impute",
    "--dropouts",
    w.input,
    "--out",
    join(w.dir, "d.h5ad"),
    ...more,
    ...QUICK,
    "--quiet",
  ];
  const cases: Case[] = [
    [
      "impute: a 9-cell target is refused before training",
      ({ dir }) => [...impute(join(dir, "cells9.h5ad"), "t9"), "--quiet"],
      2,
      /the target has 9 cells; an accuracy across cells needs at least 10/,
    ],
    [
      "impute: a 10-cell target is imputed, clustered and laid out (Leiden failed after training)",
      ({ dir }) => [...impute(join(dir, "cells10.h5ad"), "t10"), "--evaluate", "none"],
      0,
      /· clustering and UMAP of the target's cells/,
    ],
    [
      "impute: a 12-cell target, 2-fold evaluated",
      ({ dir }) => [...impute(join(dir, "cells12.h5ad"), "t12"), "--evaluate", "kfold:2"],
      0,
      /· clustering and UMAP of the target's cells/,
    ],
    [
      "impute --dropouts --mask 1e-9 (masks nothing: NaN tables and a recommendation before)",
      (w) => dropouts(w, "--mask", "1e-9"),
      2,
      /--mask 1e-9 masks 0 of the entries of input\.h5ad's 80 cells × \d+ modelled genes; scoring the imputation needs at least 50 masked entries: use --mask 0\.0023 or more \(or --mask 0 for the denoised layer without a benchmark\)/,
    ],
    [
      "impute --dropouts --mask 0.001 (0.2 of each cell's entries rounds to none)",
      (w) => dropouts(w, "--mask", "0.001"),
      2,
      /--mask 0\.001 masks 0 of the entries .* use --mask 0\.0023 or more/,
    ],
    [
      "impute --dropouts --mask 0.002 --nonzero (too few non-zero entries per cell)",
      (w) => dropouts(w, "--mask", "0.002", "--nonzero"),
      2,
      /--mask 0\.002 masks 0 of the non-zero entries .* use --mask 0\.011 or more/,
    ],
    [
      "impute --dropouts --mask 1e-9 with --project: refused before a run is recorded",
      (w) => [...dropouts(w, "--mask", "1e-9"), "--project", w.project],
      2,
      /--mask 1e-9 masks 0 of the entries/,
    ],
  ];
  await refuse(tally, w, cases);
  for (const name of ["t10", "t12"]) assert.ok(existsSync(join(out, `${name}.h5ad`)), `${name}: the result was written`);
  const r = await readH5ad(join(out, "t10.h5ad"));
  assert.equal(r.obs.index.length, 10);
  assert.ok(r.obs.columns.has("leiden") && r.obsm.has("X_umap"));
});

/** Every file on the disk with its hash. */
function files(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: "utf8" })
      .sort()
      .map((f) => {
        const path = join(dir, f);
        try {
          return [f, createHash("sha256").update(readFileSync(path)).digest("hex")];
        } catch {
          return [f, "folder"];
        }
      }),
  );
}

test("a full disk while a worker-thread job writes: exit 5 with the disk-full message, none of its files left", async (t) => {
  const w = await setup(t);
  // 2 MB: a result's .h5ad (~0.9 MB) fits, its trained model (.cells.onnx, ~3–4 MB) does not.
  const disk = smallDisk(t, { size: "2m" });
  if (typeof disk !== "string") {
    console.log(`# full-disk cases skipped: ${disk.skip}`);
    return t.skip(disk.skip);
  }
  // The user's own files beside the result (one named like the result's companions) stay as they were.
  writeFileSync(join(disk, "d.notes.txt"), "my notes\n");
  writeFileSync(join(disk, "keep.csv"), "a,b\n1,2\n");
  const full = /the disk is full \(\d+\.\d MB free on the disk holding .*scilama-disk-.*\); free some space and retry/;
  const cases: Case[] = [
    [
      "impute --dropouts into a nearly full disk (exit 1 after the work, half the files left before)",
      ({ input }) => ["impute", "--dropouts", input, "--out", join(disk, "d.h5ad"), ...QUICK, "--quiet"],
      5,
      full,
    ],
    [
      "impute (panel) into a nearly full disk",
      ({ input }) => [
        "impute",
        "--reference",
        PBMC_SMALL,
        "--target",
        input,
        ...PANEL,
        "--out",
        join(disk, "p.h5ad"),
        ...QUICK,
        "--evaluate",
        "none",
        "--quiet",
      ],
      5,
      full,
    ],
  ];
  await refuse(tally, w, cases, undefined, () => [projectState(w.dir, w.project), files(disk)]);
  assert.deepEqual(readdirSync(disk).sort(), ["d.notes.txt", "keep.csv"]);

  // Recorded: the same exit code and words, the run recorded as failed with them, and no file on the disk.
  const before = files(disk);
  const r = cli(["impute", "--dropouts", w.input, "--out", join(disk, "r.h5ad"), "--project", w.project, ...QUICK, "--quiet"]);
  console.log(`# recorded impute --dropouts into a nearly full disk: exit ${r.status} — ${r.stderr.trim().split("\n").at(-1)}`);
  assert.equal(r.status, 5, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.deepEqual(files(disk), before);
  const p = Project.open(w.project);
  try {
    const run = listRuns(p).at(-1)!;
    assert.equal(run.status, "failed");
    assert.match(run.error ?? "", full);
  } finally {
    p.close();
  }
});

test("a job's output guard: a failed job's new files and folders go, what was there before stays, checkpoints are kept, a shared folder is left", (t) => {
  const dir = tempDir(t);
  // A folder output that did not exist (markers, drugs: `--out <folder>`), two levels deep.
  const made = outputGuard(outputPlaces({ folder: join(dir, "new", "markers") }));
  mkdirSync(join(dir, "new", "markers", "sub"), { recursive: true });
  writeFileSync(join(dir, "new", "markers", "de.csv"), "x");
  writeFileSync(join(dir, "new", "markers", "sub", "view.json"), "x");
  made.discard();
  assert.equal(existsSync(join(dir, "new")), false, "the folders the job made are gone");

  // An empty folder that existed (a recorded run's own, made by the lifecycle): what the job added goes, a training's
  // checkpoints stay.
  const model = join(dir, "model");
  mkdirSync(model);
  const run = outputGuard(outputPlaces({ out: model }));
  writeFileSync(join(model, "training-log.csv"), "x");
  mkdirSync(join(model, ".checkpoints"));
  writeFileSync(join(model, ".checkpoints", "stage1.safetensors"), "x");
  run.discard();
  assert.deepEqual(readdirSync(model), [".checkpoints"]);

  // A recorded run's result folder outside its project, holding only the run's mark: the job's own; the mark stays.
  const marked = join(dir, "marked");
  mkdirSync(marked);
  assert.ok(OWN_FOLDER_MARKS.has(RUN_MARK));
  writeFileSync(join(marked, RUN_MARK), "{}");
  const markedRun = outputGuard(outputPlaces({ folder: marked }));
  writeFileSync(join(marked, "predictions.csv"), "x");
  markedRun.discard();
  assert.deepEqual(readdirSync(marked), [RUN_MARK]);

  // A folder that already held files is shared (`--out .`): nothing in it is removed.
  const shared = join(dir, "shared");
  mkdirSync(shared);
  writeFileSync(join(shared, "earlier.csv"), "kept");
  const inShared = outputGuard(outputPlaces({ folder: shared }));
  writeFileSync(join(shared, "someone-elses.txt"), "x");
  inShared.discard();
  assert.deepEqual(readdirSync(shared).sort(), ["earlier.csv", "someone-elses.txt"]);

  // A result file: its companions `<stem>.*` the job wrote go; a replaced one too; the user's other files stay.
  writeFileSync(join(dir, "r.h5ad"), "an earlier result");
  writeFileSync(join(dir, "r.notes.txt"), "mine");
  writeFileSync(join(dir, "rr.csv"), "mine");
  const file = outputGuard(outputPlaces({ out: join(dir, "r.h5ad") }));
  writeFileSync(join(dir, "r.h5ad.tmp"), "x");
  rmSync(join(dir, "r.h5ad"));
  writeFileSync(join(dir, "r.h5ad"), "half a new result");
  writeFileSync(join(dir, "r.metrics.csv"), "x");
  file.discard();
  assert.deepEqual(readdirSync(dir).sort(), ["marked", "model", "r.notes.txt", "rr.csv", "shared"]);
});

test("Ctrl-C of a recorded imputation: one line, exit 130, the run cancelled, nothing written", async (t) => {
  const dir = tempDir(t);
  const project = join(dir, "project");
  Project.create(project, "Stop").close();
  const out = join(dir, "stopped.h5ad");
  const child = spawn(process.execPath, [
    CLI,
    "impute",
    "--reference",
    PBMC_SMALL,
    "--target",
    PBMC_SMALL,
    ...PANEL,
    "--out",
    out,
    "--project",
    project,
    "--preset",
    "quick",
    "--epochs",
    "200",
    "--baselines",
    "none",
  ]);
  let err = "";
  let interrupted = false;
  const code = await new Promise<number | null>((resolve) => {
    child.stderr.on("data", (b: Buffer) => {
      err += b.toString();
      if (!interrupted && /epoch \d+\/200/.test(err)) interrupted = child.kill("SIGINT");
    });
    child.on("exit", (c) => resolve(c));
  });
  console.log(`# Ctrl-C of a recorded impute: exit ${code} — ${err.trim().split("\n").at(-1)}`);
  assert.ok(interrupted, err);
  tally.count({
    hung: false,
    internal: code === 1 || /\n\s+at /.test(err),
    silent: code === 0,
    changed: false,
    clean: code === 130 && !/\n\s+at /.test(err),
  });
  assert.equal(code, 130, err);
  assert.doesNotMatch(err, /\n\s+at /, "no stack trace");
  assert.match(err, /stopped: the imputation stopped before it finished; nothing was written; run 1 is recorded as cancelled\n$/);
  const p = Project.open(project);
  try {
    const [run] = listRuns(p);
    assert.equal(run!.status, "cancelled");
  } finally {
    p.close();
  }
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.startsWith("stopped")),
    [],
    "no result file",
  );
});

test("imputed values stay within the range the reference measured of each gene (they reached −14 and 257), and it is said", async (t) => {
  const dir = tempDir(t);
  const target = await firstCells(dir, "target", 30);
  const out = join(dir, "clipped.h5ad");
  const r = spawnSync(
    process.execPath,
    [CLI, "impute", "--reference", PBMC_SMALL, "--target", target, ...PANEL, "--out", out, ...QUICK, "--evaluate", "none"],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  const result = await readH5ad(out);
  const ref = await readH5ad(PBMC_SMALL);
  // The reference's log-normalised range of each imputed gene (pbmc_small holds counts: normalised to 1e4, log1p).
  const refX = matrixValues(ref.X);
  const G = ref.X.nCols;
  const top = new Float64Array(G);
  for (let c = 0; c < ref.X.nRows; c++) {
    let total = 0;
    for (let g = 0; g < G; g++) total += refX[c * G + g]!;
    for (let g = 0; g < G; g++) top[g] = Math.max(top[g]!, Math.log1p((refX[c * G + g]! * 1e4) / total));
  }
  const at = new Map(ref.var.index.map((g, i) => [g, i]));
  const x = matrixValues(result.X);
  const W = result.X.nCols;
  let low = Number.POSITIVE_INFINITY;
  let high = 0;
  for (let c = 0; c < result.X.nRows; c++)
    result.var.index.forEach((gene, g) => {
      const v = x[c * W + g]!;
      if (Number.isNaN(v) || !at.has(gene)) return;
      low = Math.min(low, v);
      assert.ok(v <= top[at.get(gene)!]! + 1e-4, `${gene}: ${v} above the reference's highest ${top[at.get(gene)!]}`);
      high = Math.max(high, v);
    });
  console.log(
    `# imputed values from ${low.toFixed(3)} to ${high.toFixed(3)}; ${r.stderr.match(/\d[\d,]* of [\d,]* imputed values[^\n]*/)?.[0]}`,
  );
  assert.ok(low >= 0, `no negative log-normalised value (lowest ${low})`);
  const uns = result.uns.impute as { clipped: { values: number; of: number; note: string } };
  assert.equal(uns.clipped.of, result.X.nRows * W);
  if (uns.clipped.values)
    assert.match(r.stderr, /imputed values \(.*%\) were outside the range the reference measured of their gene and were clipped to it/);
});
