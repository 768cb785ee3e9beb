/**
 * Every command of the CLI's own table (`cli/commands.ts`) against the dangerous targets: each file or folder it
 * reads or writes is replaced, one at a time, by a project's database and its -wal/-shm (held open here, as a running
 * app would), an imported dataset, the command's other inputs, another recorded run's files and folder (inside the
 * project and outside it), a symlink to any of these, a FIFO, /dev/zero and a folder. Each must be refused cleanly —
 * the documented exit code, the reason, no stack trace, no hang — with every file and the project's records as they
 * were. A command added to the table without a line here fails the first test.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { COMMANDS } from "../cli/commands.js";
import { Project } from "../store/project.js";
import { type Case, cli, drugRun, refuse, setup, Tally, type Where } from "./refusal-harness.js";

type Role = "dataset" | "file" | "folder" | "out-file" | "out-folder";
interface Slot {
  role: Role;
  /** The value in a valid command line. */
  value: (f: Fixture) => string;
}
interface Template {
  slots: Record<string, Slot>;
  /** The command line with these slot values. */
  args: (s: Record<string, string>) => string[];
}

/** What the cases are made of, laid out once in the suite's scratch folder. */
interface Fixture extends Where {
  db: string;
  dataset: string;
  /** A recorded run's result folder outside the project, and one of its files. */
  runFolder: string;
  runFile: string;
  /** That run's folder inside the project. */
  projectRun: string;
  fifo: string;
  folder: string;
  pairs: string;
  gmt: string;
  panel: string;
  config: string;
  model: string;
}

const Q = ["--quiet"];
const TEMPLATES: Record<string, Template> = {
  start: { slots: {}, args: () => ["start", "--browser", "--no-open"] },
  inspect: { slots: { file: { role: "dataset", value: (f) => f.input } }, args: (s) => ["inspect", s.file!] },
  import: {
    slots: { file: { role: "dataset", value: (f) => f.input } },
    args: (s) => ["import", s.file!, "--project", s.project!, ...Q],
  },
  preprocess: {
    slots: { file: { role: "dataset", value: (f) => f.input }, out: { role: "out-file", value: (f) => join(f.dir, "pp.h5ad") } },
    args: (s) => ["preprocess", s.file!, "--out", s.out!],
  },
  integrate: {
    slots: {
      file: { role: "dataset", value: (f) => f.input },
      prior: { role: "file", value: (f) => f.panel },
      out: { role: "out-file", value: (f) => join(f.dir, "r.h5ad") },
    },
    args: (s) => ["integrate", s.file!, "--prior", s.prior!, "--out", s.out!, "--project", s.project!, "--preset", "quick", ...Q],
  },
  impute: {
    slots: {
      reference: { role: "dataset", value: (f) => f.input },
      target: { role: "dataset", value: (f) => f.input },
      panel: { role: "file", value: (f) => f.panel },
      out: { role: "out-file", value: (f) => join(f.dir, "imputed.h5ad") },
    },
    args: (s) => [
      "impute",
      "--reference",
      s.reference!,
      "--target",
      s.target!,
      "--panel",
      s.panel!,
      "--out",
      s.out!,
      "--project",
      s.project!,
      ...Q,
    ],
  },
  markers: {
    slots: {
      result: { role: "file", value: (f) => f.input },
      gmt: { role: "file", value: (f) => f.gmt },
      out: { role: "out-folder", value: (f) => join(f.dir, "markers") },
    },
    args: (s) => ["markers", s.result!, "--groupby", "groups", "--gmt", s.gmt!, "--out", s.out!, ...Q],
  },
  "drugs train": {
    slots: { out: { role: "out-folder", value: (f) => join(f.dir, "drug-model") } },
    args: (s) => ["drugs", "train", "--out", s.out!, "--split", "random", "--epochs", "1", ...Q],
  },
  "drugs predict": {
    slots: {
      file: { role: "dataset", value: (f) => f.input },
      model: { role: "folder", value: (f) => f.model },
      out: { role: "out-folder", value: (f) => join(f.dir, "drugs") },
    },
    args: (s) => ["drugs", "predict", s.file!, "--groupby", "groups", "--model", s.model!, "--out", s.out!, "--project", s.project!, ...Q],
  },
  "drugs predict-pairs": {
    slots: {
      pairs: { role: "file", value: (f) => f.pairs },
      model: { role: "folder", value: (f) => f.model },
      out: { role: "out-file", value: (f) => join(f.dir, "pred.csv") },
    },
    args: (s) => ["drugs", "predict-pairs", s.pairs!, "--model", s.model!, "--out", s.out!],
  },
  "scpalm pretrain": {
    slots: {
      file: { role: "dataset", value: (f) => f.input },
      config: { role: "file", value: (f) => f.config },
      out: { role: "out-folder", value: (f) => join(f.dir, "scpalm-model") },
    },
    args: (s) => ["scpalm", "pretrain", s.file!, "--config", s.config!, "--epochs", "1", "--out", s.out!, ...Q],
  },
  "scpalm embed": {
    slots: { file: { role: "dataset", value: (f) => f.input }, out: { role: "out-file", value: (f) => join(f.dir, "embed.h5ad") } },
    args: (s) => ["scpalm", "embed", s.file!, "--out", s.out!, ...Q],
  },
  "scpalm pathways": {
    slots: { file: { role: "dataset", value: (f) => f.input }, out: { role: "out-folder", value: (f) => join(f.dir, "pathways") } },
    args: (s) => ["scpalm", "pathways", s.file!, "--out", s.out!, ...Q],
  },
  report: {
    slots: { result: { role: "file", value: (f) => f.input }, out: { role: "out-file", value: (f) => join(f.dir, "report.pdf") } },
    args: (s) => ["report", s.result!, "--out", s.out!],
  },
  "project create": {
    slots: { folder: { role: "out-folder", value: (f) => join(f.dir, "new-project") } },
    args: (s) => ["project", "create", s.folder!],
  },
  "project info": { slots: {}, args: (s) => ["project", "info", s.project!] },
  "project list": { slots: { root: { role: "folder", value: (f) => f.dir } }, args: (s) => ["project", "list", s.root!] },
};

const DB = /found a sciLaMA Studio project's database\. A project's own files are never read as inputs/;
const PIPE = /found a pipe \(FIFO\)/;
const TOUCH = /would touch the project .*own files|is a project's database; choose another place/;
const CLAIMED = /holds? the files of run 1 \(drug-response\).*; a recorded run's files are its own/;

type Target = [name: string, path: (f: Fixture, own: Record<string, string>) => string, exit: number, message: RegExp];

/** What each kind of slot is tried with, and the refusal each must get. */
function targets(role: Role, inputs: string[]): Target[] {
  const database: Target[] = [
    ["the project's database", (f) => f.db, 3, DB],
    ["its -wal", (f) => `${f.db}-wal`, 3, DB],
    ["its -shm", (f) => `${f.db}-shm`, 3, DB],
    ["a symlink to the database", (f) => join(f.dir, "link-db"), 3, DB],
  ];
  if (role === "dataset") return [...database, ["a FIFO", (f) => f.fifo, 3, PIPE], ["/dev/zero", () => "/dev/zero", 3, /found a device/]];
  if (role === "file")
    return [
      ...database,
      ["a FIFO", (f) => f.fifo, 3, PIPE],
      ["/dev/zero", () => "/dev/zero", 3, /found a device/],
      ["a folder", (f) => f.folder, 3, /expected a file, but found a folder/],
    ];
  if (role === "folder")
    return [
      ...database.slice(0, 1).map(([n, p]): Target => [n, p, 3, DB]),
      ["a FIFO", (f) => f.fifo, 3, PIPE],
      ["a file", (f) => f.pairs, 3, /expected a folder, but found a file/],
    ];
  const own: Target[] = inputs.map((slot) => [
    `its input (${slot})`,
    (_, s) => s[slot]!,
    2,
    /is also an input|is inside an input folder|is a file, not a folder/,
  ]);
  if (role === "out-file")
    return [
      ["the project's database", (f) => f.db, 2, TOUCH],
      ["its -wal", (f) => `${f.db}-wal`, 2, TOUCH],
      ["its -shm", (f) => `${f.db}-shm`, 2, TOUCH],
      ["an imported dataset", (f) => f.dataset, 2, TOUCH],
      ...own,
      ["a file in another run's folder in the project", (f) => join(f.projectRun, "result.h5ad"), 2, TOUCH],
      ["another recorded run's file", (f) => f.runFile, 2, CLAIMED],
      ["a symlink to the database", (f) => join(f.dir, "link-db"), 2, TOUCH],
      ["a symlink to the imported dataset", (f) => join(f.dir, "link-dataset"), 2, TOUCH],
      ["a symlink to another run's file", (f) => join(f.dir, "link-run-file"), 2, CLAIMED],
      ["a FIFO", (f) => f.fifo, 2, /exists and is not a file/],
      ["a folder", (f) => f.folder, 2, /exists and is not a file/],
    ];
  return [
    ["the project's database", (f) => f.db, 2, TOUCH],
    ["the project's datasets folder", (f) => join(f.project, "datasets"), 2, TOUCH],
    ["an imported dataset", (f) => f.dataset, 2, TOUCH],
    ...own,
    ["another run's folder in the project", (f) => f.projectRun, 2, TOUCH],
    ["another recorded run's folder", (f) => f.runFolder, 2, CLAIMED],
    ["a symlink to the project's datasets folder", (f) => join(f.dir, "link-datasets"), 2, TOUCH],
    ["a symlink to another run's folder", (f) => join(f.dir, "link-run"), 2, CLAIMED],
    ["a FIFO", (f) => f.fifo, 2, /is not a folder|is a file, not a folder/],
  ];
}

/** The scratch folder: the project (held open, with a recorded drug-response run whose files lie outside it), and
 *  the files and links the cases name. */
async function fixture(t: { after(fn: () => void): void }): Promise<{ f: Fixture; held: Project }> {
  const w = await setup(t);
  const runFolder = join(w.dir, "drug-run");
  const recorded = cli(drugRun(runFolder, w.project));
  assert.equal(recorded.status, 0, recorded.stderr);
  const f: Fixture = {
    ...w,
    db: join(w.project, "project.sqlite"),
    dataset: join(w.project, "datasets", "1.h5ad"),
    runFolder,
    runFile: join(runFolder, "predictions.csv"),
    projectRun: join(w.project, "runs", "1"),
    fifo: join(w.dir, "fifo"),
    folder: join(w.dir, "a-folder"),
    pairs: join(w.dir, "pairs.csv"),
    gmt: join(w.dir, "sets.gmt"),
    panel: join(w.dir, "panel.txt"),
    config: join(w.dir, "config.json"),
    model: join(w.dir, "model"),
  };
  execFileSync("mkfifo", [f.fifo]);
  mkdirSync(f.folder);
  mkdirSync(f.model);
  mkdirSync(f.projectRun, { recursive: true });
  writeFileSync(f.pairs, "DepMap_ID,SMILES\nACH-000001,CCO\n");
  writeFileSync(f.gmt, "SET\tna\tCD3E\tMS4A1\tGNLY\n");
  writeFileSync(f.panel, "MS4A1\nCD79B\nCD3E\nGNLY\n");
  writeFileSync(f.config, JSON.stringify({ tokens: 8 }));
  symlinkSync(f.db, join(w.dir, "link-db"));
  symlinkSync(f.dataset, join(w.dir, "link-dataset"));
  symlinkSync(join(w.project, "datasets"), join(w.dir, "link-datasets"));
  symlinkSync(runFolder, join(w.dir, "link-run"));
  symlinkSync(f.runFile, join(w.dir, "link-run-file"));
  // Held open as a running app would: its -wal and -shm exist, and must survive every case.
  const held = Project.open(w.project);
  t.after(() => held.close());
  return { f, held };
}

test("the table of dangerous targets covers every command of the CLI", () => {
  assert.deepEqual(Object.keys(TEMPLATES).sort(), COMMANDS.map((c) => c.name).sort());
});

const tally = new Tally("commands × dangerous targets");

test("every command refuses every dangerous target before any work, and nothing changes", async (t) => {
  const { f } = await fixture(t);
  const cases: Case[] = [];
  for (const [name, tpl] of Object.entries(TEMPLATES)) {
    const valid = Object.fromEntries([...Object.entries(tpl.slots).map(([k, s]) => [k, s.value(f)]), ["project", f.project]]);
    const inputs = Object.entries(tpl.slots)
      .filter(([, s]) => !s.role.startsWith("out-"))
      .map(([k]) => k);
    for (const [slot, s] of Object.entries(tpl.slots))
      for (const [target, path, exit, message] of targets(s.role, inputs)) {
        const at = path(f, valid);
        cases.push([`${name} — ${slot} is ${target}`, () => tpl.args({ ...valid, [slot]: at }), exit, message]);
      }
  }
  console.log(`# ${cases.length} cases over ${Object.keys(TEMPLATES).length} commands`);
  await refuse(tally, f, cases);
});
