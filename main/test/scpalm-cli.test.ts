// `scilama scpalm pretrain` and `scpalm embed` end to end on Seurat's pbmc_small with a tiny configuration: the model
// file and its training log, the result .h5ad with X_scPaLM, clusters and UMAP, the metric table with the token-mean
// and PCA baselines, and the refusals (unknown or invalid configuration, missing model, missing column).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { reportHtml } from "../analyses/integrate/report.js";
import { reportData } from "../analyses/integrate/report-data.js";
import { readH5ad } from "../io/h5ad/read.js";
import { readDataset } from "../io/read.js";
import { CELLBENCH, CLI, PBMC_SMALL, tempDir } from "./helpers.js";
import { TINY_SCPALM } from "./scpalm-data.js";

const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
test("pretrain writes a model and its log; embed writes X_scPaLM, clusters, UMAP and the metrics beside the baselines", async (t) => {
  const dir = tempDir(t);
  const config = join(dir, "tiny.json");
  writeFileSync(config, JSON.stringify(TINY_SCPALM));
  const model = join(dir, "model");
  const pre = run(["scpalm", "pretrain", PBMC_SMALL, "--config", config, "--epochs", "3", "--out", model, "--json", "--quiet"]);
  assert.equal(pre.status, 0, pre.stderr);
  const summary = JSON.parse(pre.stdout) as { codesUsed: number; codes: number; stages: { epochs: number }[] };
  assert.equal(summary.codes, 16);
  assert.deepEqual(
    summary.stages.map((s) => s.epochs),
    [3, 3],
  );
  const log = readFileSync(join(model, "training-log.csv"), "utf8").trim().split("\n");
  assert.equal(log[0], "stage,epoch,loss,mse,commitment,contrastive,codes_used,dead_replaced");
  assert.equal(log.length, 1 + 6);

  const out = join(dir, "small.h5ad");
  const embed = run(["scpalm", "embed", PBMC_SMALL, "--model", model, "--label", "groups", "--out", out, "--json", "--quiet"]);
  assert.equal(embed.status, 0, embed.stderr);
  const res = JSON.parse(embed.stdout) as { rows: { method: string; nmi: number | null }[]; genesMeasured: number };
  assert.equal(res.genesMeasured, 230);
  assert.deepEqual(
    res.rows.map((r) => r.method),
    [
      "scPaLM cell token h_C",
      "scPaLM mean of pathway tokens",
      "PCA, 79 PCs of log-normalised values",
      "PCA, 50 PCs of log-normalised values",
    ],
  );
  for (const r of res.rows) assert.ok(r.nmi !== null && r.nmi >= 0 && r.nmi <= 1);
  const { dataset } = await readDataset(out);
  assert.deepEqual([dataset.obsm.get("X_scPaLM")!.nRows, dataset.obsm.get("X_scPaLM")!.nCols], [80, 16]);
  assert.equal(dataset.obsm.get("X_umap")!.nCols, 2);
  assert.ok(dataset.obs.columns.has("scPaLM_leiden"));
  assert.match(readFileSync(join(dir, "small.metrics.csv"), "utf8"), /^method,ari,nmi,asw,batchAsw,ilisi,clisi,overall/);

  const missing = run(["scpalm", "embed", PBMC_SMALL, "--model", model, "--label", "cell_type", "--out", join(dir, "y.h5ad")]);
  assert.equal(missing.status, 3);
  assert.match(missing.stderr, /a cell column 'cell_type'.*the columns .*groups/);
});

test("refusals: an unknown configuration, an invalid one, a folder without a model", (t) => {
  const dir = tempDir(t);
  const bad = run(["scpalm", "pretrain", PBMC_SMALL, "--config", "huge", "--out", dir]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--config must be paper, desktop or a \.json file/);
  const empty = join(dir, "no-model");
  mkdirSync(empty);
  const none = run(["scpalm", "embed", PBMC_SMALL, "--model", empty, "--out", join(dir, "x.h5ad")]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no scPaLM model in .*scpalm pretrain/);
  const invalid = join(dir, "bad.json");
  writeFileSync(invalid, JSON.stringify({ hidden: 10, heads: 4 }));
  const v = run(["scpalm", "pretrain", PBMC_SMALL, "--config", invalid, "--out", dir]);
  assert.equal(v.status, 2);
  assert.match(v.stderr, /hidden \(10\) must be divisible by heads \(4\)/);
});

test("integration's scPaLM baseline is the bundled model's cell token: the same metrics as 'scpalm embed'", async (t) => {
  const dir = tempDir(t);
  const args = ["--label", "cell_line", "--batch", "dataset", "--json", "--quiet"];
  const integ = run(["integrate", CELLBENCH, ...args, "--baselines", "scpalm", "--epochs", "1", "--out", join(dir, "i.h5ad")]);
  assert.equal(integ.status, 0, integ.stderr);
  const row = (JSON.parse(integ.stdout) as { metrics: { method: string; nmi: number; ilisi: number }[] }).metrics.find((m) =>
    m.method.startsWith("scPaLM"),
  )!;
  const embed = run(["scpalm", "embed", CELLBENCH, ...args, "--out", join(dir, "e.h5ad")]);
  assert.equal(embed.status, 0, embed.stderr);
  const same = (JSON.parse(embed.stdout) as { rows: { method: string; nmi: number; ilisi: number }[] }).rows[0]!;
  assert.equal(same.method, "scPaLM cell token h_C");
  assert.ok(
    Math.abs(row.nmi - same.nmi) < 1e-9 && Math.abs(row.ilisi - same.ilisi) < 1e-9,
    `${JSON.stringify(row)} vs ${JSON.stringify(same)}`,
  );
  // The integration result keeps that embedding, its clusters and its UMAP, value for value, beside sciLaMA's.
  const [i, e] = [await readH5ad(join(dir, "i.h5ad")), await readH5ad(join(dir, "e.h5ad"))];
  const [a, b] = [i.obsm.get("X_scPaLM"), e.obsm.get("X_scPaLM")];
  assert.ok(a && b && a.nCols === 128 && a.nRows === 499);
  assert.deepEqual(Array.from(a.values), Array.from(b.values));
  assert.deepEqual(Array.from(i.obsm.get("X_umap_scPaLM")!.values), Array.from(e.obsm.get("X_umap")!.values));
  const clusters = (d: typeof i) => {
    const c = d.obs.columns.get("scPaLM_leiden");
    assert.ok(c?.kind === "categorical");
    return Array.from(c.codes, (k) => c.categories[k]);
  };
  assert.deepEqual(clusters(i), clusters(e));
  assert.notDeepEqual(Array.from(i.obsm.get("X_umap")!.values), Array.from(i.obsm.get("X_umap_scPaLM")!.values));
  // The report draws both maps, each with its own clusters.
  const report = await reportData(join(dir, "i.h5ad"), { appVersion: "test" });
  assert.deepEqual(
    report.maps.map((m) => [m.embedding, m.umap.length]),
    [
      ["sciLaMA", 998],
      ["scPaLM", 998],
    ],
  );
  const html = reportHtml(report);
  assert.match(html, /sciLaMA: UMAP by leiden \(cluster\)/);
  assert.match(html, /scPaLM: UMAP by scPaLM_leiden \(cluster\)/);
  assert.doesNotMatch(html, /scPaLM: UMAP by leiden /);
  assert.match(html, /scPaLM's maps: the cell token h_C \(bundled model, zero-shot\)/);
});
