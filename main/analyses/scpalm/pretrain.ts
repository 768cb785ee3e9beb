/**
 * Pre-training (or fine-tuning) scPaLM on datasets from files: read them, choose the vocabulary (a fine-tuned model
 * keeps its own), build the corpus, train both stages, save the model with its training log. The CLI's
 * `scpalm pretrain` and the bundled model's derivation script both run this.
 */
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { atomicWrite, toCsv } from "../../io/csv.js";
import { readDataset } from "../../io/read.js";
import { scPaLMArchitecture, scPaLMInitialParams } from "../../models/scpalm.js";
import { buildCorpus, type CorpusPart, corpusPart, vocabularyOf } from "../../models/scpalm-corpus.js";
import { loadScPaLMModel, type ScPaLMModel, saveScPaLMModel } from "../../models/scpalm-files.js";
import { architectureOf, type ScPaLMHyper } from "../../models/scpalm-hyper.js";
import { type ScPaLMResult, type ScPaLMTrainOptions, trainScPaLM } from "../../models/scpalm-train.js";
import { resourcePath } from "../../resources.js";

/** Genes each dataset contributes to a new vocabulary (its most variable ones). */
export const VOCABULARY_PER_DATASET = 2000;

/** The model file inside a model folder, and its human-readable training log beside it. */
export const MODEL_FILE = "scpalm.safetensors";
export const LOG_FILE = "training-log.csv";

/** Why a folder cannot serve as a model (it is no folder, or holds no model file), or null; whether the file in it is
 *  a sound model is `readScPaLMMeta`'s to say. */
export function noModelIn(folder: string): string | null {
  if (existsSync(folder) && !statSync(folder).isDirectory())
    return `${folder} is a file, not a model folder (a folder holding ${MODEL_FILE}); name the folder the model was trained into`;
  return existsSync(join(folder, MODEL_FILE))
    ? null
    : `there is no scPaLM model in ${folder} (expected ${MODEL_FILE}); pre-train one first, or use the bundled model`;
}

/** The folder of the bundled pre-trained desktop model (`npm run derive:scpalm-model`). */
export const bundledScPaLMFolder = () => resourcePath("scpalm-model");

export interface PretrainOptions extends Omit<ScPaLMTrainOptions, "hyper" | "initial"> {
  files: readonly string[];
  /** What the corpus and its messages call each file (default: its name). */
  names?: readonly string[];
  /** The model folder to write. */
  out: string;
  hyper: ScPaLMHyper;
  /** Fine-tune this model folder (its vocabulary and architecture; `hyper` gives the schedule and training settings). */
  from?: string;
  /**
   * Keep this model folder's stage 1 (vocabulary, embedding, codebook, decoder) and train stage 2 afresh from the
   * initialisation a full run with the same seed would have used — an ablation that changes only stage 2's settings.
   */
  stage1From?: string;
  say?: (line: string) => void;
}

export async function pretrainFromFiles(o: PretrainOptions): Promise<{ result: ScPaLMResult; model: ScPaLMModel | null }> {
  const parts: CorpusPart[] = [];
  for (const [i, file] of o.files.entries()) {
    const { dataset } = await readDataset(file);
    parts.push(corpusPart(o.names?.[i] ?? basename(file), dataset, file));
  }
  return pretrainOnParts(parts, o);
}

export interface PartsPretrainOptions extends Omit<PretrainOptions, "files" | "names"> {
  /** A new model's vocabulary (default: each part's most variable genes, united). */
  vocabulary?: readonly string[];
}

/** The same on datasets already in memory (e.g. the CCLE lines' expression for the drug model). */
export async function pretrainOnParts(
  parts: readonly CorpusPart[],
  o: PartsPretrainOptions,
): Promise<{ result: ScPaLMResult; model: ScPaLMModel | null }> {
  const say = o.say ?? (() => {});
  if (o.from && o.stage1From) throw new Error("fine-tune a model or reuse its stage 1, not both");
  const base = (o.from ?? o.stage1From) ? loadScPaLMModel(join((o.from ?? o.stage1From)!, MODEL_FILE)) : null;
  const hyper = base ? { ...o.hyper, ...architectureOf(base.meta.hyper) } : o.hyper;
  const genes = base ? base.meta.genes : (o.vocabulary ?? vocabularyOf(parts, VOCABULARY_PER_DATASET));
  const { corpus, coverage } = buildCorpus(parts, genes);
  say(
    `corpus: ${corpus.cells} cells over ${genes.length} genes (${coverage.map((c) => `${c.name}: ${c.cells} cells, ${c.measured} genes`).join("; ")})`,
  );
  let initial = base?.params;
  if (base && o.stage1From) {
    const fresh = scPaLMInitialParams(scPaLMArchitecture(hyper, genes.length), hyper, o.seed);
    initial = new Map([...fresh].map(([k, v]) => [k, k.startsWith("cell.") ? v : base.params.get(k)!]));
  }
  const result = await trainScPaLM(corpus, {
    ...o,
    hyper,
    ...(initial ? { initial } : {}),
    ...(o.stage1From ? { stages: [2] as const } : {}),
  });
  if (result.status !== "completed") return { result, model: null };
  const model: ScPaLMModel = {
    params: result.params,
    meta: {
      format: "scpalm/1",
      hyper,
      genes: [...genes],
      corpus: coverage,
      trained: {
        seed: o.seed,
        seconds: result.seconds,
        codesUsed: result.codesUsed,
        stages: result.stages,
        provider: result.provider,
        date: new Date().toISOString(),
      },
    },
  };
  mkdirSync(o.out, { recursive: true });
  saveScPaLMModel(join(o.out, MODEL_FILE), model);
  atomicWrite(join(o.out, LOG_FILE), trainingLog(result));
  // The checkpoints served a resume; the model file now holds everything.
  if (o.workDir) rmSync(o.workDir, { recursive: true, force: true });
  say(`wrote ${join(o.out, MODEL_FILE)} (${result.codesUsed} of ${hyper.codes} codes used; ${result.seconds.toFixed(0)} s)`);
  return { result, model };
}

/** One row per stage and epoch: the mean losses, and for stage 1 the codes in use and those replaced. */
export function trainingLog(r: ScPaLMResult): string {
  const keys = [...new Set(r.stages.flatMap((s) => s.history.flatMap((h) => Object.keys(h.losses))))];
  return toCsv(
    ["stage", "epoch", ...keys, "codes_used", "dead_replaced"],
    r.stages.flatMap((s) =>
      s.history.map((h) => [s.stage, h.epoch + 1, ...keys.map((k) => h.losses[k] ?? null), h.codesUsed ?? null, h.deadReplaced ?? null]),
    ),
  );
}
