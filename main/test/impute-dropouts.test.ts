/**
 * Dropout imputation on pbmc3k (scPaLM's Table 1 protocol), both masks, Quick preset, seed 1, through the command
 * line (the result files and the table checked): literal mask sciLaMA RMSE 0.427, gene mean 0.441, kNN smoothing
 * 0.438, zeros 0.222; non-zero entries only 2.380, 2.413, 2.401, gene non-zero mean 0.566. And the user mode: no mask,
 * the denoised layer only.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { imputeDropouts } from "../analyses/impute/denoise.js";
import { readH5ad } from "../io/h5ad/read.js";
import { PBMC3K, scilama, tempDir } from "./helpers.js";

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
    const s = JSON.parse(r.stdout) as { dropouts: { method: string; rmse: number; mae: number }[]; masked: number; maskedZeros: number };
    for (const d of s.dropouts)
      t.diagnostic(`${nonzero ? "non-zero" : "literal"}: ${d.method.padEnd(36)} RMSE ${d.rmse.toFixed(3)}  MAE ${d.mae.toFixed(3)}`);
    t.diagnostic(`${s.masked} masked entries, ${((100 * s.maskedZeros) / s.masked).toFixed(1)}% zeros`);
    const by = (m: string) => s.dropouts.find((d) => d.method.startsWith(m))!;
    assert.deepEqual(
      s.dropouts.map((d) => d.method.replace(/ \(.*/, "")),
      ["sciLaMA", "zeros", "gene mean", "gene non-zero mean", "kNN smoothing"],
    );
    assert.ok(by("sciLaMA").rmse < by("gene mean").rmse, `sciLaMA ${by("sciLaMA").rmse} below the gene mean ${by("gene mean").rmse}`);
    if (nonzero) assert.equal(s.maskedZeros, 0, "only non-zero entries masked");
    else assert.ok(s.maskedZeros / s.masked > 0.9, "the literal protocol masks mostly zeros");
    const csv = readFileSync(out.replace(/\.h5ad$/, ".metrics.csv"), "utf8");
    assert.match(csv, /^method,rmse,mae\n"?sciLaMA/);
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
