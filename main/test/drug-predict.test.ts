/**
 * The bundled drug-response model applied as users apply it: CellBench's three lung adenocarcinoma lines (single
 * cells, two protocols) grouped by line — each group's nearest CCLE line is its own, and the predictions are compared
 * with those lines' measured ln IC50s; `predict-pairs` on a molecule outside the training set; every refusal clean,
 * with nothing written.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadBundle, predictEnsemble, referenceOmics } from "../analyses/drugs/bundle.js";
import { predictDataset } from "../analyses/drugs/predict.js";
import { spearman } from "../analysis/impute/metrics.js";
import { cellText } from "../data/frame.js";
import { subset } from "../data/subset.js";
import { featurize } from "../drugs/featurize.js";
import { packDrugs } from "../drugs/pack.js";
import { writeH5ad } from "../io/h5ad/write.js";
import { readDataset } from "../io/read.js";
import { recommendedMethod } from "../isomorphic/drug-evaluation.js";
import { CELLBENCH, data, scilama, tempDir } from "./helpers.js";

/** CellBench's lines and their DepMap ids (all three screened in GDSC2, so in the training set). */
const LINES: Record<string, string> = { H1975: "ACH-000587", H2228: "ACH-000447", HCC827: "ACH-000012" };

const pearson = (a: number[], b: number[]) => {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((v, i) => {
    ab += (v - ma) * (b[i]! - mb);
    aa += (v - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  });
  return ab / Math.sqrt(aa * bb);
};

test("CellBench's three lines: own CCLE line nearest, predictions against the lines' measured ln IC50", async (t) => {
  const b = await loadBundle();
  const p = await predictDataset(b, { file: CELLBENCH, groupby: "cell_line", cancerType: "LUAD" });
  assert.deepEqual(p.groups, ["H1975", "H2228", "HCC827"]);
  assert.ok(p.coverage.matched >= 500, `${p.coverage.matched} genes`);
  for (const [k, g] of p.groups.entries()) assert.equal(p.nearest[k]![0]!.id, LINES[g], `${g}: nearest ${p.nearest[k]![0]!.name}`);

  // Measured ln IC50 of each group's own line, for the drugs screened on all three.
  const ref = b.reference;
  const lineIndex = (id: string) => ref.lines.findIndex((l) => l.id === id);
  const measured = p.groups.map((g) => {
    const l = lineIndex(LINES[g]!);
    const m = new Map<number, number>();
    ref.pairs.cell.forEach((c, k) => {
      if (c === l) m.set(ref.pairs.drug[k]!, ref.pairs.y[k]!);
    });
    return m;
  });
  const drugs = p.drugs.map((_, d) => d).filter((d) => measured.every((m) => m.has(d)));
  assert.ok(drugs.length >= 140, `${drugs.length} drugs screened on all three lines`);
  const nd = p.drugs.length;
  // Across drugs within a group (mostly which drug it is), beside the drug's CCLE median as the trivial predictor.
  const within = p.groups.map((_, k) => ({
    model: spearman(
      Float64Array.from(drugs, (d) => p.pred[k * nd + d]!),
      Float64Array.from(drugs, (d) => measured[k]!.get(d)!),
    ),
    median: spearman(
      Float64Array.from(drugs, (d) => p.drugs[d]!.ccleMedian!),
      Float64Array.from(drugs, (d) => measured[k]!.get(d)!),
    ),
  }));
  // Between the groups for each drug (what the relative scale claims): predictions and measurements centred per drug.
  const centred = (v: (k: number, d: number) => number) =>
    drugs.flatMap((d) => {
      const mean = (v(0, d) + v(1, d) + v(2, d)) / 3;
      return [0, 1, 2].map((k) => v(k, d) - mean);
    });
  const between = pearson(
    centred((k, d) => p.pred[k * nd + d]!),
    centred((k, d) => measured[k]!.get(d)!),
  );
  t.diagnostic(
    `within groups, Spearman over ${drugs.length} drugs: ${within.map((w, k) => `${p.groups[k]} model ${w.model.toFixed(3)} / CCLE median ${w.median.toFixed(3)}`).join("; ")}`,
  );
  t.diagnostic(`between groups, Pearson of per-drug centred values: ${between.toFixed(3)}`);
  // Measured with the bundled ensemble: within 0.891 / 0.836 / 0.857 (CCLE median 0.905 / 0.841 / 0.836); between 0.473.
  for (const w of within) assert.ok(w.model > 0.8, `within-group Spearman ${w.model}`);
  const mean = (k: "model" | "median") => within.reduce((a, w) => a + w[k], 0) / within.length;
  assert.ok(mean("model") > mean("median") - 0.02, "about as good as the drug's CCLE median at ordering drugs");
  assert.ok(between > 0.4, `between-group Pearson ${between}`);

  // Ranks: 1 … drugs in every group; percentiles within [0, 100].
  for (let k = 0; k < 3; k++)
    assert.deepEqual(
      [...p.rank.subarray(k * nd, (k + 1) * nd)].sort((a, c) => a - c),
      Array.from({ length: nd }, (_, i) => i + 1),
    );
  // Percentiles within [0, 100]; NaN only for drugs never screened on a LUAD line.
  const screened = p.drugs.map((d) => d.measured.length > 0);
  assert.ok(screened.filter(Boolean).length >= 140);
  for (const [i, v] of p.percentile.entries()) assert.ok(screened[i % nd] ? v >= 0 && v <= 100 : Number.isNaN(v), `percentile ${v}`);
});

test("the recommendation follows the evaluation: the model on random pairs, a baseline for a new compound", async () => {
  const { reference } = await loadBundle();
  const model = reference.metrics.random![0]!.method;
  assert.equal(recommendedMethod(reference.metrics.random!), model);
  assert.notEqual(
    recommendedMethod(reference.metrics.drugs!),
    model,
    "for new compounds the lines' general sensitivity ranks lines better",
  );
  assert.equal(
    recommendedMethod([
      { method: "a", pcc: 0.9, medianDrugPcc: 0.5 },
      { method: "b", pcc: 0.95, medianDrugPcc: 0.5 },
    ]),
    "b",
  );
});

test("drugs predict writes predictions.csv (group, drug, CID, pred_ln_IC50, pred_sd, rank) for every group × drug", (t) => {
  const out = join(tempDir(t), "pred");
  const r = scilama(
    "drugs",
    "predict",
    CELLBENCH,
    "--groupby",
    "cell_line",
    "--drugs",
    "Gefitinib,Erlotinib,Docetaxel",
    "--out",
    out,
    "--quiet",
  );
  assert.equal(r.status, 0, r.stderr);
  const lines = readFileSync(join(out, "predictions.csv"), "utf8").trim().split("\n");
  assert.equal(lines[0]!.split(",").slice(0, 6).join(","), "group,drug,CID,pred_ln_IC50,pred_sd,rank");
  assert.equal(lines.length, 1 + 3 * 3);
  assert.match(r.stdout, /trained on cancer cell lines/);
});

test("predict-pairs: rows in order; a molecule outside the training set predicted; a training drug's SMILES gives the bundled drug's prediction", async (t) => {
  const b = await loadBundle();
  const gefitinib = b.reference.drugs.findIndex((d) => d.name === "Gefitinib");
  assert.ok(gefitinib >= 0);
  // Brigatinib (an ALK inhibitor) is not among the 170 GDSC2 drugs: no training drug has its canonical SMILES.
  const brigatinib = "CN1CCN(CC1)C2CCN(CC2)C3=CC(=C(C=C3)NC4=NC=C(C(=N4)NC5=CC=CC=C5P(=O)(C)C)Cl)OC";
  const canonical = (await featurize(brigatinib)).smiles;
  assert.ok(!b.graphs.some((g) => g.smiles === canonical));
  const dir = tempDir(t);
  const pairs = join(dir, "pairs.csv");
  writeFileSync(
    pairs,
    `DepMap_ID,SMILES\n${LINES.H2228},${brigatinib}\n${LINES.H1975},${brigatinib}\n${LINES.HCC827},${b.reference.drugs[gefitinib]!.smiles}\n`,
  );
  const out = join(dir, "pred.csv");
  const r = scilama("drugs", "predict-pairs", pairs, "--out", out);
  assert.equal(r.status, 0, r.stderr);
  const rows = readFileSync(out, "utf8").trim().split("\n");
  assert.equal(rows[0], "DepMap_ID,SMILES,pred_ln_IC50,pred_sd");
  assert.equal(rows.length, 4);
  const vals = rows.slice(1).map((l) => l.split(","));
  assert.deepEqual(
    vals.map((v) => v[0]),
    [LINES.H2228, LINES.H1975, LINES.HCC827],
  );
  for (const v of vals) assert.ok(Number.isFinite(Number(v[2])) && Number(v[3]) >= 0, v.join(","));
  // The same drug predicted through the bundle's own drug table (every other drug beside it) gives the same value.
  const line = b.reference.lines.findIndex((l) => l.id === LINES.HCC827);
  const direct = await predictEnsemble(b, referenceOmics(b, [line]), b.drugs, { cell: Int32Array.of(0), drug: Int32Array.of(gefitinib) });
  assert.ok(Math.abs(Number(vals[2]![2]) - direct.mean[0]!) < 1e-4, `${vals[2]![2]} vs ${direct.mean[0]}`);
  const alone = await predictEnsemble(b, referenceOmics(b, [line]), packDrugs([await featurize(b.reference.drugs[gefitinib]!.smiles)]), {
    cell: Int32Array.of(0),
    drug: Int32Array.of(0),
  });
  assert.ok(Math.abs(alone.mean[0]! - direct.mean[0]!) < 1e-4, `${alone.mean[0]} alone vs ${direct.mean[0]} among all`);
});

test("refusals: invalid SMILES, unknown DepMap id, too few of the 706 genes, one group — exit 3, clear words, nothing written", async (t) => {
  const dir = tempDir(t);
  const cases: { name: string; args: string[]; out: string; words: RegExp }[] = [];
  const badSmiles = join(dir, "bad-smiles.csv");
  writeFileSync(badSmiles, `DepMap_ID,SMILES\n${LINES.H1975},CC(=O\n`);
  cases.push({
    name: "invalid SMILES",
    args: ["drugs", "predict-pairs", badSmiles],
    out: join(dir, "p1.csv"),
    words: /line 2.*SMILES.*position 3/s,
  });
  const badId = join(dir, "bad-id.csv");
  writeFileSync(badId, `DepMap_ID,SMILES\nACH-999999,CCO\n`);
  cases.push({ name: "unknown DepMap id", args: ["drugs", "predict-pairs", badId], out: join(dir, "p2.csv"), words: /ACH-999999.*line 2/ });
  cases.push({
    name: "too few genes (osmFISH's 33-gene panel)",
    args: ["drugs", "predict", data("osmfish", "osmfish_gimvi_4530cells_33genes.h5ad"), "--groupby", "ClusterName"],
    out: join(dir, "o3"),
    words: /at least 353 of the model's 706.*found 0|found \d+/,
  });
  const { dataset } = await readDataset(CELLBENCH);
  const lineCol = dataset.obs.columns.get("cell_line")!;
  const one = join(dir, "one-line.h5ad");
  writeH5ad(
    one,
    subset(
      dataset,
      [...dataset.obs.index.keys()].filter((i) => cellText(lineCol, i) === "H1975"),
    ),
  );
  cases.push({
    name: "one group",
    args: ["drugs", "predict", one, "--groupby", "cell_line"],
    out: join(dir, "o4"),
    words: /one group.*relative between groups/,
  });
  for (const c of cases) {
    const r = scilama(...c.args, "--out", c.out);
    t.diagnostic(`${c.name}: exit ${r.status}: ${r.stderr.trim().split("\n").at(-1)}`);
    assert.equal(r.status, 3, `${c.name}: ${r.stderr}`);
    assert.match(r.stderr, c.words, c.name);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${c.name}: no stack trace`);
    assert.ok(!existsSync(c.out), `${c.name}: nothing written`);
  }
});
