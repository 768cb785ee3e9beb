/**
 * The markers wizard's engine side through the API (`callMethod`, as both hosts dispatch): a real project, Seurat's
 * pbmc_small imported and integrated for a few epochs, then the plan (the run's label column suggested), refused
 * settings that say why, a run cancelled before it wrote anything, a run with the user's own .gmt, its view, module
 * scores, the run's records in the project store and the PDF report.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { MarkersPlan, MarkersView, ProjectView, StudioEvent } from "../api/contract.js";
import { callMethod } from "../api/methods.js";
import { Studio } from "../api/studio.js";
import { Project } from "../store/project.js";
import { metrics } from "../store/runs.js";
import { PBMC_SMALL, waitFor } from "./helpers.js";

const home = mkdtempSync(join(tmpdir(), "studio-markers-"));
process.env.SCILAMA_HOME = home;
let studio: Studio;
const events: StudioEvent[] = [];
let dir = "";
let integrationRun = 0;

const call = <T>(method: string, payload: object) => callMethod(studio, method, { project: dir, ...payload }) as Promise<T>;

const runDone = (runId: number) =>
  waitFor(() => events.find((e): e is Extract<StudioEvent, { type: "run-done" }> => e.type === "run-done" && e.runId === runId));

before(async () => {
  studio = new Studio("test");
  studio.on((e) => events.push(e));
  dir = ((await callMethod(studio, "project.create", { name: "Markers test" })) as ProjectView).dir;
  const { ticket } = await call<{ ticket: string }>("dataset.import", { path: PBMC_SMALL, name: "pbmc_small" });
  const imported = await waitFor(() => events.find((e) => e.type === "import-done" && e.ticket === ticket));
  assert.ok(imported.type === "import-done" && imported.datasetId !== null);
  const { runId } = await call<{ runId: number }>("integration.start", {
    datasets: [imported.datasetId],
    label: "RNA_snn_res.1",
    prior: "bundled",
    preset: "quick",
    hyper: { maxEpochs: 3 },
    seed: 1,
    hvg: 0,
    baselines: [],
  });
  assert.equal((await runDone(runId)).status, "succeeded");
  integrationRun = runId;
});

after(() => studio.close());

test("the plan offers the result's cell columns and suggests the run's label column", async () => {
  const plan = await call<MarkersPlan>("markers.plan", { runId: integrationRun });
  assert.equal(plan.suggested, "RNA_snn_res.1");
  assert.equal(plan.cells, 80);
  assert.ok(plan.genes > 100);
  const clusters = plan.columns.find((c) => c.name === "RNA_snn_res.1")!;
  assert.equal(clusters.distinct, 3);
  assert.equal(clusters.labelNote, null);
  assert.deepEqual(plan.defaults, { neighbors: 15, resolution: 1 });
});

test("bad settings are refused with the reason, and nothing is started", async () => {
  const before = (await call<ProjectView>("project.view", {})).runs.length;
  await assert.rejects(
    call("markers.start", { sourceRun: integrationRun, groupby: "no_such_column", neighbors: 15, resolution: 1, gmt: [] }),
    /the grouping column 'no_such_column' is not a cell column of result\.h5ad \(columns that would do: .*leiden/,
  );
  const gmt = join(home, "broken.gmt");
  writeFileSync(gmt, "only-a-name\n");
  await assert.rejects(
    call("markers.start", { sourceRun: integrationRun, groupby: "RNA_snn_res.1", neighbors: 15, resolution: 1, gmt: [gmt] }),
    /broken\.gmt/,
  );
  await assert.rejects(
    call("markers.start", { sourceRun: integrationRun, groupby: "RNA_snn_res.1", neighbors: 1, resolution: 1, gmt: [] }),
    /neighbors/,
  );
  // A pipe (which froze the whole host), a device and the project's own database as gene-set files: refused before
  // anything opens them, and the host still answers.
  const fifo = join(home, "sets.gmt");
  execFileSync("mkfifo", [fifo]);
  for (const [bad, found] of [
    [fifo, /found a pipe \(FIFO\)/],
    ["/dev/zero", /found a device/],
    [join(dir, "project.sqlite"), /found a sciLaMA Studio project's database/],
  ] as const)
    await assert.rejects(
      call("markers.start", { sourceRun: integrationRun, groupby: "RNA_snn_res.1", neighbors: 15, resolution: 1, gmt: [bad] }),
      found,
    );
  const markersOfMarkers = await call<{ runId: number }>("markers.start", {
    sourceRun: integrationRun,
    groupby: "RNA_snn_res.1",
    neighbors: 10,
    resolution: 1,
    gmt: [],
  });
  await runDone(markersOfMarkers.runId);
  await assert.rejects(call("markers.plan", { runId: markersOfMarkers.runId }), /is not an integration/);
  assert.equal((await call<ProjectView>("project.view", {})).runs.length, before + 1, "only the valid run was opened");
});

test("a run cancelled at once is recorded as cancelled and writes no view", async () => {
  const { runId } = await call<{ runId: number }>("markers.start", {
    sourceRun: integrationRun,
    groupby: "RNA_snn_res.1",
    neighbors: 15,
    resolution: 1,
    gmt: [],
  });
  await call("run.cancel", { runId });
  assert.equal((await runDone(runId)).status, "cancelled");
  const p = Project.open(dir);
  try {
    assert.equal((p.db.prepare("SELECT COUNT(*) AS n FROM artifacts WHERE run_id = ?").get(runId) as { n: number }).n, 0);
  } finally {
    p.close();
  }
  await assert.rejects(call("markers.result", { runId }), /has no result \(cancelled\)/);
});

test("a markers run with the user's .gmt: view, module scores, records and the PDF report", async () => {
  // A first run finds the modules; a gene set equal to the largest module's genes must then be enriched in it.
  const first = await call<{ runId: number }>("markers.start", {
    sourceRun: integrationRun,
    groupby: "RNA_snn_res.1",
    neighbors: 15,
    resolution: 1,
    gmt: [],
  });
  assert.equal((await runDone(first.runId)).status, "succeeded");
  const v1 = await call<MarkersView>("markers.result", { runId: first.runId });
  const largest = v1.modules[0]!;
  assert.ok(largest.genes.length >= 5, `module 0 has ${largest.genes.length} genes`);
  const gmt = join(home, "mine.gmt");
  writeFileSync(gmt, `MY_MODULE_SET\tmy description\t${largest.genes.join("\t")}\n`);

  const { runId } = await call<{ runId: number }>("markers.start", {
    sourceRun: integrationRun,
    groupby: "RNA_snn_res.1",
    neighbors: 15,
    resolution: 1,
    gmt: [gmt],
  });
  assert.equal((await runDone(runId)).status, "succeeded");
  assert.ok(
    events.some((e) => e.type === "run" && e.runId === runId && e.stage === "gene modules"),
    "stages arrive as events",
  );
  const v = await call<MarkersView>("markers.result", { runId });
  assert.equal(v.settings.groupby, "RNA_snn_res.1");
  assert.deepEqual(v.groups, ["0", "1", "2"]);
  assert.equal(v.cells, 80);
  assert.equal(v.module.length, v.genes.length);
  assert.equal(v.umap.length, 2 * v.genes.length);
  assert.ok(v.prior, "the static prior's map comes with the view");
  assert.equal(v.prior.umap.length, 2 * v.genes.length);
  assert.equal(v.prior.module.length, v.genes.length);
  assert.ok(v.prior.umap.filter((x) => x !== null).length > v.genes.length, "most genes have a prior");
  // Every gene is in the module the per-gene list says, or in none (−1, clusters of fewer than 3 genes).
  const listed = v.modules.flatMap((m) => m.genes.map((g) => [g, m.module] as const));
  assert.equal(listed.length + v.module.filter((m) => m === -1).length, v.genes.length);
  for (const m of v.modules) assert.ok(m.genes.length >= 3, `module ${m.module} has ${m.genes.length} genes`);
  for (const [g, m] of listed) assert.equal(v.module[v.genes.indexOf(g)], m);
  const mine = v.modules[0]!.terms.find((t) => t.term === "MY_MODULE_SET");
  assert.ok(mine, "the user's gene set is tested");
  assert.ok(mine.q < 1e-3, `q = ${mine.q}`);
  assert.equal(mine.overlap.length, largest.genes.length);
  for (const m of v.modules) assert.equal(m.meanScore.length, 3);
  assert.ok(v.dotplot.genes.length > 0, "Seurat's clusters have significant markers");
  assert.equal(v.dotplot.pct.length, 3);

  const s = await call<{ values: number[]; max: number }>("markers.scores", { runId, module: 0 });
  assert.equal(s.values.length, 80);
  // Module 0's score is highest in the group it marks.
  const result = await call<{ groups: { name: string; categories: string[]; codes: number[] }[] }>("run.result", { runId: integrationRun });
  const codes = result.groups.find((g) => g.name === "RNA_snn_res.1");
  assert.ok(codes, "the integration result keeps the label column");
  const mean = (cat: string) => {
    const c = codes.categories.indexOf(cat);
    const vals = s.values.filter((_, i) => codes.codes[i] === c);
    return vals.reduce((a, b) => a + b, 0) / vals.length;
  };
  for (const other of v.groups.filter((g) => g !== v.modules[0]!.group)) assert.ok(mean(v.modules[0]!.group) > mean(other));
  await assert.rejects(call("markers.scores", { runId, module: v.modules.length }), /has \d+ modules/);

  const p = Project.open(dir);
  try {
    const m = metrics(p, runId);
    assert.equal(m.find((x) => x.name === "modules")?.value, v.modules.length);
    if (v.quality.contextual)
      assert.equal(m.find((x) => x.name === "davies_bouldin" && x.context === "contextual")?.value, v.quality.contextual.daviesBouldin);
  } finally {
    p.close();
  }
  for (const kind of ["modules", "moduleCelltypes", "enrichment", "de"])
    assert.ok(
      v.files.some((f) => f.kind === kind && existsSync(f.path)),
      `${kind} exported`,
    );
  assert.ok(readFileSync(v.files.find((f) => f.kind === "enrichment")!.path, "utf8").includes("MY_MODULE_SET"));

  const report = await call<{ path: string }>("run.report", { runId });
  const text = execFileSync("pdftotext", ["-layout", report.path, "-"], { encoding: "utf8" });
  assert.match(text, /Markers and gene modules/);
  assert.match(text, /MY_MODULE_SET|my description/);
});
