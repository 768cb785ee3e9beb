/**
 * Dropout imputation within one dataset (scPaLM's Table 1 protocol as a benchmark, and a denoised layer for the user):
 * a fraction of each cell's entries is masked (∝ exp(−x) on log-normalised values, or among its non-zero entries
 * only), sciLaMA is trained on the masked data (genes z-scored on it) and every entry reconstructed as
 * x̂ = h_cell · h_gene + b, back in log-normalised units and clipped to the range of its gene in the data the model
 * was trained on (expression is not negative, nor beyond what was measured; how many were clipped is reported); RMSE and MAE on
 * the masked entries, beside zeros, each gene's mean, its non-zero mean and kNN smoothing. scPaLM (the bundled model,
 * zero shot, as the paper's Table 1) predicts only the genes of its vocabulary, so it is scored on their masked entries
 * in a second table where every other method is scored again on the same entries. With no mask, the model is trained
 * on the data as it is and only the layer is produced.
 */
import { basename } from "node:path";
import {
  DROPOUT_BASELINES,
  type DropoutMask,
  dropoutBaselines,
  knnSmoothing,
  MIN_MASKED,
  maskDropouts,
  maskedCount,
  maskedErrors,
  restrictMask,
  smallestMask,
} from "../../analysis/impute/dropouts.js";
import type { Dataset, Json, Matrix } from "../../data/dataset.js";
import { clusterColumn } from "../../data/frame.js";
import { matrixCols, matrixValues } from "../../data/subset.js";
import { DataError } from "../../io/errors.js";
import type { DropoutScope } from "../../isomorphic/dropout-tables.js";
import { reconstruct } from "../../models/scilama.js";
import { PRESETS, type SciLaMAHyper } from "../../models/scilama-hyper.js";
import { trainSciLaMA } from "../../models/scilama-train.js";
import { scale } from "../../pp/scale.js";
import type { ProviderChoice } from "../../train/providers.js";
import { describeClusters } from "../integrate/evaluate.js";
import { GeneInputs, inputsName, type PriorChoice } from "../integrate/gene-inputs.js";
import { bundledScPaLM } from "../scpalm/evaluate.js";
import { reconstructed, reconstructWithScPaLM } from "../scpalm/reconstruct.js";
import { type StageHooks, Stages, Stopped, trainingDone } from "../stages.js";
import { readImputeData } from "./expression.js";
import { type Clipped, clippedNote } from "./scores.js";
import { IMPUTE_LIMITS, type Preset } from "./settings.js";

export interface DropoutOptions {
  file: string;
  /** Fraction of each cell's entries masked (0: no benchmark, the denoised layer only). */
  mask: number;
  /** Draw only among non-zero entries. */
  nonzero: boolean;
  prior: PriorChoice;
  preset: Preset;
  hyper?: Partial<SciLaMAHyper>;
  seed: number;
  provider?: ProviderChoice;
}

export interface DropoutRow {
  method: string;
  scope: DropoutScope;
  /** Masked entries scored. */
  entries: number;
  rmse: number;
  mae: number;
}

/** scPaLM's part of a benchmark: the dataset genes it predicted, or why it could not. */
export type ScPaLMDropouts = { genes: number; entries: number } | { skipped: string };

export interface DropoutResult {
  genes: string[];
  /** Entries masked (0 without a benchmark) and how many of them were zeros. */
  masked: number;
  maskedZeros: number;
  rows: DropoutRow[];
  /** Denoised values outside their gene's range in the data trained on, clipped to it. */
  clipped: Clipped;
  /** Null without a benchmark. */
  scpalm: ScPaLMDropouts | null;
  provider: string;
  fallbackReason: string | null;
  models: { cells: Uint8Array; genes: Uint8Array };
  seconds: Record<string, number>;
  output: Dataset;
}

/** A dataset needs this many cells for a model and a kNN to mean anything. */
export const MIN_DENOISE_CELLS = 20;

/**
 * Why a benchmark's mask cannot be scored on this data (null when it can): a fraction that masks no entry, or fewer
 * than `MIN_MASKED`, has no RMSE to show; the message names the smallest fraction that works here. `covered` marks the
 * modelled genes (the prior's), `matrix` is the dataset's expression (zeros are zeros in any of its scales).
 */
export function maskProblem(name: string, matrix: Matrix, covered: Uint8Array, mask: number, nonzero: boolean): string | null {
  if (!(mask > 0)) return null;
  const G = covered.reduce((n, c) => n + c, 0);
  const candidates = new Float64Array(matrix.nRows).fill(G);
  if (nonzero) {
    candidates.fill(0);
    for (let c = 0; c < matrix.nRows; c++)
      if (matrix.kind === "csr") {
        for (let k = matrix.indptr[c]!; k < matrix.indptr[c + 1]!; k++)
          if (covered[matrix.indices[k]!] && matrix.data[k] !== 0) candidates[c]!++;
      } else for (let g = 0; g < matrix.nCols; g++) if (covered[g] && matrix.values[c * matrix.nCols + g] !== 0) candidates[c]!++;
  }
  const masked = maskedCount(candidates, mask);
  if (masked >= MIN_MASKED) return null;
  const entries = `${nonzero ? "non-zero entries" : "entries"} of ${name}'s ${matrix.nRows} cells × ${G} modelled genes`;
  const smallest = smallestMask(candidates);
  return `--mask ${mask} masks ${masked} of the ${entries}; scoring the imputation needs at least ${MIN_MASKED} masked entries: ${
    smallest !== null && smallest <= IMPUTE_LIMITS.mask.max
      ? `use --mask ${smallest} or more`
      : `this dataset has too few ${nonzero ? "non-zero entries" : "entries"} to score`
  } (or --mask 0 for the denoised layer without a benchmark)`;
}

export async function imputeDropouts(o: DropoutOptions, hooks: StageHooks = {}): Promise<DropoutResult> {
  const timer = new Stages(hooks);
  timer.stage(`reading ${basename(o.file)}`);
  const d = await readImputeData(o.file);
  const inputs = await GeneInputs.load(o.prior, false);
  const coverage = inputs.coverage(d.expression.genes);
  const genes = Array.from(coverage.covered, (i) => d.expression.genes[i]!);
  const cells = d.lognorm.nRows;
  const G = genes.length;
  timer.stage(`${cells} cells; ${G} of ${d.expression.genes.length} genes covered by the prior are modelled`);
  const lognorm = matrixCols(d.lognorm, coverage.covered);
  const values = matrixValues(lognorm);
  const m = o.mask > 0 ? maskDropouts(values, cells, G, { fraction: o.mask, nonzeroOnly: o.nonzero, seed: o.seed }) : null;
  const seen = m ? m.masked : values;
  if (m) timer.stage(`masked ${m.index.length} entries (${o.nonzero ? "non-zero entries only" : "drawn ∝ exp(−x)"})`);
  const z = scale({ kind: "dense", nRows: cells, nCols: G, values: seen }, 10);
  const x = z.scaled.values as Float32Array;
  timer.lap("preprocess");

  const hyper: SciLaMAHyper = { ...PRESETS[o.preset], ...o.hyper };
  const geneInputs = inputs.inputs(inputs.mainVariant, genes, x, cells, o.seed);
  const name = inputsName(geneInputs);
  timer.stage(`training sciLaMA (${name})`);
  const r = await trainSciLaMA(
    { x, cells, genes: G, covariates: null, nCovariates: 0, geneInputs },
    {
      hyper,
      seed: o.seed,
      ...(o.provider ? { provider: o.provider } : {}),
      ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
      onProgress: (progress, step) =>
        hooks.emit?.({
          type: "training",
          variant: name,
          progress,
          fraction: 0.05 + 0.85 * trainingDone(progress, step),
        }),
    },
  );
  if (r.status === "stopped") throw new Stopped(timer.seconds);
  timer.lap("sciLaMA");
  // Each gene's highest value in what the model saw (masked entries are not seen); its lowest is 0.
  const top = new Float64Array(G);
  for (let i = 0; i < seen.length; i++) if (seen[i]! > top[i % G]!) top[i % G] = seen[i]!;
  let outside = 0;
  const denoised = reconstruct(r.cellHidden, r.geneHidden, r.config.hidden[0]!, r.params.get("cell.out.b") as Float32Array).map((v, i) => {
    const x = v * z.std[i % G]! + z.mean[i % G]!;
    const hi = top[i % G]!;
    if (x < 0 || x > hi) outside++;
    return Math.min(Math.max(x, 0), hi);
  });
  const clipped: Clipped = { values: outside, of: denoised.length };

  const rows: DropoutRow[] = [];
  let scpalm: ScPaLMDropouts | null = null;
  if (m) {
    timer.stage("scoring the masked entries");
    const methods = new Map<string, (i: number) => number>([[`sciLaMA (${name})`, (i) => denoised[i]!]]);
    const base = dropoutBaselines(m);
    for (const k of DROPOUT_BASELINES) methods.set(k, base[k]);
    methods.set("kNN smoothing (15 cells)", await knnSmoothing(m));
    // A scope with no masked entry (scPaLM knowing none of the masked genes) has no row: a table never shows NaN.
    const score = (scope: DropoutScope, mask: DropoutMask, all: Map<string, (i: number) => number>) => {
      if (!mask.index.length) return;
      for (const [method, f] of all) rows.push({ method, scope, entries: mask.index.length, ...maskedErrors(mask, f) });
    };
    score("all", m, methods);
    timer.lap("baselines");
    timer.stage("scPaLM (the bundled model, zero shot) on the masked data");
    scpalm = await scoreScPaLM(m, genes, basename(o.file), (mask, f) =>
      score("scpalm", mask, new Map([["scPaLM (bundled, zero shot)", f], ...methods])),
    );
    timer.lap("scPaLM");
  }
  timer.stage("clustering and UMAP");
  const { leiden, umap } = await describeClusters(r.cellMu, cells, hyper.latent);
  timer.lap("clusters and UMAP");
  const maskedZeros = m ? m.truth.reduce((n, v) => n + (v === 0 ? 1 : 0), 0) : 0;
  const obs = new Map(d.dataset.obs.columns);
  obs.set("leiden", clusterColumn(leiden));
  const layers = new Map<string, Matrix>([["sciLaMA_denoised", { kind: "dense", nRows: cells, nCols: G, values: denoised }]]);
  if (m) layers.set("masked", { kind: "dense", nRows: cells, nCols: G, values: m.masked });
  const output: Dataset = {
    X: { kind: "dense", nRows: cells, nCols: G, values },
    obs: { index: d.dataset.obs.index, columns: obs },
    var: { index: genes, columns: new Map() },
    obsm: new Map([
      ...d.dataset.obsm,
      ["X_sciLaMA", { nRows: cells, nCols: hyper.latent, values: r.cellMu }],
      ["X_umap", { nRows: cells, nCols: 2, values: umap }],
    ]),
    varm: new Map(),
    layers,
    uns: {
      impute: {
        mode: "dropouts",
        file: basename(o.file),
        mask: o.mask,
        nonzero: o.nonzero,
        masked: m?.index.length ?? 0,
        maskedZeros,
        prior: name,
        preset: o.preset,
        seed: o.seed,
        hyper: hyper as unknown as Json,
        device: r.provider,
        seconds: timer.seconds,
        errors: rows as unknown as Json,
        clipped: { ...clipped, note: clippedNote(clipped, "dropouts") },
        scpalm: scpalm as unknown as Json,
      },
    },
  };
  return {
    genes,
    masked: m?.index.length ?? 0,
    maskedZeros,
    rows,
    clipped,
    scpalm,
    provider: r.provider,
    fallbackReason: r.fallbackReason,
    models: r.models,
    seconds: timer.seconds,
    output,
  };
}

/**
 * The masked data through the bundled scPaLM; `score` gets the mask restricted to the genes it knows and its
 * predictions. A dataset it cannot read (too few of its genes, another species) skips it with the reason.
 */
async function scoreScPaLM(
  m: DropoutMask,
  genes: readonly string[],
  name: string,
  score: (mask: DropoutMask, predict: (i: number) => number) => void,
): Promise<ScPaLMDropouts> {
  let rec: Awaited<ReturnType<typeof reconstructWithScPaLM>>;
  try {
    rec = await reconstructWithScPaLM(bundledScPaLM(), { kind: "dense", nRows: m.cells, nCols: m.genes, values: m.masked }, genes, name);
  } catch (e) {
    if (e instanceof DataError) return { skipped: e.message };
    throw e;
  }
  const mask = restrictMask(m, (i) => rec.column[i % m.genes]! >= 0);
  if (!mask.index.length) return { skipped: `none of the masked entries is of a gene in scPaLM's vocabulary` };
  score(mask, reconstructed(rec, m.genes));
  return { genes: rec.predicted, entries: mask.index.length };
}
