/**
 * scPaLM's refusals, table-driven (`refusal-harness.ts`): `scpalm pretrain|embed|pathways` command lines → the exit code
 * the README documents, the message's key words, no stack trace, nothing changed, and no job started (no stage
 * announced: everything the settings, a model file's header and the datasets' genes and cells can tell is refused
 * before any work). Settings files of every wrong shape (null, a list, a number, unknown or mistyped keys, nested
 * ones, out of range, a pipe, a folder, a device, too large), the settings flags in the API's limits, damaged and
 * wrong model folders, more pathway tokens than genes, too few shared genes or cells, data with no usable expression.
 * Then the API's (`scpalm.train`, `scpalm.pathways`): the HTTP status and words, and no run recorded.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isDeepStrictEqual } from "node:util";
import { trainingHyper } from "../analyses/scpalm/settings.js";
import type { ProjectView, StudioEvent } from "../api/contract.js";
import { errorBody, HTTP_STATUS } from "../api/errors.js";
import { callMethod } from "../api/methods.js";
import { Studio } from "../api/studio.js";
import { subset } from "../data/subset.js";
import { writeH5ad } from "../io/h5ad/write.js";
import { readDataset } from "../io/read.js";
import { scPaLMArchitecture, scPaLMInitialParams } from "../models/scpalm.js";
import { saveScPaLMModel } from "../models/scpalm-files.js";
import { SCPALM_DESKTOP } from "../models/scpalm-hyper.js";
import { resourcePath } from "../resources.js";
import { Project } from "../store/project.js";
import { listRuns } from "../store/runs.js";
import { dense, PBMC_SMALL, tempDir, waitFor } from "./helpers.js";
import { type Case, refuse, setup, Tally, type Where } from "./refusal-harness.js";
import { TINY_SCPALM, tinyScPaLM } from "./scpalm-data.js";

const home = mkdtempSync(join(tmpdir(), "studio-scpalm-refusals-"));
process.env.SCILAMA_HOME = home;

const tally = new Tally("scPaLM refusals");
const BUNDLED = resourcePath("scpalm-model");
const MODEL_FILE = "scpalm.safetensors";

/** The files the cases name, made in the suite's scratch folder (`fifo` outside it: hashing a pipe would block). */
async function makeFiles(w: Where, fifo: string): Promise<void> {
  const f = (name: string) => join(w.dir, name);
  const json = (name: string, v: unknown) => writeFileSync(f(name), typeof v === "string" ? v : JSON.stringify(v));
  json("null.json", "null");
  json("list.json", [TINY_SCPALM]);
  json("number.json", "5");
  json("unknown.json", { ...TINY_SCPALM, tokenz: 8 });
  json("tostring.json", { ...TINY_SCPALM, toString: 1 });
  json("string.json", { ...TINY_SCPALM, tokens: "8" });
  json("nested-type.json", { ...TINY_SCPALM, contrastive: 5 });
  json("nested-unknown.json", { ...TINY_SCPALM, stage1: { lr: 1e-3, epochs: 2, warmup: 3 } });
  json("range.json", { ...TINY_SCPALM, tokens: 5000 });
  json("nested-range.json", { ...TINY_SCPALM, stage1: { epochs: 0 } });
  json("broken.json", '{"tokens": 8,');
  json("tokens256.json", { ...TINY_SCPALM, tokens: 256 });
  json("tiny.json", TINY_SCPALM);
  writeFileSync(f("huge.json"), `{"tokens": 8${" ".repeat(2 << 20)}}`);
  mkdirSync(f("a-folder.json"));
  execFileSync("mkfifo", [fifo]);

  // A sound model over pbmc_small's genes (freshly initialised: these cases never get to use it).
  const { dataset } = await readDataset(PBMC_SMALL);
  const hyper = tinyScPaLM(1, 1);
  const genes = dataset.var.index;
  const model = (folder: string) => {
    mkdirSync(f(folder));
    return join(f(folder), MODEL_FILE);
  };
  saveScPaLMModel(model("model"), {
    params: scPaLMInitialParams(scPaLMArchitecture(hyper, genes.length), hyper, 0),
    meta: {
      format: "scpalm/1",
      hyper,
      genes: [...genes],
      corpus: [{ name: "pbmc_small", cells: 80, measured: genes.length }],
      trained: { seed: 0, seconds: 0, codesUsed: 0, stages: [], provider: "cpu", date: "2026-01-01T00:00:00Z" },
    },
  });
  // Damaged and foreign model files.
  const bundled = readFileSync(join(BUNDLED, MODEL_FILE));
  writeFileSync(model("cut-short"), bundled.subarray(0, bundled.length - 1000));
  writeFileSync(model("header-only"), bundled.subarray(0, 8 + Number(bundled.readBigUInt64LE(0))));
  writeFileSync(model("garbage"), Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 2654435761) >>> 24)));
  writeFileSync(model("empty"), "");
  copyFileSync(resourcePath("drug-model", "member-1.safetensors"), model("drug-model"));
  mkdirSync(join(f("folder-as-file"), MODEL_FILE), { recursive: true });

  // Datasets: one and two cells of pbmc_small, pbmc_small with every value 0, and pbmc_small scaled (negative values,
  // no counts beside them).
  for (const n of [1, 2])
    writeH5ad(
      f(`cells${n}.h5ad`),
      subset(
        dataset,
        Array.from({ length: n }, (_, i) => i),
      ),
    );
  // The dataset with only these values in X (no counts layer, no raw): all zeros, and centred (negative) values.
  const onlyX = (name: string, values: Float64Array) =>
    writeH5ad(f(name), {
      ...dataset,
      X: { kind: "dense", nRows: dataset.X.nRows, nCols: dataset.X.nCols, values },
      layers: new Map(),
      raw: undefined,
    } as typeof dataset);
  onlyX("zeros.h5ad", new Float64Array(dataset.X.nRows * dataset.X.nCols));
  onlyX(
    "scaled.h5ad",
    dense(dataset.X).map((v) => v - 1),
  );
}

const at = (w: Where, name: string) => join(w.dir, name);
/** Settings cases train one epoch should they be accepted (a fixed bug come back), not the configuration's 60 + 60. */
const PRETRAIN = (w: Where, ...more: string[]) => ["scpalm", "pretrain", w.input, "--out", at(w, "trained"), ...more];
const ONE_EPOCH = ["--epochs", "1"];
const EMBED = (w: Where, ...more: string[]) => ["scpalm", "embed", w.input, "--out", at(w, "embedded.h5ad"), "--quiet", ...more];
const PATHWAYS = (w: Where, ...more: string[]) => ["scpalm", "pathways", w.input, "--out", at(w, "tokens"), ...more];
const config = (file: string, message: RegExp): Case => [
  `pretrain --config ${file}`,
  (w) => PRETRAIN(w, "--config", at(w, file), ...ONE_EPOCH),
  2,
  message,
];

const CASES = (fifo: string): Case[] => [
  config("null.json", /--config .*null\.json: scPaLM settings must be a JSON object of settings .* got null/),
  config("list.json", /must be a JSON object of settings .* got a list/),
  config("number.json", /must be a JSON object of settings .* got 5/),
  config("unknown.json", /'tokenz' is not a setting \(the settings are tokens, hidden, /),
  config("tostring.json", /'toString' is not a setting/),
  config("string.json", /tokens must be a number, got "8"/),
  config("nested-type.json", /contrastive must be an object of weight, tau, negatives, clusters, queue, got 5/),
  config("nested-unknown.json", /'stage1\.warmup' is not a setting \(stage1 has lr, epochs\)/),
  config("range.json", /tokens needs a whole number from 2 to 1024, got '5000'/),
  config("nested-range.json", /stage1\.epochs needs a whole number from 1 to 1000, got '0'/),
  config("broken.json", /--config .*broken\.json is not valid JSON .*write the settings as a JSON object/),
  ["pretrain --config <a FIFO>", (w) => PRETRAIN(w, "--config", fifo, ...ONE_EPOCH), 3, /pipe/],
  ["pretrain --config <a folder>", (w) => PRETRAIN(w, "--config", at(w, "a-folder.json"), ...ONE_EPOCH), 3, /a folder/],
  ["pretrain --config /dev/zero", (w) => PRETRAIN(w, "--config", "/dev/zero", ...ONE_EPOCH), 3, /a device/],
  ["pretrain --config <a 2 MB file>", (w) => PRETRAIN(w, "--config", at(w, "huge.json"), ...ONE_EPOCH), 3, /at most 1 MB/],
  [
    "pretrain --config toString",
    (w) => PRETRAIN(w, "--config", "toString", ...ONE_EPOCH),
    2,
    /--config must be paper, desktop or a \.json file/,
  ],
  ["pretrain --epochs 0", (w) => PRETRAIN(w, "--epochs", "0"), 2, /--epochs needs a whole number from 1 to 1000, got '0'/],
  ["pretrain --epochs 1001", (w) => PRETRAIN(w, "--epochs", "1001"), 2, /--epochs needs a whole number from 1 to 1000, got '1001'/],
  ["pretrain --seed 1.5", (w) => PRETRAIN(w, "--seed", "1.5"), 2, /--seed needs a whole number from 0 to 2147483647, got '1\.5'/],
  ["pretrain --seed 1e30", (w) => PRETRAIN(w, "--seed", "1e30"), 2, /--seed needs a whole number from 0 to 2147483647, got '1e30'/],
  ["pathways --top 0", (w) => PATHWAYS(w, "--model", at(w, "model"), "--top", "0"), 2, /--top needs a whole number from 3 to 100, got '0'/],
  // Datasets the job would have refused only after it started.
  [
    "pretrain with more pathway tokens (256) than the datasets' genes (230)",
    (w) => PRETRAIN(w, "--config", at(w, "tokens256.json"), ...ONE_EPOCH),
    2,
    /vocabulary of 230 genes .*fewer than the 256 pathway tokens; choose at most 230 tokens/,
  ],
  [
    "pretrain --from the bundled model on a dataset sharing too few of its genes",
    (w) => PRETRAIN(w, "--from", BUNDLED, ...ONE_EPOCH),
    3,
    /input\.h5ad: expected at least 498 of the model's 4975 genes, but found \d+ matched by symbol/,
  ],
  [
    "pretrain on one cell",
    (w) => ["scpalm", "pretrain", at(w, "cells1.h5ad"), "--config", at(w, "tiny.json"), "--out", at(w, "trained"), "--epochs", "1"],
    3,
    /cells1\.h5ad: expected at least 2 cells to train scPaLM on, but found 1/,
  ],
  [
    "pretrain on scaled data (no counts)",
    (w) => ["scpalm", "pretrain", at(w, "scaled.h5ad"), "--config", at(w, "tiny.json"), "--out", at(w, "trained"), "--epochs", "1"],
    3,
    /scaled\.h5ad: expected raw counts or normalised expression .*negative values/,
  ],
  [
    "pretrain on a dataset whose every value is 0",
    (w) => ["scpalm", "pretrain", at(w, "zeros.h5ad"), "--config", at(w, "tiny.json"), "--out", at(w, "trained"), "--epochs", "1"],
    3,
    /zeros\.h5ad: expected expression in some of its cells, but found every value 0/,
  ],
  [
    "pathways with the bundled model on a dataset sharing too few of its genes",
    (w) => PATHWAYS(w),
    3,
    /input\.h5ad: expected at least 498 of the model's 4975 genes/,
  ],
  [
    "pathways on two cells",
    (w) => ["scpalm", "pathways", at(w, "cells2.h5ad"), "--model", at(w, "model"), "--out", at(w, "tokens")],
    3,
    /cells2\.h5ad: expected at least 3 cells .*but found 2/,
  ],
  [
    "embed on two cells",
    (w) => ["scpalm", "embed", at(w, "cells2.h5ad"), "--model", at(w, "model"), "--out", at(w, "embedded.h5ad")],
    3,
    /cells2\.h5ad: expected at least 3 cells .*but found 2/,
  ],
  [
    "embed on one cell",
    (w) => ["scpalm", "embed", at(w, "cells1.h5ad"), "--model", at(w, "model"), "--out", at(w, "embedded.h5ad")],
    3,
    /cells1\.h5ad: expected at least 3 cells .*but found 1/,
  ],
  // Damaged and wrong model folders.
  ...(
    [
      ["cut-short", /a file cut short: \d+ bytes where its parameters need \d+/],
      ["header-only", /a file cut short/],
      ["garbage", /no safetensors header/],
      ["empty", /a file of 0 bytes, too short to be a model/],
      ["drug-model", /a file without scPaLM's description \(another model's file, or a checkpoint\)/],
    ] as const
  ).flatMap(([folder, found]): Case[] => {
    const damaged = new RegExp(
      `scpalm\\.safetensors: expected an scPaLM model file .*but found ${found.source}.*${folder}/scpalm\\.safetensors is damaged`,
    );
    // embed loads the model itself; pathways and pretrain --from read its header in the analysis's check (a sample).
    return [
      [`embed --model <${folder}>`, (w) => EMBED(w, "--model", at(w, folder)), 3, damaged],
      ...(["cut-short", "garbage"].includes(folder)
        ? [[`pathways --model <${folder}>`, (w: Where) => PATHWAYS(w, "--model", at(w, folder)), 3, damaged] as Case]
        : []),
      ...(["cut-short", "drug-model"].includes(folder)
        ? [[`pretrain --from <${folder}>`, (w: Where) => PRETRAIN(w, "--from", at(w, folder), ...ONE_EPOCH), 3, damaged] as Case]
        : []),
      // An integration's scPaLM map: was found damaged only after sciLaMA had trained.
      ...(folder === "cut-short"
        ? [
            [
              `integrate --scpalm-model <${folder}>`,
              (w: Where) => [
                "integrate",
                w.input,
                "--out",
                at(w, "integrated.h5ad"),
                "--baselines",
                "scpalm",
                "--scpalm-model",
                at(w, folder),
                "--preset",
                "quick",
                "--quiet",
              ],
              3,
              damaged,
            ] as Case,
          ]
        : []),
    ];
  }),
  ["embed --model <a folder named scpalm.safetensors inside>", (w) => EMBED(w, "--model", at(w, "folder-as-file")), 3, /a folder/],
  // A file where the model's folder belongs (the command table's input check, before the command runs).
  ["embed --model <a dataset file>", (w) => EMBED(w, "--model", w.input), 3, /input\.h5ad: expected a folder, but found a file/],
  ["pathways --model <a dataset file>", (w) => PATHWAYS(w, "--model", w.input), 3, /input\.h5ad: expected a folder, but found a file/],
  [
    "pretrain --from <a dataset file>",
    (w) => PRETRAIN(w, "--from", w.input, ...ONE_EPOCH),
    3,
    /input\.h5ad: expected a folder, but found a file/,
  ],
];

test("scpalm command lines: refused before any work, nothing changed", async (t) => {
  const w = await setup(t);
  const fifo = join(tempDir(t), "settings.json");
  await makeFiles(w, fifo);
  // No stage was announced: the job never started.
  await refuse(tally, w, CASES(fifo), ([name], stderr) => assert.doesNotMatch(stderr, /^· /m, `${name}: refused before any work`));
});

test("the scpalm API: refused with the HTTP status and words, before any run is recorded", async () => {
  // 0 epochs never means "the configuration's" anywhere (the CLI's flag and the API's schema refuse it first).
  assert.throws(() => trainingHyper(SCPALM_DESKTOP, { epochs: 0 }), /epochs needs a whole number from 1 to 1000, got '0'/);

  const studio = new Studio("test");
  const events: StudioEvent[] = [];
  studio.on((e) => events.push(e));
  try {
    const dir = ((await callMethod(studio, "project.create", { name: "scPaLM refusals" })) as ProjectView).dir;
    const call = <T>(method: string, payload: object) => callMethod(studio, method, { project: dir, ...payload }) as Promise<T>;
    const { ticket } = await call<{ ticket: string }>("dataset.import", { path: PBMC_SMALL, name: "pbmc_small" });
    const imported = await waitFor(() => events.find((e) => e.type === "import-done" && e.ticket === ticket));
    assert.ok(imported.type === "import-done" && imported.datasetId !== null);
    const dataset = imported.datasetId;
    const { tokens, hidden, ffn, layers, heads, codes, batch } = TINY_SCPALM;
    const training = {
      mode: "pretrain",
      config: "desktop",
      epochs: 1,
      seed: 0,
      datasets: [dataset],
      architecture: { tokens, hidden, ffn, layers, heads, codes, batch },
    };
    const { architecture: _, ...rest } = training;
    const finetune = { ...rest, mode: "finetune" };
    // A trained model, then its file cut short (as a full disk or a bad copy leaves it).
    const { runId: trained } = await call<{ runId: number }>("scpalm.train", training);
    const done = await waitFor(() => events.find((e) => e.type === "run-done" && e.runId === trained));
    assert.ok(done.type === "run-done" && done.status === "succeeded", JSON.stringify(done));
    const modelFile = join(dir, "runs", String(trained), MODEL_FILE);
    truncateSync(modelFile, readFileSync(modelFile).length - 100);

    const state = () => {
      const p = Project.open(dir);
      try {
        return { runs: listRuns(p), datasets: p.datasets() };
      } finally {
        p.close();
      }
    };
    const cases: [name: string, method: string, payload: object, status: number, message: RegExp][] = [
      [
        "scpalm.train with more pathway tokens (512) than the dataset's genes",
        "scpalm.train",
        { ...training, architecture: { ...training.architecture, tokens: 512 } },
        400,
        /vocabulary of 230 genes .*fewer than the 512 pathway tokens/,
      ],
      [
        "scpalm.train fine-tuning the bundled model on a dataset sharing too few of its genes",
        "scpalm.train",
        { ...finetune },
        422,
        /^dataset 'pbmc_small': expected at least 498 of the model's 4975 genes, but found \d+ matched by symbol/,
      ],
      [
        "scpalm.pathways with the bundled model on a dataset sharing too few of its genes",
        "scpalm.pathways",
        { dataset, top: 10 },
        422,
        /^dataset 'pbmc_small': expected at least 498 of the model's 4975 genes/,
      ],
      [
        "scpalm.train fine-tuning a run's model whose file was cut short",
        "scpalm.train",
        { ...finetune, from: trained },
        422,
        /scpalm\.safetensors: expected an scPaLM model file .*but found a file cut short/,
      ],
      [
        "scpalm.pathways through a run's model whose file was cut short",
        "scpalm.pathways",
        { dataset, model: trained, top: 10 },
        422,
        /scpalm\.safetensors: expected an scPaLM model file .*but found a file cut short/,
      ],
    ];
    for (const [name, method, payload, status, message] of cases) {
      const before = state();
      const seen = events.length;
      const started = performance.now();
      const outcome = await call(method, payload).then(
        (r) => ({ ok: true as const, r }),
        (e: unknown) => ({ ok: false as const, body: errorBody(e) }),
      );
      const changed = !isDeepStrictEqual(state(), before) || events.slice(seen).some((e) => e.type === "run" || e.type === "run-done");
      const got = outcome.ok ? 200 : HTTP_STATUS[outcome.body.kind];
      const words = outcome.ok ? JSON.stringify(outcome.r) : outcome.body.message;
      tally.count({
        hung: false,
        internal: got >= 500,
        silent: outcome.ok,
        changed,
        clean: got === status && message.test(words),
      });
      console.log(`# ${name}: HTTP ${got} in ${((performance.now() - started) / 1000).toFixed(1)} s — ${words}`);
      assert.equal(got, status, `${name}: ${words}`);
      assert.match(words, message, name);
      assert.equal(changed, false, `${name}: no run recorded, nothing changed`);
    }
  } finally {
    studio.close();
  }
});
