/**
 * `scilama markers` end to end on a small real result (Seurat's pbmc_small integrated for a few epochs): the four
 * tables with their columns and one row per gene / group × gene, Wilcoxon rows equal to the library call, module
 * memberships consistent across files, the PDF report, and the errors for a result without gene embeddings or a
 * missing column.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { rankGenesGroups } from "../analysis/de.js";
import type { MarkersView } from "../api/contract.js";
import { callMethod } from "../api/methods.js";
import { Studio } from "../api/studio.js";
import { cellText } from "../data/frame.js";
import { H5adFile } from "../io/h5ad/read.js";
import { Project } from "../store/project.js";
import { listRuns } from "../store/runs.js";
import { CLI, PBMC_SMALL, PBMC3K, tempDir } from "./helpers.js";

const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
const csv = (path: string) =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((l) => l.split(","));

test("markers on an integrated pbmc_small: modules, cell types, enrichment, Wilcoxon tables and the PDF report", async (t) => {
  const dir = tempDir(t);
  const result = join(dir, "small.h5ad");
  const project = join(dir, "project");
  assert.equal(run(["project", "create", project, "--quiet"]).status, 0);
  const integrate = run([
    "integrate",
    PBMC_SMALL,
    "--label",
    "groups",
    "--preset",
    "quick",
    "--epochs",
    "3",
    "--hvg",
    "0",
    "--baselines",
    "none",
    "--seed",
    "1",
    "--out",
    result,
    "--project",
    project,
    "--json",
    "--quiet",
  ]);
  assert.equal(integrate.status, 0, integrate.stderr);
  const integrationRun = (JSON.parse(integrate.stdout) as { runId: number }).runId;
  const out = join(dir, "markers");
  const r = run(["markers", result, "--groupby", "groups", "--out", out, "--json", "--quiet"]);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as {
    modules: number;
    quality: { contextual: { genes: number }; prior: unknown };
    written: Record<string, string>;
  };

  const h = await H5adFile.open(result);
  const X = h.readX();
  const genes = h.readFrame("var").index;
  const col = h.readFrame("obs").columns.get("groups")!;
  h.close();

  const modules = csv(join(out, "modules.csv"));
  assert.deepEqual(modules[0], ["gene", "module", "score", "umap_1", "umap_2", "prior_module"]);
  assert.deepEqual(
    modules.slice(1).map((m) => m[0]),
    genes,
  );
  const memberships = modules.slice(1).map((m) => Number(m[1]));
  assert.equal(Math.max(...memberships) + 1, summary.modules);
  assert.ok(
    memberships.every((m) => m >= -1 && m < summary.modules),
    "a module number, or −1 for no module",
  );
  for (let k = 0; k < summary.modules; k++) assert.ok(memberships.filter((m) => m === k).length >= 3, `module ${k} has at least 3 genes`);
  for (const m of modules.slice(1)) assert.ok(Number(m[2]) >= -1 && Number(m[2]) <= 1, `centrality is a cosine: ${m.join(",")}`);

  const celltypes = csv(join(out, "module_celltypes.csv"));
  assert.deepEqual(celltypes[0], ["module", "genes", "celltype", "specificity", "score_g1", "score_g2"]);
  assert.equal(celltypes.length - 1, summary.modules);
  for (const row of celltypes.slice(1)) {
    assert.equal(Number(row[1]), memberships.filter((m) => m === Number(row[0])).length, "module sizes agree with modules.csv");
    const [s1, s2] = [Number(row[4]), Number(row[5])];
    assert.equal(row[2], s1 >= s2 ? "g1" : "g2", "a module marks the group with the higher mean score");
    assert.ok(Math.abs(Number(row[3]) - Math.abs(s1 - s2)) < 1e-5, "specificity is the margin");
  }

  const enrichment = csv(join(out, "enrichment.csv"));
  assert.deepEqual(enrichment[0], ["module", "term", "description", "collection", "p", "q", "overlap", "set_size", "module_size", "genes"]);

  const de = csv(join(out, "de.csv"));
  assert.deepEqual(de[0], ["group", "gene", "score", "logfc", "p", "q", "pct", "pct_rest"]);
  const names = Array.from({ length: X.nRows }, (_, i) => cellText(col, i));
  const expected = rankGenesGroups(
    X,
    genes,
    Int32Array.from(names, (n) => ["g1", "g2"].indexOf(n)),
    ["g1", "g2"],
  );
  assert.equal(de.length - 1, expected.length);
  expected.slice(0, 20).forEach((e, i) => {
    assert.equal(de[i + 1]![0], e.group);
    assert.equal(de[i + 1]![1], e.gene);
    assert.ok(Math.abs(Number(de[i + 1]![4]) - e.p) <= 1e-5 * e.p + 1e-12, `${e.gene} p`);
  });

  const text = execFileSync("pdftotext", ["-layout", join(out, "report.pdf"), "-"], { encoding: "utf8" });
  assert.match(text, /Markers and gene modules/);
  assert.match(text, new RegExp(`${summary.modules} modules`));
  assert.match(text, /Davies–Bouldin/);
  assert.match(text, /Cells by module score/);
  assert.match(text, /Module \d+ score \(marks g[12]\)/, "the cell UMAPs by module score are drawn");

  // By run id: the same analysis, recorded in the project as the app records it, and readable by the app.
  const byRun = run([
    "markers",
    String(integrationRun),
    "--project",
    project,
    "--groupby",
    "groups",
    "--out",
    join(dir, "by-run"),
    "--json",
    "--quiet",
  ]);
  assert.equal(byRun.status, 0, byRun.stderr);
  const recorded = JSON.parse(byRun.stdout) as { runId: number; modules: number };
  assert.equal(recorded.modules, summary.modules, "the same modules from the file and from the run");
  const studio = new Studio("test");
  try {
    const view = (await callMethod(studio, "markers.result", { project, runId: recorded.runId })) as MarkersView;
    assert.equal(view.run.status, "succeeded");
    assert.deepEqual(view.settings, { sourceRun: integrationRun, groupby: "groups", neighbors: 15, resolution: 1, gmt: [] });
    assert.equal(view.modules.length, summary.modules);
    assert.ok(view.files.some((f) => f.kind === "report" && f.path.endsWith("report.pdf")));
    const scores = (await callMethod(studio, "markers.scores", { project, runId: recorded.runId, module: 0 })) as { values: number[] };
    assert.equal(scores.values.length, X.nRows);
  } finally {
    await studio.close();
  }
  // A grouping the result does not have is refused before a run is recorded (it used to leave a failed run).
  const failed = run(["markers", String(integrationRun), "--project", project, "--groupby", "nope", "--out", join(dir, "bad"), "--quiet"]);
  assert.equal(failed.status, 2, failed.stderr);
  assert.match(failed.stderr, /the grouping column 'nope' is not a cell column of small\.h5ad \(columns that would do: groups, leiden\)/);
  const p = Project.open(project);
  try {
    const last = listRuns(p).at(-1)!;
    assert.equal(last.id, recorded.runId, "no run was recorded for the refusal");
    assert.equal(last.status, "succeeded");
  } finally {
    p.close();
  }
});

test("markers refuses a file without gene embeddings, a missing column and out-of-range module parameters, saying what to do", (t) => {
  const dir = tempDir(t);
  const plain = run(["markers", PBMC3K, "--groupby", "seurat_annotation", "--out", join(dir, "m")]);
  assert.equal(plain.status, 3);
  assert.match(plain.stderr, /contextual gene embeddings .*Run the integration first/);
  const usage = run(["markers", PBMC3K, "--out", join(dir, "m")]);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /needs --groupby/);
  // The module parameters have the app's bounds (a neighbour count of 0 used to fall back to 15 silently).
  const neighbors = run(["markers", PBMC3K, "--groupby", "seurat_annotation", "--out", join(dir, "m"), "--neighbors", "0"]);
  assert.equal(neighbors.status, 2);
  assert.match(neighbors.stderr, /--neighbors needs a whole number from 2 to 200, got '0'/);
  const resolution = run(["markers", PBMC3K, "--groupby", "seurat_annotation", "--out", join(dir, "m"), "--resolution", "50"]);
  assert.equal(resolution.status, 2);
  assert.match(resolution.stderr, /--resolution needs a number from 0.01 to 20/);
});
