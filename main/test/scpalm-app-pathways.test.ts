/**
 * scPaLM's pathway tokens as an app job through the API: a real project, Seurat's pbmc_small imported and a model
 * pre-trained on it with the tests' tiny architecture, then the dataset's pathway tokens through that model — every
 * used token with its cells (the same count as the cells the token-colouring method finds), its top genes by Appendix
 * D's association and its enriched terms, each cell's tokens all on used codes, a UMAP of the cell
 * token, the tables, the records and the PDF; the bundled model refusing a dataset that measures too few of its genes;
 * and an integration that embeds the cells with that model too (the result page's second map).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { ProjectView, RunResult, ScPaLMView, StudioEvent } from "../api/contract.js";
import { callMethod } from "../api/methods.js";
import { Studio } from "../api/studio.js";
import { readH5ad } from "../io/h5ad/read.js";
import { Project } from "../store/project.js";
import { getRun, metrics } from "../store/runs.js";
import { PBMC_SMALL, waitFor } from "./helpers.js";
import { TINY_SCPALM } from "./scpalm-data.js";

const home = mkdtempSync(join(tmpdir(), "studio-scpalm-pathways-"));
process.env.SCILAMA_HOME = home;
let studio: Studio;
const events: StudioEvent[] = [];
let dir = "";
let dataset = 0;
let model = 0;

const call = <T>(method: string, payload: object) => callMethod(studio, method, { project: dir, ...payload }) as Promise<T>;
const runDone = (runId: number) =>
  waitFor(() => events.find((e): e is Extract<StudioEvent, { type: "run-done" }> => e.type === "run-done" && e.runId === runId));

before(async () => {
  studio = new Studio("test");
  studio.on((e) => events.push(e));
  dir = ((await callMethod(studio, "project.create", { name: "scPaLM pathways" })) as ProjectView).dir;
  const { ticket } = await call<{ ticket: string }>("dataset.import", { path: PBMC_SMALL, name: "pbmc_small" });
  const imported = await waitFor(() => events.find((e) => e.type === "import-done" && e.ticket === ticket));
  assert.ok(imported.type === "import-done" && imported.datasetId !== null);
  dataset = imported.datasetId;
  const { tokens, hidden, ffn, layers, heads, codes, batch } = TINY_SCPALM;
  model = (
    await call<{ runId: number }>("scpalm.train", {
      mode: "pretrain",
      config: "desktop",
      epochs: 20,
      seed: 2,
      datasets: [dataset],
      architecture: { tokens, hidden, ffn, layers, heads, codes, batch },
    })
  ).runId;
  assert.equal((await runDone(model)).status, "succeeded");
});

after(() => studio.close());

test("the bundled model refuses a dataset that measures too few of its genes before a run is recorded", async () => {
  const before = (await call<ProjectView>("project.view", {})).runs.length;
  // Named as the user named the dataset, not by its file in the project.
  await assert.rejects(
    call("scpalm.pathways", { dataset, top: 10 }),
    /DataError: dataset 'pbmc_small': expected at least 498 of the model's 4975 genes, but found \d+ matched by symbol/,
  );
  await assert.rejects(call("scpalm.pathways", { dataset, model: 999, top: 10 }), /There is no run 999 in this project/);
  await assert.rejects(call("scpalm.pathways", { dataset, top: 2 }), /top needs a whole number from 3 to 100/);
  assert.equal((await call<ProjectView>("project.view", {})).runs.length, before);
});

test("pathway tokens through a trained model: tokens, their cells, top genes and terms, the cell map, records", async () => {
  const { runId } = await call<{ runId: number }>("scpalm.pathways", { dataset, model, top: 8 });
  assert.equal((await runDone(runId)).status, "succeeded");
  const stages = events.filter((e) => e.type === "run" && e.runId === runId).map((e) => (e as { stage: string }).stage);
  assert.deepEqual(
    [...new Set(stages)],
    ["reading the dataset and the model", "encoding cells", "genes per token and enrichment", "cell map", "writing tables and the report"],
  );
  const v = await call<ScPaLMView>("scpalm.result", { runId });
  assert.ok(v.kind === "pathways" && v.settings.mode === "pathways");
  assert.equal(v.model, `run ${model}'s model`);
  assert.deepEqual([v.dataset, v.cells, v.tokens, v.codes], ["pbmc_small", 80, 8, 16]);
  assert.equal(v.measured, v.vocabulary, "the model's vocabulary is this dataset's genes");
  assert.equal(v.umapSource, "scPaLM", "pbmc_small has no UMAP of its own");
  assert.equal(v.umap.length, 160);
  assert.ok(v.umap.every(Number.isFinite));
  assert.ok(v.used.length >= 2 && v.used.length <= 16);
  assert.ok(
    v.used.some((t) => t.genes.length === 8),
    "some token has genes of its own",
  );
  for (const [i, t] of v.used.entries()) {
    if (i) assert.ok(t.cells <= v.used[i - 1]!.cells, "most used first");
    assert.equal(t.fraction, t.cells / 80);
    // A token every cell uses alike is flat over the genes and has none of its own.
    assert.ok(t.genes.length <= 8 && t.scores.length === t.genes.length);
    if (!t.genes.length) assert.equal(t.terms.length, 0);
    assert.ok(t.scores.every((x, k) => x > 0 && x <= 1 && (k === 0 || x <= t.scores[k - 1]!)));
    assert.ok(t.terms.every((term) => term.q < 0.05 && term.overlap.every((g) => t.genes.includes(g))));
  }
  // Which cells use each token: the same count as the table, and every cell's 8 tokens shared out over the used codes.
  const total = new Int32Array(80);
  for (const t of v.used) {
    const c = await call<{ counts: number[]; tokens: number; cells: number }>("scpalm.tokenCells", { runId, code: t.code });
    assert.equal(c.cells, t.cells, `code ${t.code}`);
    assert.equal(c.tokens, 8);
    assert.equal(c.counts.length, 80);
    c.counts.forEach((n, i) => {
      total[i]! += n;
    });
  }
  assert.ok(
    total.every((n) => n === 8),
    `tokens per cell: ${total.join(" ")}`,
  );
  await assert.rejects(call("scpalm.tokenCells", { runId, code: 16 }), /has 16 codes \(0–15\)/);

  const tokensCsv = readFileSync(v.files.find((f) => f.kind === "tokens")!.path, "utf8")
    .trim()
    .split("\n");
  assert.equal(tokensCsv[0], "code,cells,fraction,genes,best_term,best_q");
  assert.deepEqual(
    tokensCsv.slice(1).map((l) => l.split(",").slice(0, 2).map(Number)),
    v.used.map((t) => [t.code, t.cells]),
  );
  const p = Project.open(dir);
  try {
    assert.equal(getRun(p, runId).device, "cpu");
    assert.equal(metrics(p, runId).find((m) => m.name === "tokens_used")?.value, v.used.length);
  } finally {
    p.close();
  }
  const report = await call<{ path: string }>("run.report", { runId });
  const text = execFileSync("pdftotext", ["-layout", report.path, "-"], { encoding: "utf8" });
  assert.match(text, /scPaLM pathway tokens/);
  assert.match(text, new RegExp(`${v.used.length} of 16 codes are used by the 80 cells`));
});

test("an integration embeds the cells with a trained scPaLM model too: its row, its own map and clusters, with or without labels", async () => {
  const integrate = (more: object) =>
    call<{ runId: number }>("integration.start", {
      datasets: [dataset],
      prior: "bundled",
      preset: "quick",
      hyper: { maxEpochs: 1 },
      seed: 0,
      hvg: 0,
      baselines: ["scpalm"],
      scpalmModel: model,
      ...more,
    });
  const labelled = (await integrate({ label: "groups" })).runId;
  assert.equal((await runDone(labelled)).status, "succeeded");
  const r = await call<RunResult>("run.result", { runId: labelled });
  assert.deepEqual(
    r.metrics.map((m) => m.method),
    ["sciLaMA (GO + pathways (bundled))", `scPaLM cell token (run ${model}'s model)`],
  );
  assert.deepEqual(
    r.maps.map((m) => [m.embedding, m.umap.length]),
    [
      ["sciLaMA", 160],
      ["scPaLM", 160],
    ],
  );
  assert.notDeepEqual(r.maps[0]!.umap, r.maps[1]!.umap);
  assert.equal(r.scpalmModel, `run ${model}'s model`);
  const clusters = r.groups.find((g) => g.name === "scPaLM_leiden");
  assert.ok(clusters?.role === "cluster" && clusters.codes.length === 80 && clusters.categories.length >= 2);
  const file = r.files.find((f) => f.kind === "h5ad")!.path;
  const x = (await readH5ad(file)).obsm.get("X_scPaLM")!;
  assert.deepEqual([x.nRows, x.nCols], [80, TINY_SCPALM.hidden], "the trained model's cell token, not the bundled model's");

  // Without labels or batches nothing is scored, and scPaLM's map is still made.
  const plain = (await integrate({})).runId;
  assert.equal((await runDone(plain)).status, "succeeded");
  const q = await call<RunResult>("run.result", { runId: plain });
  assert.equal(q.metrics.length, 0);
  assert.deepEqual(
    q.maps.map((m) => m.embedding),
    ["sciLaMA", "scPaLM"],
  );

  // A run that trained no model, and a model without the scPaLM embedding asked for, are refused and open no run.
  const runs = (await call<ProjectView>("project.view", {})).runs.length;
  await assert.rejects(integrate({ scpalmModel: labelled }), new RegExp(`Run ${labelled} is not an scPaLM run`));
  await assert.rejects(
    integrate({ baselines: ["pca"] }),
    /an scPaLM model was chosen but the scPaLM embedding \(baseline 'scpalm'\) was not/,
  );
  assert.equal((await call<ProjectView>("project.view", {})).runs.length, runs);
});
