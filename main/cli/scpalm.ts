/**
 * `scilama scpalm …`: the second method. `pretrain` trains (or with --from fine-tunes) a model on datasets; `embed`
 * applies one (the bundled desktop model by default) to a dataset and writes h_C, clusters and a UMAP, with the scib
 * metrics beside the token-mean and PCA baselines when labels or batches are named. Progress on stderr; Ctrl-C stops
 * and writes nothing.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { columnCodes } from "../analyses/columns.js";
import { describeClusters } from "../analyses/integrate/evaluate.js";
import { metricsCsv } from "../analyses/integrate/export.js";
import { encodeCells, scoreEmbeddings } from "../analyses/scpalm/evaluate.js";
import { pathwayTokens } from "../analyses/scpalm/pathways.js";
import { bundledScPaLMFolder, MODEL_FILE, pretrainFromFiles } from "../analyses/scpalm/pretrain.js";
import { categorical } from "../data/frame.js";
import { atomicWrite, toCsv } from "../io/csv.js";
import { writeH5ad } from "../io/h5ad/write.js";
import { readDataset } from "../io/read.js";
import { corpusPart } from "../models/scpalm-corpus.js";
import { loadScPaLMModel } from "../models/scpalm-files.js";
import { SCPALM_CONFIGS, type ScPaLMConfigName, type ScPaLMHyper, validateScPaLMHyper } from "../models/scpalm-hyper.js";
import type { Progress } from "../train/fit.js";
import { metricTable } from "./integrate.js";
import { untilDone } from "./interrupt.js";
import { print, sayer, UsageError } from "./output.js";

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

export async function scpalmPretrainCommand(o: PretrainCommandOptions): Promise<void> {
  if (!o.files.length) throw new UsageError("'scpalm pretrain' needs at least one dataset file");
  const say = sayer(o.quiet);
  const base = configOf(o.config);
  const hyper = o.epochs ? { ...base, stage1: { ...base.stage1, epochs: o.epochs }, stage2: { ...base.stage2, epochs: o.epochs } } : base;
  let stop = false;
  let last = 0;
  const onProgress = (p: Progress, stage: number) => {
    const now = performance.now();
    if (now - last < 2000) return;
    last = now;
    const losses = Object.entries(p.losses)
      .map(([k, v]) => `${k} ${v.toFixed(3)}`)
      .join(", ");
    say(`  stage ${stage} | epoch ${p.epoch + 1}/${p.epochs} | ${losses} | ${p.cellsPerSec.toFixed(0)} cells/s | ${p.provider}`);
  };
  const done = pretrainFromFiles({
    files: o.files,
    out: o.out,
    hyper,
    seed: o.seed,
    ...(o.from ? { from: o.from } : {}),
    workDir: join(o.out, ".checkpoints"),
    shouldStop: () => stop,
    onProgress,
    say,
  });
  const { result } = await untilDone(
    { cancel: () => (stop = true), done },
    "stopping after the current block; run the same command again to resume",
  );
  if (result.status !== "completed") {
    say(`stopped; checkpoints are in ${join(o.out, ".checkpoints")} — the same command resumes`);
    return;
  }
  const summary = {
    model: join(o.out, MODEL_FILE),
    cells: result.encoded?.cell.length ? result.encoded.cell.length / hyper.hidden : 0,
    codesUsed: result.codesUsed,
    codes: hyper.codes,
    seconds: Math.round(result.seconds),
    stages: result.stages.map((s) => ({
      stage: s.stage,
      epochs: s.epochs,
      seconds: Math.round(s.seconds),
      last: s.history.at(-1)?.losses,
    })),
  };
  print(o.json, summary, () =>
    [
      `model: ${summary.model}`,
      `codes used: ${summary.codesUsed} of ${summary.codes}`,
      ...summary.stages.map((s) => `stage ${s.stage}: ${s.epochs} epochs, ${s.seconds} s, last losses ${JSON.stringify(s.last)}`),
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

/** The model of --model, else the bundled one; a clear refusal where there is none. */
function modelAt(flag: string | undefined) {
  const folder = flag ?? bundledScPaLMFolder();
  if (!existsSync(join(folder, MODEL_FILE)))
    throw new UsageError(`no scPaLM model in ${folder} (expected ${MODEL_FILE}); pre-train one with 'scilama scpalm pretrain'`);
  return { folder, model: loadScPaLMModel(join(folder, MODEL_FILE)) };
}

export async function scpalmEmbedCommand(o: EmbedCommandOptions): Promise<void> {
  if (!o.out.endsWith(".h5ad")) throw new UsageError("--out must name a .h5ad file");
  const say = sayer(o.quiet);
  const { folder, model } = modelAt(o.model);
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
  obs.set("scPaLM_leiden", categorical(Array.from(leiden, String)));
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

/** `<out>/tokens.csv` (each used code: cells, top genes) and `<out>/enrichment.csv` (its enriched terms). */
export async function scpalmPathwaysCommand(o: PathwaysCommandOptions): Promise<void> {
  const say = sayer(o.quiet);
  const { model } = modelAt(o.model);
  const { dataset } = await readDataset(o.file);
  say(`· encoding ${dataset.X.nRows} cells`);
  const { encoded, corpus } = await encodeCells(model, corpusPart(basename(o.file), dataset, o.file));
  const h = model.meta.hyper;
  say("· genes per pathway token and their enrichment");
  const tokens = await pathwayTokens(encoded.codes, corpus.x, corpus.cells, h.tokens, model.meta.genes, corpus.presence, h.codes, {
    top: o.top,
  });
  mkdirSync(o.out, { recursive: true });
  const tokensCsv = join(o.out, "tokens.csv");
  const enrichmentCsv = join(o.out, "enrichment.csv");
  atomicWrite(
    tokensCsv,
    toCsv(
      ["code", "cells", "fraction", "genes", "best_term", "best_q"],
      tokens.map((t) => [t.code, t.cells, t.fraction, t.genes.join(" "), t.terms[0]?.term ?? null, t.terms[0]?.q ?? null]),
    ),
  );
  atomicWrite(
    enrichmentCsv,
    toCsv(
      ["code", "collection", "term", "overlap", "set_size", "p", "q"],
      tokens.flatMap((t) => t.terms.map((r) => [t.code, r.collection, r.term, r.overlap.join(" "), r.setSize, r.p, r.q])),
    ),
  );
  print(o.json, { tokens: tokensCsv, enrichment: enrichmentCsv, codes: tokens }, () =>
    [
      `wrote ${tokensCsv} and ${enrichmentCsv}`,
      ...tokens.map(
        (t) =>
          `code ${String(t.code).padStart(3)} · ${(100 * t.fraction).toFixed(0).padStart(3)}% of cells · ${t.genes.join(", ")}${t.terms[0] ? ` · ${t.terms[0].term} (q ${t.terms[0].q.toExponential(1)})` : ""}`,
      ),
    ].join("\n"),
  );
}
