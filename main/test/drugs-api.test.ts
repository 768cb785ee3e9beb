/**
 * The drug-response wizard's engine side through the API (`callMethod`, as both hosts dispatch), on CellBench (three
 * lung adenocarcinoma lines, 499 cells, with a UMAP) imported into a real project: the plan (its groupings with their
 * cell counts, the model's genes found, the drug list, the cancer types); SMILES checked as the model reads them;
 * refusals in the engine's words that record nothing; a run by cell line among LUAD lines with a new molecule — its
 * result (groups, every drug against its median, the per-cell overlay, the evaluation tables) against the files it
 * wrote and the bundled model, and its report; a run cancelled at once; and `scilama drugs predict --project`
 * recorded as the app records it.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { drugRunReport } from "../analyses/drugs/api.js";
import { loadReference } from "../analyses/drugs/bundle.js";
import type { DrugPlan, DrugView, MoleculeCheck, ProjectView, StudioEvent } from "../api/contract.js";
import { callMethod } from "../api/methods.js";
import { Studio } from "../api/studio.js";
import { cellText } from "../data/frame.js";
import { readObs } from "../io/read.js";
import { cellbenchWithUmap } from "./drug-data.js";
import { scilama, waitFor } from "./helpers.js";

const home = mkdtempSync(join(tmpdir(), "studio-drugs-"));
process.env.SCILAMA_HOME = home;
/** Brigatinib, an ALK inhibitor that is not among the GDSC2 drugs (H2228 carries an EML4-ALK fusion). */
const BRIGATINIB = "CN1CCN(CC1)C2CCN(CC2)C3=CC(=C(C=C3)NC4=NC=C(C(=N4)NC5=CC=CC=C5P(=O)(C)C)Cl)OC";
let studio: Studio;
const events: StudioEvent[] = [];
let dir = "";
let file = "";
let dataset = 0;

const call = <T>(method: string, payload: object) => callMethod(studio, method, { project: dir, ...payload }) as Promise<T>;
const runs = async () => (await call<ProjectView>("project.view", {})).runs.length;

before(async () => {
  studio = new Studio("test");
  studio.on((e) => events.push(e));
  dir = ((await callMethod(studio, "project.create", { name: "Drugs test" })) as ProjectView).dir;
  file = await cellbenchWithUmap(home);
  const { ticket } = await call<{ ticket: string }>("dataset.import", { path: file, name: "CellBench 3 lines" });
  const done = await waitFor(() => events.find((e) => e.type === "import-done" && e.ticket === ticket));
  assert.ok(done.type === "import-done" && done.datasetId !== null, done.type === "import-done" ? (done.error ?? "") : "");
  dataset = done.datasetId;
});

after(() => studio.close());

test("the plan: groupings with their cell counts, the model's genes found, the drugs, the cancer types", async () => {
  const plan = await call<DrugPlan>("drugs.plan", { dataset });
  const ref = loadReference();
  assert.deepEqual(plan.dataset, { id: dataset, name: "CellBench 3 lines", cells: 499, genes: 15073 });
  assert.equal(plan.suggested, "cell_line");
  const line = plan.columns.find((c) => c.name === "cell_line")!;
  assert.deepEqual(line.groups, [
    { name: "H1975", cells: 206 },
    { name: "H2228", cells: 146 },
    { name: "HCC827", cells: 147 },
  ]);
  const outliers = plan.columns.find((c) => c.name === "outliers")!;
  assert.equal(outliers.groups, null);
  assert.match(outliers.labelNote!, /single value/);
  assert.ok(!plan.columns.some((c) => c.name === "number_of_genes"), "measurements are not offered as groupings");
  // The same genes the engine matches (drug-predict.test.ts: 544 of 706 on this file), and its threshold.
  assert.deepEqual(plan.coverage, { matched: 544, total: 706, needed: 353 });
  assert.equal(plan.drugs.length, ref.drugs.length);
  const gefitinib = plan.drugs.find((d) => d.name === "Gefitinib")!;
  assert.equal(gefitinib.pathway, "EGFR signaling");
  assert.ok(plan.pathways.includes("EGFR signaling"));
  assert.deepEqual(
    plan.cancerTypes.find((t) => t.code === "LUAD"),
    { code: "LUAD", name: "lung adenocarcinoma", lines: 50 },
  );
  assert.equal(plan.lines, ref.lines.length);
  assert.match(plan.warning, /trained on cancer cell lines/);
});

test("a SMILES string checked as the model reads it: canonical form and drawing, or RDKit's reason", async () => {
  const ok = await callMethod(studio, "drugs.molecule", { smiles: BRIGATINIB });
  assert.ok((ok as MoleculeCheck).valid);
  const m = ok as Extract<MoleculeCheck, { valid: true }>;
  assert.equal(m.atoms, 40);
  assert.match(m.svg, /^<svg[^>]*width='320px'/);
  assert.doesNotMatch(m.svg, /<script/i);
  const bad = (await callMethod(studio, "drugs.molecule", { smiles: "CC(=O" })) as MoleculeCheck;
  assert.deepEqual(bad.valid, false);
  assert.match((bad as { problem: string }).problem, /SMILES "CC\(=O":.*position 3/);
  const big = (await callMethod(studio, "drugs.molecule", { smiles: "C".repeat(120) })) as { problem: string };
  assert.match(big.problem, /120 atoms; DeepCDR's drug graphs hold at most 100/);
});

test("a molecule too long for RDKit is refused before RDKit reads it, and the next check works (was HTTP 500 from then on)", async () => {
  // 999 characters, within the API's 1,000: RDKit's WebAssembly trapped ("memory access out of bounds") or never
  // returned on such a chain, and every later check failed until a restart.
  for (const smiles of ["C".repeat(999), `[H]C([H])([H])${"C([H])([H])".repeat(81)}C([H])([H])[H]`]) {
    const check = (await callMethod(studio, "drugs.molecule", { smiles })) as MoleculeCheck;
    assert.equal(check.valid, false);
    assert.match(
      (check as { problem: string }).problem,
      /^SMILES "[^"]{60}…" \(\d+ characters\): (999 atoms; DeepCDR's drug graphs hold at most 100|251 atoms; molecules RDKit reads here hold at most 250)$/,
    );
    const next = (await callMethod(studio, "drugs.molecule", { smiles: BRIGATINIB })) as MoleculeCheck;
    assert.ok(next.valid && next.atoms === 40);
  }
});

test("refusals say why in the engine's words and record nothing", async () => {
  const before = await runs();
  const start = (over: object) => call("drugs.start", { dataset, groupby: "cell_line", ...over });
  await assert.rejects(start({ colour: "red" }), /unknown field\(s\) colour/);
  await assert.rejects(
    start({ groupby: "no_such_column" }),
    /the grouping column 'no_such_column' is not a cell column of .*columns that would do: cell_line, cell_line_demuxlet, demuxlet_cls, dataset/,
  );
  // A measurement was 479 groups of one or two cells.
  await assert.rejects(
    start({ groupby: "number_of_genes" }),
    /the grouping column 'number_of_genes' is a continuous measurement \(479 different values\), not groups/,
  );
  await assert.rejects(
    start({ groupby: "outliers" }),
    /expected at least two groups, but found one group \('False'\).*relative between groups/,
  );
  await assert.rejects(
    start({ molecules: [{ name: "broken", smiles: "CC(=O" }] }),
    /molecule broken: expected a valid SMILES string.*position 3/,
  );
  await assert.rejects(
    start({ molecules: [{ name: "chain", smiles: "C".repeat(999) }] }),
    /molecule chain: SMILES "C{60}…" \(999 characters\): 999 atoms; DeepCDR's drug graphs hold at most 100; the model cannot predict a molecule this large/,
  );
  await assert.rejects(start({ drugs: ["Gefitinib", "Aspirin"] }), /1 unknown: Aspirin/);
  await assert.rejects(start({ cancerType: "XYZ" }), /one of the CCLE TCGA codes.*found 'XYZ'/);
  await assert.rejects(
    start({
      molecules: [
        { name: "a", smiles: "CCO" },
        { name: "A", smiles: "CCN" },
      ],
    }),
    /Two molecules are named 'A'/,
  );
  await assert.rejects(
    start({ molecules: Array.from({ length: 51 }, (_, i) => ({ name: `m${i}`, smiles: "CCO" })) }),
    /molecules must be a list of 0–50 items/,
  );
  assert.equal(await runs(), before);
});

test("a run by cell line among LUAD lines with a new molecule: the result, its files, the overlay, the report", async () => {
  const { runId } = await call<{ runId: number }>("drugs.start", {
    dataset,
    groupby: "cell_line",
    cancerType: "LUAD",
    molecules: [{ name: "Brigatinib", smiles: BRIGATINIB }],
  });
  const done = await waitFor(() => events.find((e) => e.type === "run-done" && e.runId === runId), 300_000);
  assert.ok(done.type === "run-done" && done.status === "succeeded", done.type === "run-done" ? (done.error ?? "") : "");
  const stages = events.filter((e) => e.type === "run" && e.runId === runId).map((e) => (e.type === "run" ? e.stage : ""));
  assert.ok(stages.includes("predicting every group × drug"), stages.join(", "));

  const v = await call<DrugView>("drugs.result", { runId });
  const ref = loadReference();
  assert.equal(v.run.kind, "drug-response");
  assert.deepEqual(v.run.drugs, {
    dataset,
    groupby: "cell_line",
    cancerType: "LUAD",
    molecules: [{ name: "Brigatinib", smiles: BRIGATINIB }],
  });
  assert.deepEqual(v.groups, ["H1975", "H2228", "HCC827"]);
  assert.deepEqual(v.sizes, [206, 146, 147]);
  assert.equal(v.dataset, "CellBench 3 lines");
  const nd = ref.drugs.length + 1;
  assert.equal(v.drugs.length, nd);
  for (const k of ["pred", "sd", "rank", "percentile", "relative"] as const) assert.equal(v[k].length, 3 * nd, k);

  // A bundled drug: read against its measured median over all lines, placed among the 50 LUAD lines measured with it.
  const g = v.drugs.findIndex((d) => d.name === "Gefitinib");
  const gi = ref.drugs.findIndex((d) => d.name === "Gefitinib");
  const measured = [...ref.pairs.drug.keys()].filter((k) => ref.pairs.drug[k] === gi).map((k) => ref.pairs.y[k]!);
  const luad = [...ref.pairs.drug.keys()]
    .filter((k) => ref.pairs.drug[k] === gi && ref.lines[ref.pairs.cell[k]!]!.tcga === "LUAD")
    .map((k) => ref.pairs.y[k]!);
  assert.equal(v.drugs[g]!.linesKind, "measured");
  assert.equal(v.drugs[g]!.median, measured.sort((a, b) => a - b)[Math.floor(measured.length / 2)]);
  assert.deepEqual(
    v.drugs[g]!.lines,
    luad.sort((a, b) => a - b),
  );
  for (let k = 0; k < 3; k++) {
    const i = k * nd + g;
    assert.ok(Math.abs(v.relative[i]! - (v.pred[i]! - v.drugs[g]!.median)) < 1e-9);
    assert.ok(Math.abs(v.percentile[i]! - (100 * luad.filter((x) => x < v.pred[i]!).length) / luad.length) < 1e-4);
  }
  // The new molecule: last, read against the model's own predictions for the CCLE lines (the 50 LUAD ones shown).
  const b = v.drugs.at(-1)!;
  assert.equal(b.name, "Brigatinib");
  assert.ok(b.custom && b.linesKind === "predicted" && b.lines.length === 50);
  assert.ok(Number.isFinite(b.median) && b.cid === null);
  assert.ok(
    [0, 1, 2].every((k) => v.percentile[k * nd + nd - 1] === null),
    "no measured line to place a new molecule among",
  );

  // The overlay: each cell's group is its cell line; the dataset's own UMAP.
  const obs = await readObs(file);
  const lineOf = obs.columns.get("cell_line")!;
  assert.equal(v.cells!.codes.length, 499);
  assert.ok(v.cells!.codes.every((c, i) => v.groups[c] === cellText(lineOf, i)));
  assert.equal(v.cells!.umap.length, 2 * 499);
  assert.deepEqual(
    v.evaluation.map((t) => t.rows),
    Object.values(ref.metrics).filter((rows) => rows.length),
  );
  assert.deepEqual(
    v.nearest.map((n) => n[0]!.name),
    ["NCI-H1975", "NCI-H2228", "HCC827"],
  );

  // The files: predictions.csv as the CLI writes it, the values the page shows.
  const kinds = v.files.map((f) => f.kind).sort();
  assert.deepEqual(kinds, ["groups", "predictions"]);
  const rows = readFileSync(v.files.find((f) => f.kind === "predictions")!.path, "utf8")
    .trim()
    .split("\n");
  assert.equal(rows[0], "group,drug,CID,pred_ln_IC50,pred_sd,rank,relative_to_ccle_median,percentile_LUAD");
  assert.equal(rows.length, 1 + 3 * nd);
  const [group, drug, , pred] = rows.find((r) => r.startsWith("H2228,Gefitinib,"))!.split(",");
  assert.equal(`${group},${drug}`, "H2228,Gefitinib");
  assert.ok(Math.abs(Number(pred) - v.pred[nd + g]!) < 1e-6);

  const { html } = await drugRunReport(studio.project(dir), runId, "test");
  assert.match(html, /trained on cancer cell lines/);
  assert.match(html, /z-scored across the groups/);
  assert.match(html, /544 of 706 found/);
  assert.match(html, /<svg[^>]*>/, "the heatmap");
  assert.ok(["H1975", "H2228", "HCC827"].every((l) => html.includes(`<h3>${l} `)));
  assert.match(html, /<img alt="[^"]+" src="data:image\/svg\+xml;base64,/);
  assert.doesNotMatch(html, /<script/i);
});

test("a run cancelled at once stops at its next stage, recorded as cancelled, with nothing written", async () => {
  const { runId } = await call<{ runId: number }>("drugs.start", { dataset, groupby: "cell_line", drugs: ["Gefitinib"] });
  await call("run.cancel", { runId });
  const done = await waitFor(() => events.find((e) => e.type === "run-done" && e.runId === runId), 120_000);
  assert.ok(done.type === "run-done" && done.status === "cancelled", JSON.stringify(done));
  assert.equal(existsSync(join(dir, "runs", String(runId), "predictions.csv")), false);
  await assert.rejects(call("drugs.result", { runId }), /has no result \(cancelled\)/);
});

test("'scilama drugs predict --project' is recorded as a run the app opens, its printed table as before", async () => {
  const out = join(home, "cli-out");
  const r = scilama(
    "drugs",
    "predict",
    file,
    "--groupby",
    "cell_line",
    "--drugs",
    "Gefitinib,Docetaxel",
    "--out",
    out,
    "--project",
    dir,
    "--quiet",
  );
  assert.equal(r.status, 0, r.stderr);
  const runId = Number(/recorded as run (\d+) of /.exec(r.stdout)?.[1]);
  assert.match(r.stdout, /^The model was trained on cancer cell lines/);
  assert.match(r.stdout, /wrote .*cli-out\/predictions\.csv, groups\.csv, heatmap\.svg and report\.pdf/);
  const v = await call<DrugView>("drugs.result", { runId });
  assert.equal(v.run.status, "succeeded");
  assert.deepEqual(
    v.drugs.map((d) => d.name),
    ["Gefitinib", "Docetaxel"],
  );
  assert.equal(v.dataset, "cellbench.h5ad");
  assert.deepEqual(v.files.map((f) => f.kind).sort(), ["groups", "heatmap", "predictions", "report"]);
  assert.ok(readFileSync(join(out, "report.pdf")).subarray(0, 5).toString() === "%PDF-", "the report is a PDF");
  assert.match(readFileSync(join(out, "heatmap.svg"), "utf8"), /^<svg[^>]*>[\s\S]*Gefitinib/);
});
