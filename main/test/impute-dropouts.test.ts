/**
 * Dropout imputation on pbmc3k (scPaLM's Table 1 protocol), both masks, Quick preset, seed 1, through the command
 * line (the result files and the table checked): literal mask sciLaMA RMSE 0.427, gene mean 0.441, kNN smoothing
 * 0.438, zeros 0.222; non-zero entries only 2.380, 2.413, 2.401, gene non-zero mean 0.566. The bundled scPaLM, zero
 * shot, on the masked entries of the 777 modelled genes it knows (every method scored again there): literal 0.430,
 * sciLaMA 0.543, gene mean 0.566, kNN 0.541, zeros 0.265. A dataset it cannot read skips it with the reason. And the
 * user mode: no mask, the denoised layer only.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { imputeDropouts } from "../analyses/impute/denoise.js";
import { readH5ad } from "../io/h5ad/read.js";
import { PBMC_SMALL, PBMC3K, scilama, tempDir } from "./helpers.js";

test("dropouts on pbmc3k, both masks: sciLaMA's RMSE below the gene mean's, every baseline in one table", async (t) => {
  const dir = tempDir(t);
  for (const nonzero of [false, true]) {
    const out = join(dir, `dropouts-${nonzero ? "nonzero" : "literal"}.h5ad`);
    const r = scilama(
      "impute",
      "--dropouts",
      PBMC3K,
      "--mask",
      "0.1",
      ...(nonzero ? ["--nonzero"] : []),
      "--preset",
      "quick",
      "--seed",
      "1",
      "--out",
      out,
      "--json",
      "--quiet",
    );
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      dropouts: { method: string; scope: string; entries: number; rmse: number; mae: number }[];
      scpalm: { genes: number; entries: number };
      masked: number;
      maskedZeros: number;
    };
    for (const d of s.dropouts)
      t.diagnostic(
        `${nonzero ? "non-zero" : "literal"} (${d.scope}, ${d.entries}): ${d.method.padEnd(36)} RMSE ${d.rmse.toFixed(3)}  MAE ${d.mae.toFixed(3)}`,
      );
    t.diagnostic(`${s.masked} masked entries, ${((100 * s.maskedZeros) / s.masked).toFixed(1)}% zeros`);
    const scope = (name: string) => s.dropouts.filter((d) => d.scope === name);
    const by = (rows: typeof s.dropouts, m: string) => rows.find((d) => d.method.startsWith(m))!;
    const methods = ["sciLaMA", "zeros", "gene mean", "gene non-zero mean", "kNN smoothing"];
    assert.deepEqual(
      scope("all").map((d) => d.method.replace(/ \(.*/, "")),
      methods,
    );
    const all = scope("all");
    assert.ok(
      by(all, "sciLaMA").rmse < by(all, "gene mean").rmse,
      `sciLaMA ${by(all, "sciLaMA").rmse} below the gene mean ${by(all, "gene mean").rmse}`,
    );
    assert.ok(all.every((d) => d.entries === s.masked));
    // scPaLM and every other method again, on the entries of the genes in its vocabulary.
    const palm = scope("scpalm");
    assert.deepEqual(
      palm.map((d) => d.method.replace(/ \(.*/, "")),
      ["scPaLM", ...methods],
    );
    assert.equal(s.scpalm.genes, 777, "genes of the 1,871 the prior covers in the bundled vocabulary");
    assert.ok(palm.every((d) => d.entries === s.scpalm.entries) && s.scpalm.entries < s.masked && s.scpalm.entries > 0.2 * s.masked);
    if (!nonzero)
      assert.ok(
        by(palm, "scPaLM").rmse < by(palm, "gene mean").rmse,
        `scPaLM ${by(palm, "scPaLM").rmse} below the gene mean ${by(palm, "gene mean").rmse} on the literal mask`,
      );
    if (nonzero) assert.equal(s.maskedZeros, 0, "only non-zero entries masked");
    else assert.ok(s.maskedZeros / s.masked > 0.9, "the literal protocol masks mostly zeros");
    const csv = readFileSync(out.replace(/\.h5ad$/, ".metrics.csv"), "utf8");
    assert.match(csv, /^method,entries_scored,entries,rmse,mae\n"?sciLaMA[^\n]*,all,/);
    assert.match(csv, /\n"?scPaLM \(bundled, zero shot\)"?,scpalm,\d+,/);
    const d = await readH5ad(out);
    assert.ok(d.layers.has("sciLaMA_denoised") && d.layers.has("masked"));
    assert.equal(d.X.nRows, 2638);
  }
});

test("dropout imputation without a mask: the denoised layer only", async (t) => {
  const r = await imputeDropouts({
    file: PBMC3K,
    mask: 0,
    nonzero: false,
    prior: { priors: ["bundled"] },
    preset: "quick",
    hyper: { maxEpochs: 2 },
    seed: 1,
  });
  t.diagnostic(`${r.genes.length} genes modelled`);
  assert.equal(r.masked, 0);
  assert.deepEqual(r.rows, []);
  const layer = r.output.layers.get("sciLaMA_denoised");
  assert.ok(layer?.kind === "dense" && layer.values.every((v) => v >= 0 && Number.isFinite(v)));
});

test("dropouts in a dataset the bundled scPaLM cannot read: sciLaMA and the baselines scored, scPaLM skipped with the reason", async () => {
  const r = await imputeDropouts({
    file: PBMC_SMALL,
    mask: 0.1,
    nonzero: false,
    prior: { priors: ["bundled"] },
    preset: "quick",
    hyper: { maxEpochs: 2 },
    seed: 1,
  });
  assert.ok(r.scpalm && "skipped" in r.scpalm, JSON.stringify(r.scpalm));
  assert.match(r.scpalm.skipped, /at least 498 of the model's 4975 genes.*matched by symbol/s);
  assert.deepEqual(new Set(r.rows.map((x) => x.scope)), new Set(["all"]));
  assert.equal(r.rows.length, 5);
});
