/**
 * scPaLM's two workflows as the app and the CLI run them. Training: datasets in → (pre-)training of both stages with
 * checkpoints in the model folder's `.checkpoints` (a stopped or killed run resumes from them; a resumed app run first
 * takes over the earlier run's) → the model and its training log. Pathway tokens: a dataset and a model in → each
 * cell's codes, each used code's top genes and their enrichment (Appendix D), and a map of the cells to show which use
 * a code (the dataset's own UMAP, else a UMAP of scPaLM's cell token).
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { umap } from "../../analysis/umap.js";
import { readDataset } from "../../io/read.js";
import { corpusPart } from "../../models/scpalm-corpus.js";
import { loadScPaLMModel, type ScPaLMModel } from "../../models/scpalm-files.js";
import type { ScPaLMHyper } from "../../models/scpalm-hyper.js";
import type { ScPaLMResult, Stage } from "../../models/scpalm-train.js";
import type { Progress } from "../../train/fit.js";
import { type StageHooks, Stages, Stopped } from "../stages.js";
import { encodeCells } from "./evaluate.js";
import { pathwayTokens, type TokenGenes } from "./pathways.js";
import { MODEL_FILE, pretrainFromFiles } from "./pretrain.js";

/** Where a training keeps its checkpoints, inside the model folder. */
export const CHECKPOINTS = ".checkpoints";

export interface ScPaLMTrainOptions {
  mode: "train";
  files: string[];
  /** The datasets' names, in the corpus and its messages. */
  names: string[];
  hyper: ScPaLMHyper;
  seed: number;
  /** Fine-tune the model in this folder (its vocabulary and architecture); null: pre-train from scratch. */
  from: string | null;
  /** Continue from the checkpoints in this folder (an earlier run's), moved into this run's model folder first. */
  resume: string | null;
}

export interface ScPaLMPathwaysOptions {
  mode: "pathways";
  file: string;
  name: string;
  /** The model folder. */
  model: string;
  top: number;
}

export type ScPaLMOptions = ScPaLMTrainOptions | ScPaLMPathwaysOptions;

/** Share of the run's progress before training (reading, the corpus) and after it (writing). */
const BEFORE = 0.03;
const AFTER = 0.03;

/** Checkpoint files in `folder` (none when it is missing). */
export function checkpointFiles(folder: string): string[] {
  return existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith(".safetensors")) : [];
}

/** How far a training's checkpoints go, in words (null: none). The names are `trainScPaLM`'s: a finished stage's
 *  parameters and a stage's last epoch. */
export function checkpointProgress(folder: string): string | null {
  const files = checkpointFiles(folder);
  if (files.includes("stage2.ckpt.safetensors")) return "stage 1 finished, stage 2 under way";
  if (files.includes("stage1.done.safetensors")) return "stage 1 finished";
  if (files.includes("stage1.ckpt.safetensors")) return "stage 1 under way";
  return null;
}

/** Moves an earlier run's checkpoints into `to`: moved, not copied, so one stopped run is continued by one run only. */
function takeCheckpoints(from: string, to: string): void {
  const files = checkpointFiles(from);
  // Starting over silently would not be the resume that was asked for.
  if (!files.length) throw new Error(`the checkpoints in ${from} are gone (another run may have continued from them)`);
  mkdirSync(to, { recursive: true });
  for (const f of files) renameSync(join(from, f), join(to, f));
  rmSync(from, { recursive: true, force: true });
}

export interface TrainedScPaLM {
  result: ScPaLMResult;
  model: ScPaLMModel;
  cells: number;
  seconds: Record<string, number>;
}

/** Trains into `out` (the model file and its log; checkpoints in `out/.checkpoints`); a stop throws `Stopped` with
 *  the checkpoints kept. */
export async function trainWorkflow(o: ScPaLMTrainOptions, out: string, hooks: StageHooks = {}): Promise<TrainedScPaLM> {
  const st = new Stages(hooks);
  const workDir = join(out, CHECKPOINTS);
  if (o.resume) takeCheckpoints(o.resume, workDir);
  const say = (stage: string) => hooks.emit?.({ type: "stage", stage, fraction: null });
  hooks.emit?.({ type: "stage", stage: "reading the datasets and building the corpus", fraction: 0 });
  let training = false;
  const onProgress = (p: Progress, stage: Stage) => {
    if (!training) {
      training = true;
      st.lap("reading and corpus");
      say("training");
    }
    const within = (stage - 1 + p.step / Math.max(1, p.totalSteps)) / 2;
    hooks.emit?.({ type: "training", variant: "scPaLM", progress: p, fraction: BEFORE + (1 - BEFORE - AFTER) * within });
  };
  const { result, model } = await pretrainFromFiles({
    files: o.files,
    names: o.names,
    out,
    hyper: o.hyper,
    seed: o.seed,
    ...(o.from ? { from: o.from } : {}),
    workDir,
    onProgress,
    say,
    ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
  });
  // Training, then encoding the corpus and writing the model (the stages' own seconds are in the training log).
  st.lap(training ? "training" : "reading and corpus");
  if (!model) throw new Stopped(st.seconds);
  return { result, model, cells: result.encoded ? result.encoded.cell.length / model.meta.hyper.hidden : 0, seconds: st.seconds };
}

/** What the pathway-token workflow found. */
export interface PathwayTokensResult {
  cells: number;
  /** Tokens per cell (N) and the codebook's size (K). */
  tokens: number;
  codes: number;
  /** Each cell's code per token, cells × N row-major. */
  cellCodes: Int32Array;
  /** Used codes, most used first. */
  used: TokenGenes[];
  /** x, y per cell, and where it came from. */
  umap: Float32Array;
  umapSource: "dataset" | "scPaLM";
  /** The model's vocabulary and how many of its genes the dataset measured. */
  vocabulary: number;
  measured: number;
  provider: string;
  seconds: Record<string, number>;
}

const PATHWAY_STAGES = ["reading the dataset and the model", "encoding cells", "genes per token and enrichment", "cell map"];

export async function pathwaysWorkflow(o: ScPaLMPathwaysOptions, hooks: StageHooks = {}): Promise<PathwayTokensResult> {
  const st = new Stages(hooks, PATHWAY_STAGES);
  const lap = (k: string) => {
    st.lap(k);
    st.stopPoint();
  };
  st.stage("reading the dataset and the model");
  const { dataset } = await readDataset(o.file);
  const model = loadScPaLMModel(join(o.model, MODEL_FILE));
  lap("reading");
  st.stage("encoding cells");
  const { encoded, corpus, coverage, provider } = await encodeCells(model, corpusPart(o.name, dataset, o.file));
  lap("encoding");
  st.stage("genes per token and enrichment");
  const h = model.meta.hyper;
  const used = await pathwayTokens(encoded.codes, corpus.x, corpus.cells, h.tokens, model.meta.genes, corpus.presence, h.codes, {
    top: o.top,
  });
  lap("genes per token and enrichment");
  st.stage("cell map");
  const own = dataset.obsm.get("X_umap");
  const cells = corpus.cells;
  let map: Float32Array;
  if (own && own.nCols >= 2) {
    map = new Float32Array(2 * cells);
    for (let c = 0; c < cells; c++) {
      map[2 * c] = own.values[c * own.nCols]!;
      map[2 * c + 1] = own.values[c * own.nCols + 1]!;
    }
  } else map = await umap(encoded.cell, cells, h.hidden);
  lap("cell map");
  return {
    cells,
    tokens: h.tokens,
    codes: h.codes,
    cellCodes: encoded.codes,
    used,
    umap: map,
    umapSource: own && own.nCols >= 2 ? "dataset" : "scPaLM",
    vocabulary: model.meta.genes.length,
    measured: coverage.measured,
    provider,
    seconds: st.seconds,
  };
}
