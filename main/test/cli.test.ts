import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readH5ad } from "../io/h5ad/read.js";
import { KANG, PBMC3K, PBMC3K_MTX, scilama, tempDir } from "./helpers.js";

function cli(...args: string[]) {
  const r = scilama(...args);
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("inspect --json reports shape, sparsity, obs columns and gene id type", () => {
  const r = cli("inspect", PBMC3K_MTX, "--json");
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.n_obs, 2638);
  assert.equal(j.n_vars, 2000);
  assert.equal(j.nnz, 514_442);
  assert.equal(j.gene_id_type, "symbol");
  assert.equal(j.format, "10x-mtx");
  assert.ok("seurat_annotation" in j.obs_columns);
  assert.ok(j.density > 0.09 && j.density < 0.1);
});

test("exit codes: 2 for usage, 3 for bad input (message on stderr), 4 for a missing project", (t) => {
  const dir = tempDir(t);
  assert.equal(cli().code, 2);
  assert.equal(cli("frobnicate").code, 2);
  assert.equal(cli("preprocess", PBMC3K, "--out", join(dir, "x.h5ad"), "--hvg", "many").code, 2);
  const bad = join(dir, "bad.csv");
  writeFileSync(bad, "gene,c1\nCD3E,-1\n");
  // Inspect describes any readable file; import refuses what no analysis can start from, whatever its format.
  assert.match(cli("inspect", bad).out, /values +negative values in X \(scaled or centred\)/);
  assert.equal(cli("project", "create", join(dir, "p")).code, 0);
  const r = cli("import", bad, "--project", join(dir, "p"));
  assert.equal(r.code, 3);
  assert.match(r.err, /bad\.csv: expected raw counts or normalised expression .*found X: negative values/);
  assert.equal(r.out, "");
  const p = cli("project", "info", join(dir, "nope"));
  assert.equal(p.code, 4);
  assert.match(p.err, /not a sciLaMA Studio project/);
});

test("project create / import / list / info", (t) => {
  const root = tempDir(t);
  const dir = join(root, "lab");
  assert.equal(cli("project", "create", dir, "--name", "Lab", "--json").code, 0);
  const imp = cli("import", PBMC3K_MTX, "--project", dir, "--json", "--quiet");
  assert.equal(imp.code, 0, imp.err);
  assert.equal(JSON.parse(imp.out).qc.cells, 2638);
  const list = JSON.parse(cli("project", "list", root, "--json").out);
  assert.deepEqual(
    list.map((p: { name: string; datasets: number }) => [p.name, p.datasets]),
    [["Lab", 1]],
  );
  const info = cli("project", "info", dir);
  assert.match(info.out, /\[1\] seurat_tutorial_2000hvg_counts_mtx: 2,638 cells × 2,000 genes/);
});

test("preprocess writes log-normalised X, raw counts, HVG flags and the parameters", async (t) => {
  const out = join(tempDir(t), "pp.h5ad");
  const r = cli(
    "preprocess",
    KANG,
    "--out",
    out,
    "--min-genes",
    "200",
    "--min-cells",
    "3",
    "--hvg",
    "1000",
    "--subset-hvg",
    "--scale",
    "--json",
  );
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.highly_variable, 1000);
  assert.ok(existsSync(out));
  const d = await readH5ad(out);
  assert.equal(d.X.nCols, 1000);
  assert.equal(d.X.kind, "dense");
  assert.ok(d.X.kind === "dense" && Array.from(d.X.values).every((v) => v <= 10 && v >= -10));
  assert.ok(d.layers.has("counts"));
  assert.equal(d.var.columns.get("highly_variable")?.kind, "bool");
  assert.ok(d.obs.columns.has("pct_counts_mt"));
  assert.equal(typeof (d.uns.preprocessing as { hvg: number }).hvg, "number");
});
