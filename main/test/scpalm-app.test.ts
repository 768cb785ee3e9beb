/**
 * scPaLM as an app job through the API (`callMethod`, as both hosts dispatch), in a real project with Seurat's
 * pbmc_small imported and the tests' tiny architecture: a pre-training streams its progress (stage, epoch, losses,
 * speed, device) and is cancelled in stage 1; its checkpoints resume it as a new run that continues where it stopped
 * and ends with exactly the parameters of an uninterrupted run, recorded with its model, log, codes used, seconds and
 * device; a stopped run is continued once only; refused settings leave no run; fine-tuning keeps the model's
 * vocabulary; the PDF report. Pathway tokens are in scpalm-app-pathways.test.ts.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { ProjectView, ScPaLMCheckpoints, ScPaLMPlan, ScPaLMView, StudioEvent } from "../api/contract.js";
import { callMethod } from "../api/methods.js";
import { Studio } from "../api/studio.js";
import { loadScPaLMModel } from "../models/scpalm-files.js";
import { Project } from "../store/project.js";
import { artifact, getRun, metrics } from "../store/runs.js";
import { PBMC_SMALL, waitFor } from "./helpers.js";
import { TINY_SCPALM } from "./scpalm-data.js";

const home = mkdtempSync(join(tmpdir(), "studio-scpalm-"));
process.env.SCILAMA_HOME = home;
let studio: Studio;
const events: StudioEvent[] = [];
let dir = "";
let dataset = 0;

const call = <T>(method: string, payload: object) => callMethod(studio, method, { project: dir, ...payload }) as Promise<T>;
type RunEvent = Extract<StudioEvent, { type: "run" }>;
const runEvents = (runId: number) => events.filter((e): e is RunEvent => e.type === "run" && e.runId === runId);
const runDone = (runId: number) =>
  waitFor(() => events.find((e): e is Extract<StudioEvent, { type: "run-done" }> => e.type === "run-done" && e.runId === runId));

const { tokens, hidden, ffn, layers, heads, codes, batch } = TINY_SCPALM;
/** 60 + 60 epochs of ~50 ms: long enough for a cancel to land in stage 1. */
const TRAINING = {
  mode: "pretrain",
  config: "desktop",
  epochs: 60,
  seed: 5,
  architecture: { tokens, hidden, ffn, layers, heads, codes, batch },
};

before(async () => {
  studio = new Studio("test");
  studio.on((e) => events.push(e));
  dir = ((await callMethod(studio, "project.create", { name: "scPaLM test" })) as ProjectView).dir;
  const { ticket } = await call<{ ticket: string }>("dataset.import", { path: PBMC_SMALL, name: "pbmc_small" });
  const imported = await waitFor(() => events.find((e) => e.type === "import-done" && e.ticket === ticket));
  assert.ok(imported.type === "import-done" && imported.datasetId !== null);
  dataset = imported.datasetId;
});

after(() => studio.close());

test("the plan: both configurations, the defaults and limits, the bundled model", async () => {
  const plan = await call<ScPaLMPlan>("scpalm.plan", {});
  assert.deepEqual(Object.keys(plan.configs).sort(), ["desktop", "paper"]);
  assert.equal(plan.configs.paper.hidden, 768);
  assert.deepEqual(plan.defaults, { config: "desktop", seed: 0, top: 10 });
  const bundled = plan.models[0]!;
  assert.equal(bundled.runId, null);
  assert.equal(bundled.codes, 128);
  assert.equal(bundled.genes, 4975);
  assert.equal(
    bundled.corpus.reduce((a, c) => a + c.cells, 0),
    2799,
  );
});

test("refused settings say why and open no run", async () => {
  const before = (await call<ProjectView>("project.view", {})).runs.length;
  await assert.rejects(
    call("scpalm.train", { ...TRAINING, datasets: [dataset], architecture: { hidden: 10, heads: 4 } }),
    /hidden \(10\) must be divisible by heads \(4\)/,
  );
  await assert.rejects(call("scpalm.train", { ...TRAINING, datasets: [dataset], from: 1 }), /Pre-training starts from scratch/);
  await assert.rejects(
    call("scpalm.train", { ...TRAINING, mode: "finetune", datasets: [dataset] }),
    /Fine-tuning keeps the model's architecture/,
  );
  await assert.rejects(call("scpalm.train", { ...TRAINING, datasets: [dataset], epochs: 0 }), /epochs needs a whole number from 1 to 1000/);
  await assert.rejects(call("scpalm.train", { ...TRAINING, datasets: [] }), /datasets must be a list of 1–50 items/);
  assert.equal((await call<ProjectView>("project.view", {})).runs.length, before);
});

test("a pre-training streams progress, is cancelled in stage 1, resumes where it stopped to the uninterrupted model", async () => {
  const first = (await call<{ runId: number }>("scpalm.train", { ...TRAINING, datasets: [dataset] })).runId;
  // Cancel once stage 1 has checkpointed a few epochs.
  const seen = await waitFor(() => runEvents(first).find((e) => e.phase?.startsWith("stage 1") && (e.epoch ?? 0) >= 2));
  await call("run.cancel", { runId: first });
  assert.equal((await runDone(first)).status, "cancelled");

  assert.equal(seen.variant, "scPaLM");
  assert.equal(seen.device, "cpu");
  assert.equal(seen.epochs, 60);
  assert.ok(seen.cellsPerSec! > 0);
  assert.ok(seen.point && Number.isFinite(seen.point.loss) && seen.point.loss > 0, "a live loss point");
  assert.ok(seen.fraction > 0 && seen.fraction < 0.5, `stage 1 is the first half of the run (${seen.fraction})`);
  const stoppedAt = Math.max(...runEvents(first).map((e) => (e.phase?.startsWith("stage 1") ? (e.epoch ?? 0) : 0)));
  assert.ok(
    runEvents(first).every((e) => !e.phase?.startsWith("stage 2")),
    "the cancel landed in stage 1",
  );

  const stopped = await call<ScPaLMCheckpoints>("scpalm.checkpoints", { runId: first });
  assert.deepEqual(stopped, { resumable: true, where: "stage 1 under way", resumedIn: null });
  await assert.rejects(call("scpalm.result", { runId: first }), /has no result \(cancelled\)/);

  const resumed = (await call<{ runId: number }>("scpalm.resume", { runId: first })).runId;
  await assert.rejects(call("scpalm.resume", { runId: first }), new RegExp(`already continued by run ${resumed}`));
  assert.equal((await runDone(resumed)).status, "succeeded");
  // It continued: its first epoch is the one after the last checkpoint, not epoch 1.
  const firstEpoch = runEvents(resumed).find((e) => e.phase !== null)!;
  assert.ok(firstEpoch.phase!.startsWith("stage 1"));
  assert.ok(firstEpoch.epoch! >= 2 && firstEpoch.epoch! <= stoppedAt + 1, `resumed at epoch ${firstEpoch.epoch} (stopped at ${stoppedAt})`);
  assert.deepEqual(await call<ScPaLMCheckpoints>("scpalm.checkpoints", { runId: first }), {
    resumable: false,
    where: null,
    resumedIn: resumed,
  });

  const v = await call<ScPaLMView>("scpalm.result", { runId: resumed });
  assert.ok(v.kind === "training" && v.settings.mode === "pretrain");
  assert.equal(v.settings.resumes, first);
  assert.equal(v.start, null);
  assert.equal(v.cells, 80);
  assert.deepEqual(
    v.corpus.map((c) => [c.name, c.cells]),
    [["pbmc_small", 80]],
  );
  // The log is whole across the stop: 60 epochs of each stage, and the codes in use (counted before each stage-1 epoch
  // for the one before, so every epoch but the last) kept with the checkpoints.
  assert.deepEqual(
    v.stages.map((s) => [s.stage, s.history.length]),
    [
      [1, 60],
      [2, 60],
    ],
  );
  const counted = v.stages[0]!.history.filter((h) => h.codesUsed !== undefined);
  assert.deepEqual(
    counted.map((h) => h.epoch),
    Array.from({ length: 59 }, (_, e) => e),
  );
  assert.ok(
    counted.every((h) => h.codesUsed! >= 1 && h.codesUsed! <= 16),
    JSON.stringify(counted),
  );
  assert.ok(v.codesUsed >= 8, `${v.codesUsed} of 16 codes used`);
  assert.equal(v.provider, "cpu");

  const p = Project.open(dir);
  try {
    const run = getRun(p, resumed);
    assert.equal(run.device, "cpu");
    assert.ok(Object.keys(JSON.parse(run.timings_json!)).includes("training"));
    const m = metrics(p, resumed);
    assert.equal(m.find((x) => x.name === "codes_used")?.value, v.codesUsed);
    assert.equal(m.find((x) => x.name === "mse" && x.context === "stage 2")?.value, v.stages[1]!.history.at(-1)!.losses.mse);
    assert.equal(artifact(p, first, "model"), null, "the cancelled run kept no model");
    const log = readFileSync(p.path(artifact(p, resumed, "log")!), "utf8")
      .trim()
      .split("\n");
    assert.equal(log.length, 1 + 120);
    assert.ok(!existsSync(p.path("runs", String(resumed), ".checkpoints")), "the checkpoints went with the finished model");

    // The same settings without a stop: the resumed model is exactly the uninterrupted one.
    const whole = (await call<{ runId: number }>("scpalm.train", { ...TRAINING, datasets: [dataset] })).runId;
    assert.equal((await runDone(whole)).status, "succeeded");
    const a = loadScPaLMModel(p.path(artifact(p, resumed, "model")!));
    const b = loadScPaLMModel(p.path(artifact(p, whole, "model")!));
    assert.equal(a.params.size, b.params.size);
    for (const [k, x] of b.params) assert.deepEqual(a.params.get(k), x, `parameter ${k}`);

    // Fine-tuning that model keeps its vocabulary and architecture, and says where it started.
    const tuned = (
      await call<{ runId: number }>("scpalm.train", {
        mode: "finetune",
        config: "desktop",
        epochs: 2,
        seed: 1,
        datasets: [dataset],
        from: whole,
      })
    ).runId;
    assert.equal((await runDone(tuned)).status, "succeeded");
    const t = await call<ScPaLMView>("scpalm.result", { runId: tuned });
    assert.ok(t.kind === "training");
    assert.equal(t.start, `run ${whole}'s model`);
    assert.deepEqual([t.hyper.tokens, t.hyper.hidden, t.hyper.codes, t.genes], [8, 16, 16, b.meta.genes.length]);
    assert.deepEqual(loadScPaLMModel(p.path(artifact(p, tuned, "model")!)).meta.genes, b.meta.genes);
  } finally {
    p.close();
  }

  const report = await call<{ path: string }>("run.report", { runId: resumed });
  const text = execFileSync("pdftotext", ["-layout", report.path, "-"], { encoding: "utf8" });
  assert.match(text, /scPaLM training/);
  assert.match(text, new RegExp(`${v.codesUsed} of 16 codes are used`));
});
