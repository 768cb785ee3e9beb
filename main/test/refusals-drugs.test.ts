/**
 * The drug-response commands' refusal suite, table-driven (`refusal-harness.ts`): molecules too long for RDKit's
 * WebAssembly build (it trapped, or never returned, from ~620 atoms: exit 1 and a broken module), a wrong or damaged
 * `--model`, groupings that are measurements or one group per cell, a grouping where every value is missing, malformed
 * pairs files — each → the documented exit code, clear words, no stack trace, nothing changed. Beside them, as normal
 * tests: group names that a spreadsheet would run as formulas are written escaped, cells without a group are left
 * out (and counted), and RDKit recovers after a trap within one process.
 */

import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { DrugResult } from "../api/contract.js";
import type { Column } from "../data/frame.js";
import { subset } from "../data/subset.js";
import { featurize } from "../drugs/featurize.js";
import { RDKIT_MAX_ATOMS, SmilesError, withRDKit } from "../drugs/rdkit.js";
import { writeH5ad } from "../io/h5ad/write.js";
import { readDataset } from "../io/read.js";
import { resourcePath } from "../resources.js";
import { CELLBENCH, tempDir } from "./helpers.js";
import { type Case, cli, refuse, setup, Tally, type Where } from "./refusal-harness.js";

const tally = new Tally("drug refusals");

/** A carbon chain of 700 atoms: 700 characters, within the API's 1,000; RDKit trapped on it ("memory access out of
 *  bounds") or never returned. */
const CHAIN = "C".repeat(700);
/** 83 carbons with every hydrogen written: 83 heavy atoms (the model takes 100) but 251 atoms for RDKit to read. */
const HYDROGENS = `[H]C([H])([H])${"C([H])([H])".repeat(81)}C([H])([H])[H]`;
const H1975 = "ACH-000587";
const MODEL = resourcePath("drug-model");

/** A copy of the bundled model folder with `damage` done to it. */
function modelCopy(dir: string, name: string, damage: (folder: string) => void): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  for (const f of readdirSync(MODEL)) copyFileSync(join(MODEL, f), join(folder, f));
  damage(folder);
  return folder;
}

/**
 * A small CellBench (the three lung adenocarcinoma lines, `perLine` cells of each: enough of the model's genes for a
 * prediction to run) with extra cell columns: `barcode` (one value per cell), `missing` (every value NA) and `arm`
 * (each line's name turned into text a spreadsheet runs as a formula, every fifth cell without a value).
 */
async function cellbenchSmall(dir: string, perLine: number): Promise<{ file: string; leftOut: number }> {
  const { dataset } = await readDataset(CELLBENCH);
  const line = dataset.obs.columns.get("cell_line") as Extract<Column, { kind: "categorical" }>;
  const keep = line.categories.flatMap((_, c) => [...line.codes.keys()].filter((i) => line.codes[i] === c).slice(0, perLine));
  const d = subset(dataset, keep);
  const codes = (d.obs.columns.get("cell_line") as Extract<Column, { kind: "categorical" }>).codes;
  const arm = Int32Array.from(codes, (c, i) => (i % 5 === 4 ? -1 : c));
  d.obs.columns.set("arm", {
    kind: "categorical",
    codes: arm,
    categories: ['=HYPERLINK("http://example.com","H1975")', "+H2228", "@HCC827"],
    ordered: false,
  });
  d.obs.columns.set("barcode", { kind: "string", values: d.obs.index.map((c) => `cell-${c}`) });
  d.obs.columns.set("missing", {
    kind: "categorical",
    codes: new Int32Array(codes.length).fill(-1),
    categories: ["a", "b"],
    ordered: false,
  });
  const file = join(dir, `cellbench-${perLine}.h5ad`);
  writeH5ad(file, d);
  return { file, leftOut: arm.filter((c) => c < 0).length };
}

const pairsFile = (dir: string, name: string, text: string | Buffer) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

/** A prediction of `cb` (20 cells of each CellBench line, `cellbenchSmall`) by cell line. */
const PREDICT = (w: Where, cb: string, ...more: string[]) => [
  "drugs",
  "predict",
  cb,
  "--groupby",
  "cell_line",
  "--out",
  join(w.dir, "out"),
  "--drugs",
  "Gefitinib",
  ...more,
  "--quiet",
];
const PAIRS = (w: Where, file: string, ...more: string[]) => ["drugs", "predict-pairs", file, "--out", join(w.dir, "pred.csv"), ...more];

const MOLECULES = (dir: string, cb: string): Case[] => {
  const long = pairsFile(dir, "long.csv", `DepMap_ID,SMILES\n${H1975},CCO\n${H1975},${CHAIN}\n`);
  return [
    [
      "a 700-atom SMILES (700 characters) as --smiles, with a project: refused before RDKit reads it (was exit 1, 'memory access out of bounds')",
      (w) => PREDICT(w, cb, "--smiles", `chain:${CHAIN}`, "--project", w.project),
      2,
      /molecule chain: SMILES "C{60}…" \(700 characters\): 700 atoms; DeepCDR's drug graphs hold at most 100; the model cannot predict a molecule this large/,
    ],
    [
      "a SMILES of 83 heavy atoms and 168 written hydrogens (251 atoms for RDKit)",
      (w) => PREDICT(w, cb, "--smiles", `hydrogens:${HYDROGENS}`),
      2,
      new RegExp(`molecule hydrogens: .*251 atoms; molecules RDKit reads here hold at most ${RDKIT_MAX_ATOMS}`),
    ],
    [
      "a 700-atom SMILES in a pairs file (was exit 1 or a hang)",
      (w) => PAIRS(w, long),
      3,
      /long\.csv line 3: expected a valid SMILES string, but found 'C{60}…' \(700 characters\)\..*700 atoms; DeepCDR's drug graphs hold at most 100/,
    ],
  ];
};

const MODELS = (dir: string, cb: string): Case[] => {
  const empty = join(dir, "empty-folder");
  mkdirSync(empty);
  const trained = join(dir, "trained");
  mkdirSync(trained);
  copyFileSync(join(MODEL, "member-1.safetensors"), join(trained, "model-random.safetensors"));
  writeFileSync(join(trained, "metrics.csv"), "split,seed,method\n");
  const truncated = modelCopy(dir, "truncated", (f) => truncateSync(join(f, "member-2.safetensors"), 1_000_000));
  const garbage = modelCopy(dir, "garbage", (f) => writeFileSync(join(f, "member-1.safetensors"), "this is not a model, just some text"));
  const header = modelCopy(dir, "bad-header", (f) => {
    const b = readFileSync(join(f, "member-3.safetensors"));
    b.write("{{{{", 8);
    writeFileSync(join(f, "member-3.safetensors"), b);
  });
  const ok = pairsFile(dir, "ok.csv", `DepMap_ID,SMILES\n${H1975},CCO\n`);
  const reference = modelCopy(dir, "bad-reference", (f) => truncateSync(join(f, "ccle-reference.safetensors"), 2_000_000));
  return [
    [
      "--model at an empty folder",
      (w) => PREDICT(w, cb, "--model", empty),
      2,
      /the model folder .*empty-folder holds no drug-response model: expected ccle-reference\.safetensors and member-1\.safetensors .* it is empty/,
    ],
    [
      "--model at a 'drugs train' output folder, with a project (was exit 1)",
      (w) => PREDICT(w, cb, "--model", trained, "--project", w.project),
      2,
      /holds no drug-response model: .*it holds metrics\.csv, model-random\.safetensors \('scilama drugs train' writes evaluation models/,
    ],
    [
      "--model with a member cut short (was exit 1 in onnxruntime)",
      (w) => PREDICT(w, cb, "--model", truncated),
      3,
      /member-2\.safetensors: expected a drug-response model \(safetensors\), but found .*damaged/,
    ],
    [
      "--model with a member that is text",
      (w) => PREDICT(w, cb, "--model", garbage),
      3,
      /member-1\.safetensors: expected a drug-response model .*cannot be read.*damaged/,
    ],
    [
      "--model with a member whose header is garbled",
      (w) => PREDICT(w, cb, "--model", header),
      3,
      /member-3\.safetensors: expected a drug-response model .*cannot be read/,
    ],
    [
      "--model with its CCLE reference cut short",
      (w) => PREDICT(w, cb, "--model", reference),
      3,
      /ccle-reference\.safetensors: expected the CCLE reference of a drug-response model .*damaged/,
    ],
    ["predict-pairs --model at a 'drugs train' output folder", (w) => PAIRS(w, ok, "--model", trained), 2, /holds no drug-response model/],
    [
      "predict-pairs --model with a member cut short",
      (w) => PAIRS(w, ok, "--model", truncated),
      3,
      /member-2\.safetensors: expected a drug-response model/,
    ],
  ];
};

const GROUPINGS = (cb: string): Case[] => [
  [
    "--groupby a measurement (was 60 one-cell groups, predicted), with a project",
    (w) => PREDICT(w, cb, "--groupby", "number_of_genes", "--project", w.project),
    2,
    /the grouping column 'number_of_genes' is a continuous measurement \(\d+ different values\), not groups; choose another \(columns that would do: cell_line, .*arm/,
  ],
  [
    "--groupby pbmc_small's nCount_RNA (71 values over 80 cells)",
    (w) => ["drugs", "predict", w.input, "--groupby", "nCount_RNA", "--out", join(w.dir, "out"), "--quiet"],
    2,
    /the grouping column 'nCount_RNA' is a continuous measurement \(71 different values\), not groups; choose another \(columns that would do: RNA_snn_res\.0\.8, letter\.idents, groups, RNA_snn_res\.1\)/,
  ],
  [
    "--groupby one value per cell (was 60 one-cell groups, predicted)",
    (w) => PREDICT(w, cb, "--groupby", "barcode"),
    2,
    /the grouping column 'barcode' has 60 groups for 60 cells — nearly one group per cell/,
  ],
  [
    "--groupby a column whose every value is missing (was one group 'NA')",
    (w) => PREDICT(w, cb, "--groupby", "missing"),
    3,
    /expected cells with a value in the grouping column 'missing', but found none: every one of its 60 cells is missing \(NA\)/,
  ],
  [
    "--groupby a column the file does not have",
    (w) => PREDICT(w, cb, "--groupby", "celltype"),
    2,
    /the grouping column 'celltype' is not a cell column of cellbench-20\.h5ad \(columns that would do: cell_line/,
  ],
];

const PAIRS_FILES = (dir: string): Case[] => {
  const file = (name: string, text: string | Buffer) => pairsFile(dir, name, text);
  // Every file is written before the cases run (the harness compares the folder before and after each).
  const PAIRS_OF = (f: string) => (w: Where) => PAIRS(w, f);
  return [
    [
      "an empty pairs file (a guard: refused so before)",
      PAIRS_OF(file("empty.csv", "")),
      3,
      /empty\.csv: expected a table with a header line, but found an empty file/,
    ],
    [
      "a pairs file with only its header (a guard: refused so before)",
      PAIRS_OF(file("header.csv", "DepMap_ID,SMILES\n")),
      3,
      /header\.csv: expected at least one data row/,
    ],
    [
      "a pairs file without a SMILES column",
      PAIRS_OF(file("columns.csv", `DepMap_ID,smile\n${H1975},CCO\n`)),
      3,
      /columns\.csv: expected columns DepMap_ID and SMILES, but found columns 'DepMap_ID', 'smile'\. A pairs file is a CSV/,
    ],
    [
      "a pairs file with an unknown DepMap id (a guard: refused so before)",
      PAIRS_OF(file("unknown.csv", `DepMap_ID,SMILES\n${H1975},CCO\nACH-999999,CCO\n`)),
      3,
      /unknown\.csv: expected DepMap ids .* 1 unknown \('ACH-999999' on line 3\)/,
    ],
    [
      "a pairs file with an empty SMILES",
      PAIRS_OF(file("no-smiles.csv", `DepMap_ID,SMILES\n${H1975},CCO\n${H1975},\n`)),
      3,
      /no-smiles\.csv: expected a DepMap_ID and a SMILES on every line, but found an empty SMILES on line 3/,
    ],
    [
      "a pairs file with an empty DepMap id",
      PAIRS_OF(file("no-id.csv", `DepMap_ID,SMILES\n,CCO\n`)),
      3,
      /no-id\.csv: expected a DepMap_ID and a SMILES on every line, but found an empty DepMap_ID on line 2/,
    ],
    [
      "a pairs file with two SMILES columns (was accepted: the first one predicted)",
      PAIRS_OF(file("two.csv", `DepMap_ID,SMILES,SMILES\n${H1975},CCO,CCN\n`)),
      3,
      /two\.csv: expected one column SMILES, but found 2 columns named SMILES/,
    ],
    [
      "a pairs file with ragged rows (a guard: refused so before)",
      PAIRS_OF(file("ragged.csv", `DepMap_ID,SMILES\n${H1975}\n`)),
      3,
      /ragged\.csv: expected 2 fields on every line/,
    ],
    [
      "a pairs file that is binary (a guard: refused so before)",
      PAIRS_OF(file("binary.csv", Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)))),
      3,
      /binary\.csv: expected/,
    ],
    [
      "a pairs file whose SMILES RDKit cannot read (a guard: refused so before)",
      PAIRS_OF(file("bad.csv", `DepMap_ID,SMILES\n${H1975},CC(=O\n`)),
      3,
      /bad\.csv line 2: expected a valid SMILES string.*position 3/,
    ],
  ];
};

test("molecules too long for RDKit: refused (counted on the SMILES) before RDKit reads them, nothing recorded", async (t) => {
  const w = await setup(t);
  await refuse(tally, w, MOLECULES(w.dir, (await cellbenchSmall(w.dir, 20)).file));
});

test("a wrong or damaged --model: refused before any work (exit 2 / 3), nothing recorded", async (t) => {
  const w = await setup(t);
  await refuse(tally, w, MODELS(w.dir, (await cellbenchSmall(w.dir, 20)).file));
});

test("groupings that are not groups: a measurement, one group per cell, every value missing, no such column", async (t) => {
  const w = await setup(t);
  await refuse(tally, w, GROUPINGS((await cellbenchSmall(w.dir, 20)).file));
});

test("malformed pairs files: exit 3 with what was expected and found", async (t) => {
  const w = await setup(t);
  await refuse(tally, w, PAIRS_FILES(w.dir));
});

test("group names a spreadsheet runs as formulas are written escaped; cells without a group are left out and counted", async (t) => {
  const { dir, project } = await setup(t);
  const { file, leftOut } = await cellbenchSmall(dir, 40);
  assert.equal(leftOut, 24);
  const out = join(dir, "out");
  const r = cli(["drugs", "predict", file, "--groupby", "arm", "--drugs", "Gefitinib,Erlotinib", "--out", out, "--project", project]);
  t.diagnostic(`exit ${r.status} in ${r.seconds.toFixed(1)} s`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /24 cells left out: their 'arm' is missing \(NA\), so they are in no group/);
  assert.doesNotMatch(r.stdout, /^NA \(/m, "no group called NA");
  const predictions = readFileSync(join(out, "predictions.csv"), "utf8").trim().split("\n");
  const groups = new Set(predictions.slice(1).map((l) => l.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)[0]));
  assert.deepEqual([...groups].sort(), ['"\'=HYPERLINK(""http://example.com"",""H1975"")"', "'+H2228", "'@HCC827"]);
  // Numbers stay numbers, negative ones included (ln IC50 relative to the CCLE median is negative for a potent drug).
  const numbers = predictions.slice(1).flatMap((l) => l.split(",").slice(-5));
  assert.ok(
    numbers.some((v) => v.startsWith("-")),
    "some value is negative",
  );
  for (const v of numbers) assert.ok(v === "" || Number.isFinite(Number(v)), `${v} is a number`);
  const sizes = readFileSync(join(out, "groups.csv"), "utf8").trim().split("\n").slice(1);
  assert.deepEqual(
    sizes.map((l) => Number(l.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)[1])),
    [32, 32, 32],
    "each line's 40 cells less every fifth",
  );
  // The app's result page says so too (its view).
  assert.equal((JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as DrugResult).leftOut, 24);
});

test("predict-pairs: a pairs file's own text columns escaped in the output, numbers kept, a spreadsheet's byte-order mark read", async (t) => {
  const dir = tempDir(t);
  const pairs = pairsFile(dir, "pairs.csv", `\uFEFFDepMap_ID,SMILES,note,dose\n${H1975},CCO,=1+2,-1.5\n${H1975},CCN,@SUM(A1),+3\n`);
  const out = join(dir, "pred.csv");
  const r = cli(["drugs", "predict-pairs", pairs, "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  const rows = readFileSync(out, "utf8").trim().split("\n");
  assert.match(rows[0]!, /DepMap_ID,SMILES,note,dose,pred_ln_IC50,pred_sd$/);
  assert.match(rows[1]!, /^ACH-000587,CCO,'=1\+2,-1\.5,-?\d/);
  assert.match(rows[2]!, /^ACH-000587,CCN,'@SUM\(A1\),\+3,-?\d/);
});

test("RDKit: a trap inside it is a refusal of that molecule, and the next molecule is read by a fresh module", async () => {
  // Past the bound parseSmiles keeps, straight through the module: a 650-atom chain traps inside RDKit.
  await assert.rejects(
    withRDKit("a 650-atom chain", (r) => {
      const mol = r.module.get_mol("C".repeat(650));
      assert.ok(mol);
      try {
        return mol.get_smiles();
      } finally {
        mol.delete();
      }
    }),
    (e: unknown) => e instanceof SmilesError && /RDKit failed on it \(memory access out of bounds\)/.test(e.message),
  );
  const g = await featurize("c1ccccc1O");
  assert.equal(g.atoms, 7);
  assert.equal(g.smiles, "Oc1ccccc1");
  // The bound refuses before RDKit: the same chain through featurize never reaches it.
  await assert.rejects(featurize(CHAIN), /700 atoms; DeepCDR's drug graphs hold at most 100/);
  assert.equal((await featurize("CCO")).atoms, 3);
});
