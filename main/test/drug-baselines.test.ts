/**
 * The drug-response data layer on the real TGSA/GDSC2 files: loaders read back the files' values, the three splits
 * hold their leave-out properties, and the trivial baselines score what they measured on this data with seed 0
 * (random split: drug mean PCC 0.838, additive 0.901; leave cell lines out: kNN-25 0.878), the table printed.
 */
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pearson } from "../analysis/impute/metrics.js";
import { baselineTable, fitAdditive, fitCellKnn, fitDrugMean, KNN_K, predictPairs } from "../drugs/baselines.js";
import { scorePairs } from "../drugs/metrics.js";
import { SPLITS, type Split, splitPairs } from "../drugs/splits.js";
import { drugNameKey, FILES, readDrugResponse, readOmics } from "../drugs/tables.js";
import { matchGenes } from "../genes/keys.js";
import { DataError } from "../io/errors.js";
import { readRows } from "../io/table.js";
import { data, tempDir } from "./helpers.js";

const DIR = data("drug_response");
const loaded = readDrugResponse(DIR);

test("loaders: counts, the first pair and omics values read back exactly, symbols, annotations, targets", async () => {
  const { pairs, omics, symbols, cellLineInfo, targets } = await loaded;
  assert.equal(pairs.y.length, 82_833);
  assert.equal(pairs.drugs.length, 170);
  assert.equal(pairs.cellLines.length, 580);
  assert.deepEqual(
    pairs.drugs.map((d) => d.name),
    pairs.drugs.map((d) => d.name).sort(),
  );
  assert.deepEqual(pairs.cellLines, [...pairs.cellLines].sort());
  // First data row: Camptothecin,ACH-000001,-0.2677949723757559,24360,CCC1(C2=C(COC1=O)…
  const first = pairs.drugs[pairs.drug[0]!]!;
  assert.equal(first.name, "Camptothecin");
  assert.equal(first.cid, "24360");
  assert.equal(first.smiles, "CCC1(C2=C(COC1=O)C(=O)N3CC4=CC5=CC=CC=C5N=C4C3=C2)O");
  assert.equal(pairs.cellLines[pairs.cell[0]!], "ACH-000001");
  assert.equal(pairs.y[0], Math.fround(-0.2677949723757559));

  for (const [file, layer] of [
    [FILES.expression, omics.expression],
    [FILES.copyNumber, omics.copyNumber],
    [FILES.mutation, omics.mutation],
  ] as const) {
    assert.equal(layer.genes.length, 706);
    assert.deepEqual(layer.lines, pairs.cellLines);
    const text = readFileSync(join(DIR, file), "utf8").trim().split("\n");
    const header = text[0]!.split(",");
    for (const row of [1, 290, 580])
      for (const col of [1, 94, 559, 706]) {
        const f = text[row]!.split(",");
        const i = pairs.cellLines.indexOf(f[0]!);
        const g = layer.genes.indexOf(header[col]!.slice(1, -1));
        assert.equal(layer.values[i * 706 + g], Math.fround(Number(f[col])), `${file} ${f[0]} ${header[col]}`);
      }
    if (layer === omics.mutation) {
      const ones = text.slice(1).reduce((s, l) => s + l.split(",").filter((v) => v === "1").length, 0);
      assert.equal(
        layer.values.reduce((s, v) => s + v, 0),
        ones,
      );
    }
  }

  // Every Entrez id has a symbol, and a dataset named by symbols joins to every column but TEC's: NCBI has two genes
  // TEC (7006, the kinase here, and 100124696), and the gene tables read the symbol as the later one.
  assert.equal(symbols.filter((s) => s !== null).length, 706);
  assert.equal(symbols[omics.expression.genes.indexOf("7157")], "TP53");
  const joined = matchGenes(omics.expression.genes, symbols as string[]);
  assert.deepEqual(
    omics.expression.genes.filter((_, i) => joined[i] !== i).map((g) => `${g} ${symbols[omics.expression.genes.indexOf(g)]}`),
    ["7006 TEC"],
  );

  assert.ok(pairs.cellLines.every((l) => cellLineInfo.has(l)));
  assert.deepEqual(cellLineInfo.get("ACH-000001"), { name: "NIH:OVCAR-3", tcga: "OV", site: "ovary", disease: "ovarian_cancer" });
  assert.equal(pairs.cellLines.filter((l) => cellLineInfo.get(l)!.tcga === null).length, 36);

  // 59 drugs by PubChem id, 11 more by name or synonym. The data README's "69 by name or synonym" counts name matches
  // (PubChem matches included) ignoring case only; ignoring punctuation too adds PFI3, GDSC1's PFI-3 (70).
  const by = (b: string | null) => pairs.drugs.filter((_, i) => targets[i]!.by === b).map((d) => d.name);
  assert.equal(by("pubchem").length, 59);
  assert.deepEqual(by("name"), [
    "BMS-345541",
    "BMS-536924",
    "Luminespib",
    "MK-2206",
    "OSI-027",
    "Obatoclax Mesylate",
    "RO-3306",
    "Rapamycin",
    "Talazoparib",
    "Vinblastine",
    "XAV939",
  ]);
  const gdsc = await readRows(join(DIR, FILES.targets));
  const gdscNames = gdsc.rows.map((r) => [r[1]!, ...r[2]!.split(",")].map((x) => x.trim()));
  const byName = (key: (s: string) => string) =>
    pairs.drugs.filter((d) => gdscNames.some((names) => names.some((x) => key(x) === key(d.name)))).length;
  assert.equal(
    byName((x) => x.toLowerCase()),
    69,
  );
  assert.equal(byName(drugNameKey), 70);
  const at = (name: string) => targets[pairs.drugs.findIndex((d) => d.name === name)]!;
  assert.deepEqual(at("BMS-536924"), { targets: ["IGF1R", "IR"], pathway: "IGFR signaling", gdscIds: ["62", "1091"], by: "name" });
  assert.deepEqual(at("Afatinib").targets, ["ERBB2", "EGFR"]);
});

test("omics files that disagree on their genes are refused, naming the file", async (t) => {
  const dir = tempDir(t);
  for (const f of [FILES.expression, FILES.copyNumber]) copyFileSync(join(DIR, f), join(dir, f));
  const text = readFileSync(join(DIR, FILES.mutation), "utf8");
  const nl = text.indexOf("\n");
  const header = text.slice(0, nl).split(",");
  [header[1], header[2]] = [header[2]!, header[1]!];
  writeFileSync(join(dir, FILES.mutation), `${header.join(",")}${text.slice(nl)}`);
  const { pairs } = await loaded;
  await assert.rejects(readOmics(dir, pairs.cellLines), (e: unknown) => e instanceof DataError && /mutation.*same order/.test(e.message));
});

test("splits: 8:1:1, disjoint, each kind's leave-out property, seeded", async () => {
  const { pairs } = await loaded;
  const n = pairs.y.length;
  const cellsOf = (idx: Int32Array) => new Set(Array.from(idx, (i) => pairs.cell[i]!));
  const drugsOf = (idx: Int32Array) => new Set(Array.from(idx, (i) => pairs.drug[i]!));
  const disjoint = (a: Set<number>, b: Set<number>) => [...a].every((x) => !b.has(x));
  for (const kind of SPLITS) {
    const s = splitPairs(pairs, kind, 0);
    const all = [...s.train, ...s.val, ...s.test].sort((a, b) => a - b);
    assert.deepEqual(
      all,
      Array.from({ length: n }, (_, i) => i),
      `${kind}: every pair in exactly one part`,
    );
    // Leaving lines or drugs out splits them 8:1:1, their pairs only roughly so (drugs were screened on 40 to 579 lines).
    for (const [part, share] of [
      [s.train, 0.8],
      [s.val, 0.1],
      [s.test, 0.1],
    ] as const)
      assert.ok(Math.abs(part.length / n - share) < (kind === "random" ? 0.005 : 0.03), `${kind}: ${part.length} of ${n}, not ${share}`);
    assert.deepEqual(splitPairs(pairs, kind, 0), s, `${kind}: the same seed, the same split`);
    assert.notDeepEqual(splitPairs(pairs, kind, 1).test, s.test, `${kind}: another seed, another split`);
    if (kind === "random") {
      // Stratified: each line's pairs split 8:1:1 (a tenth, rounded, to test), so every line is in training.
      const perLine = (idx: Iterable<number>) => {
        const count = new Int32Array(580);
        for (const i of idx) count[pairs.cell[i]!]++;
        return count;
      };
      const test = perLine(s.test);
      assert.ok(perLine(pairs.y.keys()).every((k, c) => test[c] === Math.round(k / 10)));
      assert.equal(cellsOf(s.train).size, 580);
    }
    if (kind === "cells") {
      assert.deepEqual([cellsOf(s.train).size, cellsOf(s.val).size, cellsOf(s.test).size], [464, 58, 58]);
      assert.ok(disjoint(cellsOf(s.test), cellsOf(s.train)) && disjoint(cellsOf(s.val), cellsOf(s.train)));
      assert.ok(disjoint(cellsOf(s.test), cellsOf(s.val)));
    }
    if (kind === "drugs") {
      assert.deepEqual([drugsOf(s.train).size, drugsOf(s.val).size, drugsOf(s.test).size], [136, 17, 17]);
      assert.ok(disjoint(drugsOf(s.test), drugsOf(s.train)) && disjoint(drugsOf(s.val), drugsOf(s.train)));
      assert.ok(disjoint(drugsOf(s.test), drugsOf(s.val)));
    }
  }
});

/** Measured with seed 0 (pooled PCC); asserted less a margin of 0.02. */
const MEASURED: Record<string, Record<string, number>> = {
  random: { "drug mean": 0.838, "drug + cell line (additive)": 0.901, [`kNN-${KNN_K} cell lines (expression)`]: 0.883 },
  cells: { "drug mean": 0.844, "drug + cell line (additive)": 0.843, [`kNN-${KNN_K} cell lines (expression)`]: 0.878 },
  drugs: { "drug + cell line (additive)": 0.381, [`kNN-${KNN_K} cell lines (expression)`]: 0.384 },
};

test("baselines on the three splits, seed 0: the measured scores, additive above drug mean, kNN above it leaving lines out", async (t) => {
  const { pairs, omics } = await loaded;
  for (const kind of SPLITS) {
    const rows = baselineTable(pairs, omics.expression, splitPairs(pairs, kind, 0));
    t.diagnostic(`${kind}: ${"method".padEnd(36)}   PCC    SCC   RMSE  median drug PCC (drugs)`);
    for (const r of rows)
      t.diagnostic(
        `${kind}: ${r.method.padEnd(36)} ${[r.pcc, r.scc, r.rmse, r.medianDrugPcc].map((v) => v.toFixed(3).padStart(6)).join(" ")} (${r.drugs})`,
      );
    const pcc = (m: string) => rows.find((r) => r.method.startsWith(m))!.pcc;
    for (const [method, v] of Object.entries(MEASURED[kind]!)) assert.ok(pcc(method) > v - 0.02, `${kind} ${method}: ${pcc(method)}`);
    if (kind === "random") assert.ok(pcc("drug + cell") > pcc("drug mean") + 0.03);
    if (kind === "cells") {
      // Unseen lines have no cell effect: the additive model is the drug's effect, nearly its mean.
      assert.ok(Math.abs(pcc("drug + cell") - pcc("drug mean")) < 0.005);
      assert.ok(pcc("kNN") > pcc("drug mean") + 0.02);
    }
    // A drug's mean does not tell its cell lines apart.
    assert.ok(rows.find((r) => r.method === "drug mean")!.medianDrugPcc === 0);
    if (kind === "drugs") assert.equal(pcc("drug mean"), 0, "unseen drugs: one global mean");
  }
});

test("unseen drugs and lines fall back as documented; kNN averages the nearest screened training lines", async () => {
  const { pairs, omics } = await loaded;
  const s: Split = splitPairs(pairs, "drugs", 0);
  const trainMean = Array.from(s.train, (i) => pairs.y[i]!).reduce((a, b) => a + b, 0) / s.train.length;
  const testDrug = pairs.drug[s.test[0]!]!;
  assert.ok(Math.abs(fitDrugMean(pairs, s.train)(0, testDrug) - trainMean) < 1e-9);
  const cellMean = (c: number) => {
    const ys = Array.from(s.train, (i) => i).filter((i) => pairs.cell[i] === c);
    return ys.reduce((a, i) => a + pairs.y[i]!, 0) / ys.length;
  };
  assert.ok(Math.abs(fitCellKnn(pairs, s.train, omics.expression)(7, testDrug) - cellMean(7)) < 1e-9);

  // Random split: for one test pair, the k lines most correlated with it among the training lines screened with the
  // drug in training, found here by computing every correlation.
  const r = splitPairs(pairs, "random", 0);
  const [cell, drug] = [pairs.cell[r.test[0]!]!, pairs.drug[r.test[0]!]!];
  const G = 706;
  const row = (c: number) => Float64Array.from(omics.expression.values.subarray(c * G, (c + 1) * G));
  const screened = Array.from(r.train).filter((i) => pairs.drug[i] === drug && pairs.cell[i] !== cell);
  const nearest = screened
    .map((i) => ({ y: pairs.y[i]!, r: pearson(row(cell), row(pairs.cell[i]!)) }))
    .sort((a, b) => b.r - a.r)
    .slice(0, KNN_K);
  const expected = nearest.reduce((a, x) => a + x.y, 0) / KNN_K;
  assert.ok(Math.abs(fitCellKnn(pairs, r.train, omics.expression)(cell, drug) - expected) < 1e-6);

  // Cells split: a test line's additive prediction is μ + a_drug, the same for every test line.
  const c = splitPairs(pairs, "cells", 0);
  const additive = fitAdditive(pairs, c.train);
  const testLines = [...new Set(Array.from(c.test, (i) => pairs.cell[i]!))];
  assert.equal(additive(testLines[0]!, 3), additive(testLines[1]!, 3));
  const p = predictPairs(additive, pairs, c.test);
  assert.ok(p.every(Number.isFinite));
});

test("metrics on hand-checked vectors: PCC, Spearman with ties, RMSE, median per-drug PCC", () => {
  const s = scorePairs([1, 2, 3, 4], [1, 3, 2, 4], [0, 0, 0, 0], 3);
  assert.ok(Math.abs(s.pcc - 0.8) < 1e-12);
  assert.ok(Math.abs(s.scc - 0.8) < 1e-12);
  assert.ok(Math.abs(s.rmse - Math.sqrt(0.5)) < 1e-12);
  // Ranks 1, 2.5, 2.5, 4 and 1.5, 1.5, 3, 4: r = 3.75 / 4.5.
  assert.ok(Math.abs(scorePairs([1, 2, 2, 3], [1, 1, 2, 3], [0, 0, 0, 0]).scc - 3.75 / 4.5) < 1e-12);
  // Drugs 0–3 have three pairs (PCC 1, −1, 0.5, and 0 for a constant prediction); drug 4 has two and is left out.
  const y = [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 5, 6];
  const yhat = [1, 2, 3, 3, 2, 1, 1, 3, 2, 7, 7, 7, 5, 6];
  const drug = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4];
  const m = scorePairs(y, yhat, drug, 3);
  assert.deepEqual(
    m.perDrug.map((d) => [d.drug, d.n, Math.round(d.pcc * 1e9) / 1e9]),
    [
      [0, 3, 1],
      [1, 3, -1],
      [2, 3, 0.5],
      [3, 3, 0],
    ],
  );
  assert.ok(Math.abs(m.medianDrugPcc - 0.25) < 1e-12);
  assert.equal(scorePairs(y, yhat, drug).perDrug.length, 0, "none has the default 10 pairs");
  assert.ok(Number.isNaN(scorePairs(y, yhat, drug).medianDrugPcc));
});
