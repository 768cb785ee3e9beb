/**
 * The imputation wizard's engine side through the API (`callMethod`, as both hosts dispatch): osmFISH split by region
 * (reference: every region but "Layer 2-3 medial"; target: that region, 527 cells with coordinates) imported into a
 * real project; the plan (all 33 genes shared and suggested as the panel, the target's coordinates seen); refused
 * payloads and settings that say why and start nothing; a short panel run with a 12-gene panel, its view (methods
 * table with the baselines, per-gene PCC, UMAP and tissue coordinates), one gene's measured and imputed values, and
 * the PDF report's HTML.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { imputeRunReport } from "../analyses/impute/api.js";
import { pearson } from "../analysis/impute/metrics.js";
import type { ImputeGeneValues, ImputePlan, ImputeView, ProjectView, StudioEvent } from "../api/contract.js";
import { callMethod } from "../api/methods.js";
import { Studio } from "../api/studio.js";
import { waitFor } from "./helpers.js";
import { osmfishSplit } from "./impute-data.js";

const home = mkdtempSync(join(tmpdir(), "studio-impute-"));
process.env.SCILAMA_HOME = home;
const PANEL = ["Gad2", "Slc32a1", "Vip", "Tbr1", "Rorb", "Syt6", "Gfap", "Plp1", "Pdgfra", "Mrc1", "Hexb", "Flt1"];
let studio: Studio;
const events: StudioEvent[] = [];
let dir = "";
let reference = 0;
let target = 0;

const call = <T>(method: string, payload: object) => callMethod(studio, method, { project: dir, ...payload }) as Promise<T>;

async function importFile(path: string, name: string): Promise<number> {
  const { ticket } = await call<{ ticket: string }>("dataset.import", { path, name });
  const done = await waitFor(() => events.find((e) => e.type === "import-done" && e.ticket === ticket));
  assert.ok(done.type === "import-done" && done.datasetId !== null, done.type === "import-done" ? (done.error ?? "") : "");
  return done.datasetId;
}

const start = (over: object = {}) =>
  call<{ runId: number }>("impute.startPanel", {
    reference,
    target,
    panel: PANEL,
    evaluation: "none",
    prior: "bundled",
    preset: "quick",
    epochs: 3,
    seed: 0,
    baselines: ["mean", "knn"],
    ...over,
  });

before(async () => {
  studio = new Studio("test");
  studio.on((e) => events.push(e));
  dir = ((await callMethod(studio, "project.create", { name: "Impute test" })) as ProjectView).dir;
  const split = await osmfishSplit(home, "Layer 2-3 medial");
  reference = await importFile(split.reference, "osmfish reference");
  target = await importFile(split.target, "osmfish layer 2-3 medial");
});

after(() => studio.close());

test("the plan: genes shared, the suggested panel, the target's coordinates, the engine's defaults and limits", async () => {
  const plan = await call<ImputePlan>("impute.plan", { reference, target });
  assert.equal(plan.target.cells, 527);
  assert.equal(plan.reference!.cells, 4530 - 527);
  assert.equal(plan.sharedGenes, 33);
  assert.deepEqual(plan.panel, plan.target.genes);
  assert.equal(plan.target.spatial, true);
  assert.deepEqual(plan.defaults.evaluation, { kind: "kfold", k: 5 });
  assert.deepEqual(plan.baselines, ["mean", "knn", "self", "random", "shuffled"]);
  const coverage = await call<{ covered: number; genes: number }>("impute.coverage", { dataset: reference, prior: "bundled" });
  assert.equal(coverage.genes, 33);
  assert.ok(coverage.covered >= 30, `${coverage.covered} of 33 osmFISH genes have the bundled prior`);
});

test("bad payloads and settings are refused with the reason, and nothing is started", async () => {
  const runs = async () => (await call<ProjectView>("project.view", {})).runs.length;
  const before = await runs();
  await assert.rejects(start({ evaluation: "kfold:1" }), /evaluation must be kfold:K \(K from 2 to 50\), logo .* or none; got 'kfold:1'/);
  await assert.rejects(start({ baselines: ["mean", "magic"] }), /baselines\[1\] must be one of mean, knn, self, random, shuffled/);
  await assert.rejects(start({ epochs: 0 }), /epochs needs a whole number from 1 to 5000/);
  await assert.rejects(start({ colour: "red" }), /unknown field\(s\) colour/);
  await assert.rejects(start({ target: reference }), /must be different datasets/);
  // The engine's own words reach the caller: a panel gene the target does not measure, too small a panel.
  await assert.rejects(start({ panel: ["Gad2", "Vip", "NotAGene"] }), /panel genes the reference does not measure: NotAGene/);
  await assert.rejects(start({ panel: ["Gad2", "Vip"] }), /the panel has 2 usable genes .* at least 3 are needed/);
  assert.equal(await runs(), before);
});

test("a panel run: methods table with the baselines, per-gene accuracy, UMAP, tissue, a gene's values, the report", async () => {
  const { runId } = await start();
  const done = await waitFor(() => events.find((e) => e.type === "run-done" && e.runId === runId), 600_000);
  assert.ok(done.type === "run-done" && done.status === "succeeded", done.type === "run-done" ? (done.error ?? "") : "");
  const view = await call<ImputeView>("impute.result", { runId });
  assert.equal(view.mode, "panel");
  assert.equal(view.run.impute?.mode, "panel");
  assert.equal(view.cells, 527);
  assert.deepEqual([view.record.reference, view.record.target], ["osmfish reference", "osmfish layer 2-3 medial"]);
  assert.equal(view.umap.length, 2 * 527);
  assert.equal(view.spatial?.length, 2 * 527);
  // Evaluation none: the genes the target measured outside the panel (21, less the two the prior lacks) are scored.
  const scored = (view.record.coverage as { scored: number }).scored;
  assert.equal(scored, 19);
  const outside = view.methods.filter((m) => m.set === "outside");
  assert.deepEqual(
    outside.map((m) => m.method),
    [view.main, "reference gene mean", "kNN-50 from the reference (SpaGE)"],
  );
  assert.ok(outside.every((m) => m.genes === scored));
  assert.ok(outside.map((m) => m.method).includes(view.recommended.outside!));
  assert.equal(view.genes.length, scored);
  assert.ok(view.genes.every((g) => g.role === "imputed, measured by the target" && g.set === "outside"));
  const mean = outside.find((m) => m.method === view.main)!.pcc;
  const perGene = view.genes.map((g) => g.pcc[view.main]!);
  assert.ok(Math.abs(perGene.reduce((a, b) => a + b, 0) / perGene.length - mean) < 1e-4, "the per-gene rows average to the table's");

  const g = await call<ImputeGeneValues>("impute.gene", { runId, gene: "crhbp" });
  assert.equal(g.gene, "Crhbp");
  assert.equal(g.imputed.length, 527);
  assert.ok(g.measured?.every((v) => v !== null));
  assert.deepEqual(Object.keys(g.layers).sort(), ["knn", "mean"]);
  const pcc = pearson(Float64Array.from(g.measured as number[]), Float64Array.from(g.imputed));
  assert.ok(Math.abs(pcc - view.genes.find((x) => x.gene === "Crhbp")!.pcc[view.main]!) < 1e-3, "values match the stored PCC");
  await assert.rejects(call("impute.gene", { runId, gene: "Gapdh" }), /'Gapdh' is not among the 19 genes/);

  const { html } = await imputeRunReport(studio.project(dir), runId, "test");
  assert.match(html, /reference gene mean/);
  assert.match(html, /kNN-50 from the reference/);
  assert.ok(html.includes(mean.toFixed(3)), "the report holds the table's mean PCC");
  assert.match(html, /Recommended \(best mean PCC\): <b>/);
});
