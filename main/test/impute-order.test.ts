/**
 * Panel imputation does not depend on the order in which either file lists its genes: the model's columns follow the
 * genes' names, so CellBench's CEL-seq2 (reference) and Drop-seq (target) with their genes shuffled give the same
 * predictions as in their own order (a short schedule; what is compared is the whole pipeline, not the fit).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { Rng } from "../../native-models/random.js";
import { imputePanel } from "../analyses/impute/panel.js";
import { subset } from "../data/subset.js";
import { writeH5ad } from "../io/h5ad/write.js";
import { readDataset } from "../io/read.js";
import { tempDir } from "./helpers.js";
import { cellbenchProtocols, markerPanel } from "./impute-data.js";

async function shuffledGenes(file: string, out: string, seed: number): Promise<string> {
  const { dataset } = await readDataset(file);
  writeH5ad(out, subset(dataset, undefined, new Rng(seed, 7).permutation(dataset.var.index.length)));
  return out;
}

test("shuffling the reference's and the target's gene order gives the same predictions", async (t) => {
  const dir = tempDir(t);
  const { celseq2, dropseq } = await cellbenchProtocols(dir);
  const tg = (await readDataset(dropseq)).dataset.var.index;
  const panel = await markerPanel(celseq2, "cell_line", tg, 20);
  const genes = ["VIM", "KRT18", "KRT8", "S100A6", "LGALS1", "ANXA1", "CALD1", "TPM1", "EMP1", "SPARC"].filter((g) => !panel.includes(g));
  const run = (reference: string, target: string) =>
    imputePanel({
      reference,
      target,
      panel,
      genes,
      evaluation: { kind: "kfold", k: 2 },
      prior: { priors: ["bundled"] },
      preset: "quick",
      hyper: { maxEpochs: 3 },
      seed: 3,
      baselines: ["knn"],
    });
  const a = await run(celseq2, dropseq);
  const b = await run(
    await shuffledGenes(celseq2, join(dir, "ref-shuffled.h5ad"), 1),
    await shuffledGenes(dropseq, join(dir, "tgt-shuffled.h5ad"), 2),
  );
  assert.deepEqual(b.output.var.index, a.output.var.index, "the same genes in the same order");
  const x = a.output.X.kind === "dense" ? a.output.X.values : null;
  const y = b.output.X.kind === "dense" ? b.output.X.values : null;
  assert.ok(x && y && x.length === y.length && x.length > 0);
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]! - y[i]!));
  t.diagnostic(`largest difference over ${x.length} predicted values: ${max}`);
  assert.ok(max < 1e-4, `the predictions agree (largest difference ${max})`);
  assert.deepEqual(
    b.methods.map((r) => [r.method, r.set, r.pcc.toFixed(4)]),
    a.methods.map((r) => [r.method, r.set, r.pcc.toFixed(4)]),
  );
});
