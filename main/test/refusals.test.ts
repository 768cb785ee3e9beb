/**
 * The bad-input suite for the command line, table-driven: command lines, dataset files and prior files (built by the
 * tests, `bad-files.ts`), each → the exit code the README documents, the message's key words, no stack trace, and
 * nothing of the user's or the project's changed (its datasets, its runs, every file's hash). Each case is printed
 * with its outcome and time; the last line counts them (`refusal-harness.ts`). The web host's refusals are in `refusals-web.test.ts`.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { isDeepStrictEqual } from "node:util";
import { subset } from "../data/subset.js";
import { writeH5ad } from "../io/h5ad/write.js";
import { readDataset } from "../io/read.js";
import { importDataset } from "../store/import.js";
import { Project } from "../store/project.js";
import { BAD_DATASETS, BAD_PRIORS } from "./bad-files.js";
import { PBMC_SMALL, projectState, tempDir } from "./helpers.js";
import { OSMFISH } from "./impute-data.js";
import { type Case, cli, refuse as refuseAll, setup, Tally, type Where } from "./refusal-harness.js";

const Q = ["--preset", "quick", "--baselines", "none", "--epochs", "3", "--quiet"];
/** pbmc_small with its genes renamed by `rename` and only its first `cells` cells: an imputation target. */
async function target(dir: string, name: string, rename: (gene: string, i: number) => string, cells = 80): Promise<string> {
  const { dataset } = await readDataset(PBMC_SMALL);
  const d = subset(
    dataset,
    Array.from({ length: cells }, (_, i) => i),
  );
  const out = join(dir, `${name}.h5ad`);
  writeH5ad(out, { ...d, var: { index: d.var.index.map(rename), columns: new Map() } });
  return out;
}
const IMPUTE = (input: string, dir: string, targetFile: string, ...more: string[]) => [
  "impute",
  "--reference",
  input,
  "--target",
  targetFile,
  "--out",
  join(dir, "imputed.h5ad"),
  ...more,
  "--epochs",
  "2",
  "--quiet",
];
const IMPUTE_CASES: Case[] = [
  [
    "impute: no gene in common (a fly target)",
    ({ input, dir }) => IMPUTE(input, dir, join(dir, "fly.h5ad")),
    2,
    /no gene in common: the reference has human symbol ids \(.*\), the target unrecognised ids \(CG10000, .*use a reference of the same tissue and species/,
  ],
  [
    "impute: a human reference and a mouse target whose orthologs the reference lacks",
    ({ input, dir }) => IMPUTE(input, dir, OSMFISH),
    2,
    /no gene in common: the reference has human symbol ids .* the target mouse symbol ids \(Gad2, .*mouse genes through their human orthologs/,
  ],
  [
    "impute: a panel gene the reference does not measure",
    ({ input, dir }) => IMPUTE(input, dir, input, "--panel", "MS4A1,CD79B,NOTAGENE,CD3E,GNLY"),
    2,
    /panel genes the reference does not measure: NOTAGENE; remove them from the panel/,
  ],
  [
    "impute: a target with one cell",
    ({ input, dir }) => IMPUTE(input, dir, join(dir, "one.h5ad"), "--panel", "MS4A1,CD79B,CD3E,GNLY"),
    2,
    /the target has 1 cell; an accuracy across cells needs at least 10/,
  ],
  [
    "impute: --dropouts with a reference",
    ({ input, dir }) => ["impute", "--dropouts", input, "--reference", input, "--out", join(dir, "d.h5ad")],
    2,
    /--dropouts imputes within one dataset; it cannot be combined with --reference\/--target/,
  ],
  [
    "impute: --evaluate kfold:1",
    ({ input, dir }) => IMPUTE(input, dir, input, "--evaluate", "kfold:1"),
    2,
    /--evaluate must be kfold:K \(K from 2 to 50\), logo or none; got 'kfold:1'/,
  ],
];

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
    3,
    /nope\.csv: expected a file, but found nothing at this path\. Check the path given as --prior/,
  ],
  [
    "--out over a project's database",
    ({ input, project }) => ["integrate", input, "--out", join(project, "project.sqlite"), "--project", project, ...Q],
    2,
    /the output .*project\.sqlite is a project's database; choose another place/,
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
    "markers into a project's folder",
    ({ input, project }) => ["markers", input, "--groupby", "groups", "--out", join(project, "runs"), "--quiet"],
    2,
    /writing into .*runs would touch the project/,
  ],
];

/** A project whose database was restored from an older backup: the next dataset's file and run's folder exist. */
const UNLISTED: Case[] = [
  [
    "an import where a dataset file the database does not list sits",
    ({ project }) => ["import", PBMC_SMALL, "--project", project, "--quiet"],
    4,
    /datasets\/2\.h5ad already exists, but the project database does not list it .*Nothing was written; move datasets\/2\.h5ad out/,
  ],
  [
    "a run where a run folder the database does not list sits",
    ({ input, dir, project }) => ["integrate", input, "--out", join(dir, "r.h5ad"), "--project", project, ...Q],
    4,
    /runs\/1 already exists, but the project database does not list it/,
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

const tally = new Tally("command-line refusals");
const refuse = (w: Where, cases: readonly Case[], also?: (c: Case, stderr: string) => void) => refuseAll(tally, w, cases, also);

test("command lines: refused before any work, nothing changed", async (t) => refuse(await setup(t), CASES));

test("imputation: no shared genes, a panel gene missing, one target cell, species without orthologs — refused", async (t) => {
  const w = await setup(t);
  await target(w.dir, "fly", (_, i) => `CG${10000 + i}`);
  await target(w.dir, "one", (g) => g, 1);
  await refuse(w, IMPUTE_CASES);
});

test("dataset files: import refuses each (exit 3) with what was expected and found, and logs why", async (t) => {
  const w = await setup(t);
  const cases = await Promise.all(
    BAD_DATASETS.map(async ([name, make, message]): Promise<Case> => {
      const file = await make(w.dir);
      return [name, () => ["import", file, "--project", w.project, "--quiet"], 3, message];
    }),
  );
  // A file the import read and refused is logged; a path that is no file at all is refused before the project opens.
  let seen = 0;
  await refuse(w, cases, ([name, , , message]) => {
    const p = Project.open(w.project);
    try {
      const last = p.events(1)[0]!;
      if (last.id === seen) assert.match(name, /nothing there/, `${name}: refused before reading`);
      else {
        assert.equal(last.kind, "import-failed", name);
        assert.match(last.message, message, name);
      }
      seen = last.id;
    } finally {
      p.close();
    }
  });
});

test("prior files: an integration refuses each (exit 3) before it records a run", async (t) => {
  const w = await setup(t);
  const cases = await Promise.all(
    BAD_PRIORS.map(async ([name, make, message]): Promise<Case> => {
      const prior = await make(w.dir);
      return [
        name,
        () => ["integrate", w.input, "--out", join(w.dir, "r.h5ad"), "--prior", prior, "--project", w.project, ...Q],
        3,
        message,
      ];
    }),
  );
  await refuse(w, cases);
});

test("files the database does not list (an older backup restored) are never overwritten", async (t) => {
  const w = await setup(t);
  copyFileSync(PBMC_SMALL, join(w.project, "datasets", "2.h5ad"));
  mkdirSync(join(w.project, "runs", "1"), { recursive: true });
  writeFileSync(join(w.project, "runs", "1", "result.h5ad"), "an older run's result");
  await refuse(w, UNLISTED);
});

test("a PDF where there is no Chromium: markers, drug predictions and reports refused before any work (were exit 1 after it)", async (t) => {
  const w = await setup(t);
  const env = { SCILAMA_CHROMIUM: join(w.dir, "no-chromium") };
  const before = projectState(w.dir, w.project);
  for (const args of [
    ["markers", w.input, "--groupby", "groups", "--out", join(w.dir, "m"), "--quiet"],
    ["drugs", "predict", w.input, "--groupby", "groups", "--out", join(w.dir, "d"), "--project", w.project, "--quiet"],
    ["report", w.input, "--out", join(w.dir, "r.pdf")],
  ]) {
    const r = cli(args, { env });
    const clean = r.status === 2 && /PDF reports need Chromium, which is not installed at .*no-chromium/.test(r.stderr);
    const changed = !isDeepStrictEqual(projectState(w.dir, w.project), before);
    tally.count({ hung: r.status === null, internal: r.status === 1, silent: r.status === 0, changed, clean });
    console.log(`# ${args[0]} without Chromium: exit ${r.status} in ${r.seconds.toFixed(1)} s — ${r.stderr.trim()}`);
    assert.ok(clean, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at |^· /m, "no stack trace, no stage started");
    assert.equal(changed, false);
  }
});
