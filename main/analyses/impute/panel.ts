/**
 * Panel imputation: a reference (many genes) and a target that measured a panel. sciLaMA is trained on the reference
 * with its cell encoder reading only the panel (placed first) and its decoder reconstructing every modelled gene; the
 * target's cells are encoded from their panel and each other gene predicted as x̂ = h_cell · h_gene + b, in the
 * reference's z-scores, then in its log-normalised units, clipped to the range the reference measured of that
 * gene (a linear decoder can reach below zero or far above any measured value; how many were clipped is reported). Each dataset is normalised and z-scored on its own
 * (`panel-data.ts`); the model is `panel-model.ts`, the trivial predictors `panel-baselines.ts`.
 *
 * Accuracy: panel genes hidden from the encoder in turn (k-fold or leave-one-gene-out, one model per fold) and
 * predicted; the target's own measurements of genes outside the panel, scored directly; and, when asked, those genes
 * left out of the model altogether and placed by their prior. Every method of the table — sciLaMA with the chosen
 * prior, the reference gene mean, kNN from the reference (SpaGE), sciLaMA with the controls — is scored on the same
 * genes and cells.
 */
import { basename } from "node:path";
import { panelFolds } from "../../analysis/impute/folds.js";
import { geneScores } from "../../analysis/impute/metrics.js";
import type { Dataset, Json } from "../../data/dataset.js";
import { PRESETS, type SciLaMAHyper } from "../../models/scilama-hyper.js";
import type { ProviderChoice } from "../../train/providers.js";
import { describeClusters } from "../integrate/evaluate.js";
import { GeneInputs, type PriorChoice, type Variant } from "../integrate/gene-inputs.js";
import { type StageHooks, Stages } from "../stages.js";
import { readImputeData } from "./expression.js";
import { chooseGenes, type GeneChoice, placeableByPrior } from "./genes.js";
import { knnBaseline, meanBaseline } from "./panel-baselines.js";
import { panelData, pick, placeFold } from "./panel-data.js";
import { type Fit, type FitContext, type Fitted, fitPanelModel, placeByPrior } from "./panel-model.js";
import { layerName, panelOutput } from "./panel-result.js";
import { type Clipped, clippedNote, type GeneRow, type GeneSet, type MethodRow, methodRows, recommend } from "./scores.js";
import { type Evaluation, evaluationName, type PanelBaseline, type Preset } from "./settings.js";

export { layerName, PRIOR_ONLY_ROLE } from "./panel-result.js";

export interface PanelOptions {
  reference: string;
  target: string;
  /** Panel genes; absent: every gene both measure. */
  panel?: string[];
  /** Genes to impute; absent: every reference gene the prior covers. */
  genes?: string[];
  evaluation: Evaluation;
  /** Folds over the target's genes outside the panel for the unseen-gene estimate (0 or absent: none). */
  unseenFolds?: number;
  prior: PriorChoice;
  preset: Preset;
  hyper?: Partial<SciLaMAHyper>;
  seed: number;
  baselines: readonly PanelBaseline[];
  provider?: ProviderChoice;
}

export interface PanelResult {
  genes: GeneChoice;
  /** Names of the panel genes and the imputed genes (reference names). */
  panel: string[];
  imputed: string[];
  /** Genes the reference does not measure, placed by the prior alone (z-scores in `output`). */
  priorOnly: string[];
  methods: MethodRow[];
  perGene: GeneRow[];
  recommended: Partial<Record<GeneSet, string>>;
  /** The chosen model's imputed values (X's imputed genes) that were outside the range the reference measured of
   *  their gene, and were clipped to it; `of` all of them. */
  clipped: Clipped;
  provider: string;
  fallbackReason: string | null;
  models: { cells: Uint8Array; genes: Uint8Array };
  seconds: Record<string, number>;
  output: Dataset;
}

const range = (from: number, n: number) => Int32Array.from({ length: n }, (_, i) => from + i);

export async function imputePanel(o: PanelOptions, hooks: StageHooks = {}): Promise<PanelResult> {
  const timer = new Stages(hooks);
  timer.stage("reading the reference and the target");
  const ref = await readImputeData(o.reference);
  const tgt = await readImputeData(o.target);
  timer.lap("read");

  timer.stage("matching genes by id");
  const baselines = new Set(o.baselines);
  const inputs = await GeneInputs.load(o.prior, baselines.has("shuffled"));
  const covered = new Uint8Array(ref.expression.genes.length);
  for (const i of inputs.coverage(ref.expression.genes).covered) covered[i] = 1;
  const priorCovers = placeableByPrior(inputs);
  const choice = chooseGenes({
    referenceGenes: ref.expression.genes,
    targetGenes: tgt.expression.genes,
    targetCells: tgt.lognorm.nRows,
    covered,
    panel: o.panel ?? null,
    genes: o.genes ?? null,
    ...(priorCovers ? { priorCovers } : {}),
  });
  const cv = choice.coverage;
  timer.stage(
    `genes: reference ${cv.referenceGenes}, target ${cv.targetGenes}, shared ${cv.shared}; panel ${cv.panel}, imputed ${cv.imputed} (${cv.scored} of them measured by the target and scored)`,
  );
  if (cv.panelWithoutPrior.length) timer.stage(`panel genes without a prior, not used: ${cv.panelWithoutPrior.join(", ")}`);

  timer.stage("normalising each dataset on its own");
  const d = panelData(ref, tgt, choice);
  const { tcells, panel, imputed, scoredIdx, scoredNames } = d;
  const P = panel.length;
  const O = imputed.length;
  timer.lap("preprocess");

  const hyper: SciLaMAHyper = { ...PRESETS[o.preset], ...o.hyper };
  const folds = panelFolds(P, o.evaluation, o.seed);
  const mainVariant = inputs.mainVariant;
  const controls = (["self", "random", "shuffled"] as const).filter((b) => b !== mainVariant && baselines.has(b));
  const variants: Variant[] = [mainVariant, ...controls];
  // Folds over the scored genes for the unseen-gene estimate (none without scored genes or when not asked).
  const unseenFolds =
    scoredIdx.length >= 2 && o.unseenFolds ? panelFolds(scoredIdx.length, { kind: "kfold", k: o.unseenFolds }, o.seed) : [];
  const trainings = variants.length * (1 + folds.length) + unseenFolds.length * variants.filter((v) => v !== "self").length;
  const progress = { index: 0, of: trainings };
  // Timed apart: the chosen model's training and its prediction, its folds, its unseen-gene models; the controls
  // together.
  const laps = { trained: "train", predicted: "predict" };
  const ctx: FitContext = {
    data: d,
    inputs,
    hyper,
    seed: o.seed,
    provider: o.provider ?? "cpu",
    hooks,
    progress,
    seconds: timer.seconds,
    onTrained: () => timer.lap(laps.trained),
  };
  const fit = async (variant: Variant, f: Fit, phase: "whole" | "k-fold" | "unseen genes") => {
    const apart = variant !== mainVariant ? "controls" : phase === "whole" ? null : phase;
    laps.trained = apart ?? "train";
    laps.predicted = apart ?? "predict";
    const fitted = await fitPanelModel(ctx, variant, f);
    progress.index++;
    timer.lap(laps.predicted);
    return fitted;
  };

  const perGene: GeneRow[] = [];
  const imputedBy = new Map<string, Float64Array>();
  const heldOutBy = new Map<string, Float64Array>();
  const score = (method: string, set: GeneSet, genes: readonly string[], measured: ArrayLike<number>, predicted: ArrayLike<number>) => {
    const s = geneScores(measured, predicted, tcells, genes.length);
    genes.forEach((gene, g) => {
      if (s.scored[g]) perGene.push({ gene, set, method, pcc: s.pcc[g]!, scc: s.scc[g]!, jsd: s.jsd[g]!, rmse: s.rmse[g]! });
    });
  };
  /** Records a method's predictions and scores them in every set they cover. */
  const record = (method: string, predicted: Float64Array, heldOut: Float64Array | null) => {
    methodNames.push(method);
    imputedBy.set(method, predicted);
    if (scoredIdx.length) score(method, "outside", scoredNames, d.measuredOutside, pick(predicted, tcells, O, scoredIdx));
    if (heldOut) {
      heldOutBy.set(method, heldOut);
      score(method, "panel", panel, d.tgtPanelLog, heldOut);
    }
  };
  const allPanel = range(0, P);
  const scoredCols = Int32Array.from(scoredIdx, (i) => P + i);
  const methodNames: string[] = [];
  let main: Fitted | null = null;
  let priorOnlyZ: Float32Array = new Float32Array(0);

  for (const variant of variants) {
    const full = await fit(variant, { encoder: allPanel, predict: range(P, O), label: "on the whole panel" }, "whole");
    main ??= full;
    if (variant === mainVariant && choice.priorOnly.length) {
      timer.stage(`placing ${choice.priorOnly.length} genes the reference does not measure by their prior`);
      priorOnlyZ = await placeByPrior(ctx, variant, full, choice.priorOnly);
      timer.lap("predict");
    }
    let held: Float64Array | null = null;
    if (folds.length) {
      held = new Float64Array(tcells * P);
      for (const [f, fold] of folds.entries()) {
        const keep = allPanel.filter((g) => !fold.includes(g));
        const label = `without panel fold ${f + 1}/${folds.length}`;
        placeFold(held, P, fold, (await fit(variant, { encoder: keep, predict: fold, label }, "k-fold")).predictions);
      }
    }
    const method = `sciLaMA (${full.name})`;
    record(method, full.predictions, held);
    if (unseenFolds.length && variant !== "self") {
      // The genes the target measured, left out of the reference's model too, a fold at a time: what the prior alone
      // predicts, as for a gene the reference does not measure (the paper's Table S6 controls). The self-informed
      // gene encoder reads a gene's reference expression, which an unseen gene does not have.
      const unseen = new Float64Array(tcells * scoredIdx.length);
      for (const [f, fold] of unseenFolds.entries()) {
        const cols = Int32Array.from(fold, (i) => scoredCols[i]!);
        const label = `without scored-gene fold ${f + 1}/${unseenFolds.length}`;
        placeFold(
          unseen,
          scoredIdx.length,
          fold,
          (await fit(variant, { encoder: allPanel, predict: cols, unseen: cols, label }, "unseen genes")).predictions,
        );
      }
      score(method, "unseen", scoredNames, d.measuredOutside, unseen);
    }
  }

  timer.stage("baselines: reference gene mean and kNN");
  if (baselines.has("mean")) {
    const b = meanBaseline(d, folds);
    record("reference gene mean", b.imputed, b.panel);
  }
  if (baselines.has("knn")) {
    const b = knnBaseline(d, folds);
    record("kNN-50 from the reference (SpaGE)", b.imputed, b.panel);
  }
  timer.lap("baselines");

  timer.stage("clustering and UMAP of the target's cells");
  const m = main!;
  const latent = m.result.config.latent;
  const { leiden, umap } = await describeClusters(m.target.cellMu, tcells, latent);
  timer.lap("clusters and UMAP");

  const methods = methodRows(perGene, methodNames);
  const recommended = recommend(methods);
  const clipped: Clipped = { values: m.clipped, of: tcells * O };
  const uns: { [k: string]: Json } = {
    impute: {
      mode: "panel",
      reference: basename(o.reference),
      target: basename(o.target),
      panel,
      evaluation: evaluationName(o.evaluation),
      unseenFolds: unseenFolds.length,
      prior: m.name,
      preset: o.preset,
      seed: o.seed,
      hyper: hyper as unknown as Json,
      coverage: cv as unknown as Json,
      device: m.result.provider,
      seconds: timer.seconds,
      methods: methods as unknown as Json,
      layers: Object.fromEntries(methodNames.slice(1).map((n) => [layerName(n), n])),
      recommended: recommended as Json,
      clipped: { ...clipped, note: clippedNote(clipped, "panel") },
    },
  };
  return {
    genes: choice,
    panel,
    imputed,
    priorOnly: choice.priorOnly,
    methods,
    perGene,
    recommended,
    clipped,
    provider: m.result.provider,
    fallbackReason: m.result.fallbackReason,
    models: m.result.models,
    seconds: timer.seconds,
    output: panelOutput({
      data: d,
      target: tgt.dataset,
      methods: methodNames,
      imputed: imputedBy,
      heldOut: heldOutBy,
      priorOnly: choice.priorOnly,
      priorOnlyZ,
      perGene,
      cellMu: m.target.cellMu,
      latent,
      umap,
      leiden,
      uns,
    }),
  };
}
