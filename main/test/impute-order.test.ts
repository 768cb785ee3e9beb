/**
 * Panel imputation's gene handling on CellBench (CEL-seq2 reference, Drop-seq target; short schedules, what is
 * checked is the pipeline, not the fit): it does not depend on the order in which either file lists its genes (the
 * model's columns follow the genes' names), and genes the reference does not measure are placed by the prior alone,
 * flagged as such.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { Rng } from "../../native-models/random.js";
import { imputePanel, PRIOR_ONLY_ROLE } from "../analyses/impute/panel.js";
import { subset } from "../data/subset.js";
import { matchGenes } from "../genes/keys.js";
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

test("genes the reference does not measure are placed by the prior alone, flagged, with no baseline or accuracy", async (t) => {
  const dir = tempDir(t);
  const { celseq2, dropseq } = await cellbenchProtocols(dir);
  const { dataset } = await readDataset(celseq2);
  const absent = ["VIM", "LGALS1", "SPARC"];
  // CellBench names its genes by Ensembl id; the genes are asked for by symbol.
  const drop = new Set(matchGenes(absent, dataset.var.index));
  assert.ok(!drop.has(-1));
  const keep = [...dataset.var.index.keys()].filter((i) => !drop.has(i));
  const reference = join(dir, "ref-without.h5ad");
  writeH5ad(reference, subset(dataset, undefined, keep));
  const tg = (await readDataset(dropseq)).dataset.var.index;
  const panel = await markerPanel(reference, "cell_line", tg, 20);
  const r = await imputePanel({
    reference,
    target: dropseq,
    panel,
    genes: ["KRT18", "KRT8", ...absent],
    evaluation: { kind: "none" },
    prior: { priors: ["bundled"] },
    preset: "quick",
    hyper: { maxEpochs: 3 },
    seed: 3,
    baselines: ["knn"],
  });
  assert.deepEqual(r.priorOnly, [...absent].sort());
  const names = r.output.var.index;
  const role = r.output.var.columns.get("role");
  assert.ok(role?.kind === "categorical");
  for (const g of absent) {
    const col = names.indexOf(g);
    assert.ok(col >= 0, `${g} is in the result`);
    assert.equal(role.categories[role.codes[col]!], PRIOR_ONLY_ROLE);
    const x = r.output.X.kind === "dense" ? r.output.X.values : null;
    const knn = r.output.layers.get("knn");
    assert.ok(x && knn?.kind === "dense");
    const values = Array.from({ length: r.output.X.nRows }, (_, c) => x[c * names.length + col]!);
    assert.ok(values.every(Number.isFinite) && new Set(values).size > 1, `${g}: a value per cell that varies`);
    assert.ok(Number.isNaN(knn.values[col]!), `${g}: kNN from the reference cannot predict it`);
  }
  assert.ok(!r.perGene.some((g) => absent.includes(g.gene)), "no accuracy is claimed for them");
  // Asked of the self-informed model, they are refused: its gene encoder reads the reference's expression.
  await assert.rejects(
    imputePanel({
      ...{ reference, target: dropseq, panel, genes: absent },
      evaluation: { kind: "none" },
      prior: "self",
      preset: "quick",
      seed: 3,
      baselines: [],
    }),
    /genes to impute that neither the reference measures nor the prior covers: .*LGALS1.*with the self-informed prior a gene must be measured by the reference/,
  );
});
