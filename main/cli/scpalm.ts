/**
 * `scilama scpalm …`: the second method. `pretrain` trains (or with --from fine-tunes) a model on datasets; `embed`
 * applies one (the bundled desktop model by default) to a dataset and writes h_C, clusters and a UMAP, with the scib
 * metrics beside the token-mean and PCA baselines when labels or batches are named; `pathways` reads a dataset's pathway
 * tokens. `pretrain` and `pathways` run the same analysis as the app (`analyses/scpalm/`). Progress on stderr; Ctrl-C
 * stops (a training keeps its checkpoints, which the same command resumes from).
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { columnCodes } from "../analyses/columns.js";
import { describeClusters } from "../analyses/integrate/evaluate.js";
import { metricsCsv } from "../analyses/integrate/export.js";
import { runAnalysis } from "../analyses/lifecycle.js";
import { SCPALM } from "../analyses/scpalm/analysis.js";
import { encodeCells, scoreEmbeddings } from "../analyses/scpalm/evaluate.js";
import { bundledScPaLMFolder, MODEL_FILE } from "../analyses/scpalm/pretrain.js";
import { trainingHyper } from "../analyses/scpalm/settings.js";
import { CHECKPOINTS } from "../analyses/scpalm/workflow.js";
import { clusterColumn } from "../data/frame.js";
import { atomicWrite } from "../io/csv.js";
import { writeH5ad } from "../io/h5ad/write.js";
import { readDataset } from "../io/read.js";
import { corpusPart } from "../models/scpalm-corpus.js";
import { loadScPaLMModel } from "../models/scpalm-files.js";
import { SCPALM_CONFIGS, type ScPaLMConfigName, type ScPaLMHyper, validateScPaLMHyper } from "../models/scpalm-hyper.js";
import { appVersion } from "../version.js";
import { metricTable } from "./integrate.js";
import { untilDone } from "./interrupt.js";
import { print, progressPrinter, sayer, UsageError } from "./output.js";

/** A named configuration, or a JSON file of settings laid over the desktop one. */
export function configOf(config: string): ScPaLMHyper {
  if (config in SCPALM_CONFIGS) return SCPALM_CONFIGS[config as ScPaLMConfigName];
  if (!existsSync(config))
    throw new UsageError(`--config must be ${Object.keys(SCPALM_CONFIGS).join(", ")} or a .json file of settings; got '${config}'`);
  let over: Partial<ScPaLMHyper>;
  try {
    over = JSON.parse(readFileSync(config, "utf8")) as Partial<ScPaLMHyper>;
  } catch (e) {
    throw new UsageError(`${config} is not valid JSON: ${(e as Error).message}`);
  }
  const h = { ...SCPALM_CONFIGS.desktop, ...over } as ScPaLMHyper;
  try {
    validateScPaLMHyper(h);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return h;
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
  const from = o.from ? modelFolder(o.from) : null;
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

/** The model folder of --model (or --from), else the bundled one; a clear refusal where there is no model. */
function modelFolder(flag: string | undefined): string {
  const folder = flag ?? bundledScPaLMFolder();
  if (!existsSync(join(folder, MODEL_FILE)))
    throw new UsageError(`no scPaLM model in ${folder} (expected ${MODEL_FILE}); pre-train one with 'scilama scpalm pretrain'`);
  return folder;
}

export async function scpalmEmbedCommand(o: EmbedCommandOptions): Promise<void> {
  if (!o.out.endsWith(".h5ad")) throw new UsageError("--out must name a .h5ad file");
  const say = sayer(o.quiet);
  const folder = modelFolder(o.model);
  const model = loadScPaLMModel(join(folder, MODEL_FILE));
  const { dataset } = await readDataset(o.file);
  const labels = o.label ? columnCodes(dataset, o.label, o.file).codes : null;
  const batches = o.batch ? columnCodes(dataset, o.batch, o.file).codes : null;
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
  const metricsFile = join(dirname(o.out), `${basename(o.out, extname(o.out))}.metrics.csv`);
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
  if (outcome.status === "cancelled") throw new Error("pathway tokens stopped before the end; nothing was written");
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
