// scPaLM pre-training on real cells (Seurat's pbmc_small, 80 cells × 230 genes) with a tiny configuration: dead codes
// are replaced and at least half the codebook ends up used, a stopped run resumes to the uninterrupted result (in
// stage 2, and at a stage-1 epoch's end where the dead codes are due), h_C does not depend on the order of the file's
// genes, and datasets that share too few genes are refused.
import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import type { Dataset } from "../data/dataset.js";
import { csrSelectCols } from "../data/sparse.js";
import { readDataset } from "../io/read.js";
import { buildCorpus, corpusPart } from "../models/scpalm-corpus.js";
import type { ScPaLMHyper } from "../models/scpalm-hyper.js";
import { type Stage, trainScPaLM } from "../models/scpalm-train.js";
import type { Progress } from "../train/fit.js";
import { PBMC_SMALL, tempDir } from "./helpers.js";
import { tinyScPaLM } from "./scpalm-data.js";

const HYPER = tinyScPaLM(8, 4);

async function pbmcSmall() {
  const { dataset } = await readDataset(PBMC_SMALL);
  return dataset;
}

test("pre-training replaces dead codes and uses at least half the codebook; both stages' losses are finite", async () => {
  const d = await pbmcSmall();
  const { corpus } = buildCorpus([corpusPart("pbmc_small", d, PBMC_SMALL)], d.var.index);
  const r = await trainScPaLM(corpus, { hyper: HYPER, seed: 1, threads: 1 });
  assert.equal(r.status, "completed");
  const s1 = r.stages[0]!.history;
  assert.ok(
    s1.some((h) => (h.deadReplaced ?? 0) > 0),
    "some code should have been unused and replaced",
  );
  // Measured: 15 of 16 codes used after 8 epochs (7 of 16 before the first replacement).
  assert.ok(r.codesUsed >= HYPER.codes / 2, `${r.codesUsed} of ${HYPER.codes} codes used`);
  for (const s of r.stages) for (const h of s.history) for (const v of Object.values(h.losses)) assert.ok(Number.isFinite(v));
  assert.ok(r.stages[1]!.history.at(-1)!.losses.contrastive! > 0, "the contrastive term is on after the first refit");
  assert.equal(r.encoded!.cell.length, 80 * HYPER.hidden);
});

/** pbmc_small trained whole, then stopped where `stopWhen` first holds and resumed from its checkpoints. */
async function stopAndResume(t: TestContext, hyper: ScPaLMHyper, stopWhen: (p: Progress, stage: Stage) => boolean) {
  const d = await pbmcSmall();
  const { corpus } = buildCorpus([corpusPart("pbmc_small", d, PBMC_SMALL)], d.var.index);
  const whole = await trainScPaLM(corpus, { hyper, seed: 4, threads: 1 });
  const dir = tempDir(t);
  let stop = false;
  const stopped = await trainScPaLM(corpus, {
    hyper,
    seed: 4,
    threads: 1,
    workDir: dir,
    onProgress: (p, stage) => {
      stop ||= stopWhen(p, stage);
    },
    shouldStop: () => stop,
  });
  const resumed = await trainScPaLM(corpus, { hyper, seed: 4, threads: 1, workDir: dir });
  return { whole, stopped, resumed };
}

test("a run stopped in stage 2 resumes to exactly the uninterrupted parameters", async (t) => {
  // An epoch is 3 steps: stop in the middle of stage 2's second epoch (after its first k-means refit).
  const { whole, stopped, resumed } = await stopAndResume(t, tinyScPaLM(2, 3), (p, stage) => stage === 2 && p.step >= 4);
  assert.equal(stopped.status, "stopped");
  assert.equal(resumed.status, "completed");
  for (const [k, v] of whole.params) assert.deepEqual(resumed.params.get(k), v, `parameter ${k}`);
});

test("a run stopped at a stage-1 epoch's end resumes exactly (the dead codes are not replaced twice)", async (t) => {
  // An epoch is 3 steps: asked after step 6, the stop comes where epoch 3's dead-code replacement is due.
  const { whole, stopped, resumed } = await stopAndResume(t, tinyScPaLM(4, 1), (p, stage) => stage === 1 && p.step >= 6);
  assert.equal(stopped.status, "stopped");
  assert.equal(stopped.stages[0]!.epochs, 2);
  for (const [k, v] of whole.params) assert.deepEqual(resumed.params.get(k), v, `parameter ${k}`);
  // The codes in use are known for every epoch after a resume too, not only for the resumed ones.
  const usage = (r: typeof whole) => r.stages[0]!.history.map((e) => [e.epoch, e.codesUsed, e.deadReplaced]);
  assert.deepEqual(usage(resumed), usage(whole));
  assert.ok(
    usage(whole)
      .slice(0, -1)
      .every(([, used]) => typeof used === "number"),
  );
});

test("h_C does not depend on the order of the file's genes", async () => {
  const d = await pbmcSmall();
  const hyper = tinyScPaLM(2, 1);
  const vocabulary = d.var.index;
  const trained = await trainScPaLM(buildCorpus([corpusPart("a", d, PBMC_SMALL)], vocabulary).corpus, {
    hyper,
    seed: 2,
    threads: 1,
  });
  // The same cells with their genes in reverse order, then encoded with the trained parameters.
  const order = Int32Array.from(vocabulary.keys()).reverse();
  assert.equal(d.X.kind, "csr");
  const shuffled: Dataset = {
    ...d,
    X: { kind: "csr", ...csrSelectCols(d.X as Extract<Dataset["X"], { kind: "csr" }>, order) },
    var: { ...d.var, index: Array.from(order, (j) => vocabulary[j]!) },
    layers: new Map(),
  };
  const again = await trainScPaLM(buildCorpus([corpusPart("a", shuffled, PBMC_SMALL)], vocabulary).corpus, {
    hyper,
    seed: 2,
    threads: 1,
    initial: trained.params,
    stages: [],
  });
  assert.deepEqual(again.encoded!.codes, trained.encoded!.codes);
  const worst = Math.max(...Array.from(trained.encoded!.cell, (v, i) => Math.abs(v - again.encoded!.cell[i]!)));
  assert.ok(worst < 1e-5, `h_C moved by ${worst}`);
});

test("a dataset sharing too few of the vocabulary's genes is refused, naming the file and the count", async () => {
  const d = await pbmcSmall();
  const vocabulary = [...d.var.index.slice(0, 5), ...Array.from({ length: 95 }, (_, i) => `NOT_A_GENE_${i}`)];
  assert.throws(
    () => buildCorpus([corpusPart("pbmc_small", d, PBMC_SMALL)], vocabulary),
    (e: Error) => e.message.includes("pbmc_small") && /at least 10 of the model's 100 genes/.test(e.message) && /5 matched/.test(e.message),
  );
});
