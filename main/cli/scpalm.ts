/**
 * `scilama scpalm …`: the second method. `pretrain` trains (or with --from fine-tunes) a model on datasets; `embed`
 * applies one (the bundled desktop model by default) to a dataset and writes h_C, clusters and a UMAP, with the scib
 * metrics beside the token-mean and PCA baselines when labels or batches are named; `pathways` reads a dataset's pathway
 * tokens. `pretrain` and `pathways` run the same analysis as the app (`analyses/scpalm/`). Progress on stderr; Ctrl-C
 * stops (a training keeps its checkpoints, which the same command resumes from).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { columnCodes } from "../analyses/columns.js";
import { describeClusters } from "../analyses/integrate/evaluate.js";
import { metricsCsv } from "../analyses/integrate/export.js";
import { runAnalysis } from "../analyses/lifecycle.js";
import { SCPALM } from "../analyses/scpalm/analysis.js";
import { encodeCells, scoreEmbeddings } from "../analyses/scpalm/evaluate.js";
import { bundledScPaLMFolder, MODEL_FILE } from "../analyses/scpalm/pretrain.js";
import { SCPALM_MIN_CELLS, trainingHyper } from "../analyses/scpalm/settings.js";
import { CHECKPOINTS } from "../analyses/scpalm/workflow.js";
import { clusterColumn } from "../data/frame.js";
import { atomicWrite } from "../io/csv.js";
import { DataError } from "../io/errors.js";
import { writeH5ad } from "../io/h5ad/write.js";
import { checkInputs, TEXT_LIMITS } from "../io/inputs.js";
import { readDataset } from "../io/read.js";
import { corpusPart } from "../models/scpalm-corpus.js";
import { loadScPaLMModel } from "../models/scpalm-files.js";
import { SCPALM_CONFIGS, type ScPaLMConfigName, type ScPaLMHyper, scpalmHyperWith } from "../models/scpalm-hyper.js";
import { appVersion } from "../version.js";
import { metricTable } from "./integrate.js";
import { stopped, untilDone } from "./interrupt.js";
import { print, progressPrinter, sayer, UsageError } from "./output.js";

/** A named configuration, or a JSON file of settings laid over the desktop one: a regular file of at most 1 MB (never
 *  a pipe or a device, which would block or never end), a JSON object of known settings of the right types and
 *  ranges (`scpalmHyperWith`, the validator the API's settings and model files go through too). */
export function configOf(config: string): ScPaLMHyper {
  if (Object.hasOwn(SCPALM_CONFIGS, config)) return SCPALM_CONFIGS[config as ScPaLMConfigName];
  if (!existsSync(config))
    throw new UsageError(`--config must be ${Object.keys(SCPALM_CONFIGS).join(", ")} or a .json file of settings; got '${config}'`);
  checkInputs([{ path: config, what: "--config", kind: "file", maxBytes: TEXT_LIMITS.settings }]);
  let over: unknown;
  try {
    over = JSON.parse(readFileSync(config, "utf8"));
  } catch (e) {
    throw new UsageError(
      `--config ${config} is not valid JSON (${(e as Error).message}); write the settings as a JSON object such as {"tokens": 32}`,
    );
  }
  try {
    return scpalmHyperWith(SCPALM_CONFIGS.desktop, over);
  } catch (e) {
    throw new UsageError(`--config ${config}: ${(e as Error).message}`);
  }
}

export interface PretrainCommandOptions {
  files: string[];
  out: string;
  config: string;
  from?: string;
  seed: number;
  epochs?: number;
  json: boolean;
  quiet: boolean;
}

/** Pre-trains (or fine-tunes) into the model folder `--out` through the same analysis the app runs; a stopped run
 *  keeps its checkpoints there and the same command resumes from them. */
export async function scpalmPretrainCommand(o: PretrainCommandOptions): Promise<void> {
  if (!o.files.length) throw new UsageError("'scpalm pretrain' needs at least one dataset file");
  const say = sayer(o.quiet);
  const hyper = trainingHyper(configOf(o.config), { epochs: o.epochs });
  const from = o.from ? modelFolder(o.from, "--from") : null;
  const run = await runAnalysis(SCPALM, {
    options: { mode: "train", files: o.files, names: o.files.map((f) => basename(f)), hyper, seed: o.seed, from, resume: null },
    input: () => ({ out: o.out, context: { appVersion: appVersion(), model: from } }),
    onEvent: progressPrinter(o.quiet),
  });
  const outcome = await untilDone(run, "stopping after the current block; run the same command again to resume");
  if (outcome.status === "cancelled") {
    say(`stopped; checkpoints are in ${join(o.out, CHECKPOINTS)} — the same command resumes`);
    return;
  }
  const r = outcome.summary;
  if (r.mode !== "train") throw new Error("a training returned another analysis's summary");
  const summary = {
    model: r.written.model,
    cells: r.cells,
    codesUsed: r.codesUsed,
    codes: r.codes,
    device: r.provider,
    seconds: Math.round(Object.values(r.seconds).reduce((a, b) => a + b, 0)),
    stages: r.stages.map((s) => ({ stage: s.stage, epochs: s.epochs, seconds: Math.round(s.seconds), last: s.last })),
  };
  print(o.json, summary, () =>
    [
      `model: ${summary.model}`,
      `codes used: ${summary.codesUsed} of ${summary.codes}`,
      ...summary.stages.map((s) => `stage ${s.stage}: ${s.epochs} epochs, ${s.seconds} s, last losses ${JSON.stringify(s.last)}`),
      `trained on ${summary.device} in ${summary.seconds} s`,
    ].join("\n"),
  );
}

export interface EmbedCommandOptions {
  file: string;
  out: string;
  model?: string;
  label?: string;
  batch?: string;
  json: boolean;
  quiet: boolean;
}

/** The model folder of --model (or --from), else the bundled one; a clear refusal where there is no model (whether the
 *  model file in it is sound, `readScPaLMMeta` says before any work). */
function modelFolder(flag: string | undefined, what = "--model"): string {
  const folder = flag ?? bundledScPaLMFolder();
  if (existsSync(folder) && !statSync(folder).isDirectory())
    throw new UsageError(
      `${what} ${folder} is a file; name the model folder (the --out of 'scilama scpalm pretrain', holding ${MODEL_FILE})`,
    );
  if (!existsSync(join(folder, MODEL_FILE)))
    throw new UsageError(`no scPaLM model in ${folder} (expected ${MODEL_FILE}); pre-train one with 'scilama scpalm pretrain'`);
  return folder;
}

/** What `embed` writes: the result and, with labels or batches, its metrics beside it. */
export function embedFiles(out: string): [h5ad: string, metrics: string] {
  return [out, join(dirname(out), `${basename(out, extname(out))}.metrics.csv`)];
}

export async function scpalmEmbedCommand(o: EmbedCommandOptions): Promise<void> {
  if (!o.out.endsWith(".h5ad")) throw new UsageError("--out must name a .h5ad file");
  const say = sayer(o.quiet);
  const folder = modelFolder(o.model);
  const model = loadScPaLMModel(join(folder, MODEL_FILE));
  const { dataset } = await readDataset(o.file);
  const labels = o.label ? columnCodes(dataset, o.label, o.file).codes : null;
  const batches = o.batch ? columnCodes(dataset, o.batch, o.file).codes : null;
  if (dataset.X.nRows < SCPALM_MIN_CELLS.embed)
    throw new DataError(
      o.file,
      `at least ${SCPALM_MIN_CELLS.embed} cells (scPaLM's embedding is clustered and drawn as a UMAP of its cells)`,
      `${dataset.X.nRows}`,
      "Embed a dataset with more cells (several samples can be concatenated first).",
    );
  say(`· encoding ${dataset.X.nRows} cells with ${basename(folder)}`);
  const part = corpusPart(basename(o.file), dataset, o.file);
  const { encoded, coverage, provider } = await encodeCells(model, part);
  say(`  ${coverage.measured} of the model's ${model.meta.genes.length} genes measured; ran on ${provider}`);
  const hidden = model.meta.hyper.hidden;
  const cells = dataset.X.nRows;
  say("· clusters and UMAP of h_C");
  const { leiden, umap } = await describeClusters(encoded.cell, cells, hidden);
  const obs = new Map(dataset.obs.columns);
  obs.set("scPaLM_leiden", clusterColumn(leiden));
  writeH5ad(o.out, {
    ...dataset,
    obs: { ...dataset.obs, columns: obs },
    obsm: new Map([
      ...dataset.obsm,
      ["X_scPaLM", { nRows: cells, nCols: hidden, values: encoded.cell }],
      ["X_umap", { nRows: cells, nCols: 2, values: umap }],
    ]),
  });
  const rows = labels || batches ? await scoreEmbeddings(part, encoded, hidden, labels, batches) : [];
  const [, metricsFile] = embedFiles(o.out);
  if (rows.length) atomicWrite(metricsFile, metricsCsv(rows));
  print(o.json, { out: o.out, metrics: rows.length ? metricsFile : null, rows, genesMeasured: coverage.measured }, () =>
    [`wrote ${o.out}${rows.length ? ` and ${metricsFile}` : ""}`, ...(rows.length ? [metricTable(rows)] : [])].join("\n"),
  );
}

export interface PathwaysCommandOptions {
  file: string;
  out: string;
  model?: string;
  top: number;
  json: boolean;
  quiet: boolean;
}

/** `<out>/tokens.csv` (each used code: cells, top genes) and `<out>/enrichment.csv` (its enriched terms), with the
 *  view, the cells' codes and the report's HTML the app shows, through the same analysis the app runs. */
export async function scpalmPathwaysCommand(o: PathwaysCommandOptions): Promise<void> {
  const model = modelFolder(o.model);
  const run = await runAnalysis(SCPALM, {
    options: { mode: "pathways", file: o.file, name: basename(o.file), model, top: o.top },
    input: () => ({ out: o.out, context: { appVersion: appVersion(), model: o.model ?? "the bundled model" } }),
    onEvent: progressPrinter(o.quiet),
  });
  const outcome = await untilDone(run, "stopping after the current stage…");
  if (outcome.status === "cancelled") throw stopped("pathway tokens run", null);
  const r = outcome.summary;
  if (r.mode !== "pathways") throw new Error("a pathway-token run returned another analysis's summary");
  const { tokens, enrichment } = r.written;
  print(o.json, { tokens, enrichment, codes: r.used }, () =>
    [
      `wrote ${tokens} and ${enrichment}`,
      ...r.used.map(
        (t) =>
          `code ${String(t.code).padStart(3)} · ${(100 * t.fraction).toFixed(0).padStart(3)}% of cells · ${t.genes.join(", ")}${t.terms[0] ? ` · ${t.terms[0].term} (q ${t.terms[0].q.toExponential(1)})` : ""}`,
      ),
    ].join("\n"),
  );
}
