/**
 * sciLaMA's three-step training (paper §3.3, appendix B): (1) the cell β-VAE alone; (2) the gene VAE with the cell
 * nets frozen and γ = 0; (3) everything jointly with γ. Each step uses AdamW, lr decay per epoch, β warm-up, a
 * validation split and early stopping with the best epoch restored — the reference code's defaults, all overridable.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { adamw, Rng, type SciLaMAConfig, type TypedArray } from "../../native-models/index.js";
import { readCheckpoint, writeCheckpoint } from "../train/checkpoint.js";
import { denseSource } from "../train/data.js";
import { type EpochRecord, fit, type Progress } from "../train/fit.js";
import type { Provider, ProviderChoice } from "../train/providers.js";
import { scheduleFrom } from "../train/schedule.js";
import {
  embedSciLaMA,
  exportSciLaMA,
  type SciLaMAEmbeddings,
  type Step,
  StepEvaluator,
  sciLaMAInitialParams,
  sciLaMATrainProgram,
} from "./scilama.js";
import type { SciLaMAHyper } from "./scilama-hyper.js";

export interface SciLaMAInput {
  /** Preprocessed expression, cells × genes row-major. */
  x: Float32Array;
  cells: number;
  genes: number;
  /** Covariate one-hot columns, cells × covariates (null: none). */
  covariates: Float32Array | null;
  nCovariates: number;
  /** Gene encoder inputs, each genes × dim in the genes' order (a prior, or the transposed expression). */
  geneInputs: { name: string; dim: number; values: Float32Array }[];
  /** The cell encoder reads only the first this many genes (a panel placed first); default all. */
  encoderGenes?: number;
}

export interface SciLaMATrainOptions {
  hyper: SciLaMAHyper;
  seed: number;
  provider?: ProviderChoice;
  threads?: number;
  /** Checkpoints of each step go here; a second call with the same folder resumes where the first stopped. */
  workDir?: string;
  shouldStop?: () => boolean;
  /** Progress of the fit of `step`. */
  onProgress?: (p: Progress, step: Step) => void;
  /** Which steps to run (default all three; [1] is a plain β-VAE). */
  steps?: readonly Step[];
}

export interface StepReport {
  step: Step;
  status: "completed" | "early" | "stopped";
  epochs: number;
  bestEpoch: number;
  seconds: number;
  history: EpochRecord[];
}

export interface SciLaMAResult extends SciLaMAEmbeddings {
  status: "completed" | "stopped";
  config: SciLaMAConfig;
  params: Map<string, TypedArray>;
  models: { cells: Uint8Array; genes: Uint8Array };
  steps: StepReport[];
  provider: Provider;
  fallbackReason: string | null;
  seconds: number;
  trainCells: number;
  valCells: number;
}

/** Rows = expression followed by covariates, for the cells in `idx`. */
function rowsOf(input: SciLaMAInput, idx: Int32Array): Float32Array {
  const w = input.genes + input.nCovariates;
  const out = new Float32Array(idx.length * w);
  idx.forEach((c, r) => {
    out.set(input.x.subarray(c * input.genes, (c + 1) * input.genes), r * w);
    if (input.covariates) out.set(input.covariates.subarray(c * input.nCovariates, (c + 1) * input.nCovariates), r * w + input.genes);
  });
  return out;
}

/** A seeded split: the first `nVal` cells of a permutation validate, the rest train (sorted, for locality). */
function split(cells: number, valFraction: number, seed: number): { train: Int32Array; val: Int32Array } {
  const nVal = valFraction > 0 && cells >= 10 ? Math.max(1, Math.round(cells * valFraction)) : 0;
  const perm = new Rng(seed, 0x56414c).permutation(cells);
  return { val: perm.slice(0, nVal).sort(), train: perm.slice(nVal).sort() };
}

export function validateInput(input: SciLaMAInput, hyper: SciLaMAHyper): void {
  const problems: string[] = [];
  if (input.cells < 2) problems.push(`sciLaMA needs at least 2 cells (got ${input.cells})`);
  if (input.genes < 2) problems.push(`sciLaMA needs at least 2 genes (got ${input.genes})`);
  if (input.x.length !== input.cells * input.genes) problems.push("the expression matrix does not match cells × genes");
  if (
    input.encoderGenes !== undefined &&
    !(input.encoderGenes >= 1 && input.encoderGenes <= input.genes && Number.isInteger(input.encoderGenes))
  )
    problems.push(`the cell encoder must read between 1 and ${input.genes} genes (got ${input.encoderGenes})`);
  if (!input.geneInputs.length) problems.push("the gene encoder needs an input (a prior or the self-informed expression)");
  for (const p of input.geneInputs)
    if (p.values.length !== input.genes * p.dim)
      problems.push(`gene input ${p.name} has ${p.values.length} values, expected ${input.genes} × ${p.dim}`);
  for (const a of [input.x, ...input.geneInputs.map((p) => p.values)])
    if (a.some((v) => !Number.isFinite(v)))
      problems.push("the inputs contain NaN or infinite values; check the preprocessing and the prior file");
  if (!(hyper.batch >= 1) || !(hyper.maxEpochs >= 1) || !(hyper.lr > 0) || !(hyper.latent >= 1))
    problems.push("batch, epochs, learning rate and latent size must be positive");
  if (problems.length) throw new Error(`cannot train sciLaMA: ${[...new Set(problems)].join("; ")}`);
}

/** Trains all steps, then exports the inference models and embeds every cell and gene with them. */
export async function trainSciLaMA(input: SciLaMAInput, o: SciLaMATrainOptions): Promise<SciLaMAResult> {
  const started = performance.now();
  const h = o.hyper;
  validateInput(input, h);
  const config: SciLaMAConfig = {
    genes: input.genes,
    ...(input.encoderGenes !== undefined && input.encoderGenes < input.genes ? { encoderGenes: input.encoderGenes } : {}),
    covariates: input.nCovariates,
    geneInputs: input.geneInputs.map((p) => p.dim),
    hidden: h.hidden,
    latent: h.latent,
    dropout: h.dropout,
  };
  const { train, val } = split(input.cells, h.valFraction, o.seed);
  const width = input.genes + input.nCovariates;
  const trainRows = rowsOf(input, train);
  const valRows = rowsOf(input, val);
  const priors = input.geneInputs.map((p) => p.values);
  const constants = Object.fromEntries(priors.map((v, i) => [`prior${i}`, v]));
  if (o.workDir) mkdirSync(o.workDir, { recursive: true });
  const path = (name: string) => (o.workDir ? join(o.workDir, name) : undefined);

  let params: Map<string, TypedArray> = sciLaMAInitialParams(config, o.seed);
  const reports: StepReport[] = [];
  let provider: Provider = "cpu";
  let fallbackReason: string | null = null;
  let status: SciLaMAResult["status"] = "completed";
  for (const step of o.steps ?? ([1, 2, 3] as const)) {
    const done = path(`step${step}.done.safetensors`);
    if (done && existsSync(done)) {
      const ck = readCheckpoint(done);
      for (const [k, t] of ck.tensors) params.set(k, t.data);
      reports.push(ck.meta as StepReport);
      continue;
    }
    const gamma = step === 3 ? h.gamma : 0;
    const evaluator = val.length ? await StepEvaluator.open(config, step, gamma, Math.min(val.length, 512), o.threads) : null;
    const ckpt = path(`step${step}.ckpt.safetensors`);
    try {
      const r = await fit({
        phase: `step ${step} of 3: ${["", "cell VAE", "gene VAE (cell nets frozen)", "joint"][step]}`,
        program: sciLaMATrainProgram(config, step, adamw({ weightDecay: h.weightDecay }), h.batch),
        params,
        data: denseSource(trainRows, train.length, width),
        constants: step === 1 ? {} : constants,
        batch: h.batch,
        epochs: h.maxEpochs,
        schedule: scheduleFrom({ lr: h.lr, lrDecay: h.lrDecay, beta: h.beta, fixed: { gamma } }),
        seed: o.seed * 3 + step,
        ...(o.provider ? { provider: o.provider } : {}),
        ...(o.threads ? { threads: o.threads } : {}),
        ...(ckpt ? { checkpointPath: ckpt } : {}),
        ...(ckpt && existsSync(ckpt) ? { resumeFrom: ckpt } : {}),
        ...(o.shouldStop ? { shouldStop: o.shouldStop } : {}),
        ...(o.onProgress ? { onProgress: (p: Progress) => o.onProgress!(p, step) } : {}),
        ...(evaluator
          ? {
              validate: (p: ReadonlyMap<string, TypedArray>) => evaluator.loss(valRows, val.length, priors, p),
              earlyStopping: { patience: h.patience, startEpoch: h.earlyStopStart },
            }
          : {}),
      });
      provider = r.provider;
      fallbackReason = r.fallbackReason;
      const report: StepReport = {
        step,
        status: r.status,
        epochs: r.history.length,
        bestEpoch: r.bestEpoch,
        seconds: r.seconds,
        history: r.history,
      };
      reports.push(report);
      if (r.status === "stopped") {
        status = "stopped";
        break;
      }
      // Only this step's groups changed; the frozen ones keep their values from before.
      const trained = new Map(params);
      for (const [k, v] of r.params) trained.set(k, v);
      params = trained;
      if (done) writeCheckpoint(done, tensorsOf(params), report);
    } finally {
      await evaluator?.close();
    }
  }
  const models = exportSciLaMA(config, params, { seed: String(o.seed), hyper: JSON.stringify(h) });
  const emb =
    status === "completed"
      ? await embedSciLaMA(config, models, input.x, input.covariates, input.cells, priors, o.provider ?? "cpu")
      : { cellMu: new Float32Array(), cellHidden: new Float32Array(), geneMu: new Float32Array(), geneHidden: new Float32Array() };
  return {
    ...emb,
    status,
    config,
    params,
    models,
    steps: reports,
    provider,
    fallbackReason,
    seconds: (performance.now() - started) / 1000,
    trainCells: train.length,
    valCells: val.length,
  };
}

function tensorsOf(params: ReadonlyMap<string, TypedArray>) {
  return new Map([...params].map(([k, v]) => [k, { dtype: "float32" as const, shape: [v.length], data: v }]));
}
