/**
 * Panel imputation: a reference (many genes) and a target that measured a panel. sciLaMA is trained on the reference
 * with its cell encoder reading only the panel (placed first) and its decoder reconstructing every modelled gene; the
 * target's cells are encoded from their panel and each other gene predicted as x̂ = h_cell · h_gene + b, in the
 * reference's z-scores, then in its log-normalised units. Each dataset is normalised and z-scored on its own.
 *
 * Accuracy: panel genes hidden from the encoder in turn (k-fold or leave-one-gene-out, one model per fold) and
 * predicted; and the target's own measurements of genes outside the panel, scored directly. Every method of the
 * table — sciLaMA with the chosen prior, the reference gene mean, kNN from the reference (SpaGE), sciLaMA with the
 * controls — is scored on the same genes and cells.
 */
import { basename } from "node:path";
import { panelFolds } from "../../analysis/impute/folds.js";
import { knnImpute } from "../../analysis/impute/knn.js";
import { geneScores } from "../../analysis/impute/metrics.js";
import type { Dataset, Json, Matrix } from "../../data/dataset.js";
import type { Column } from "../../data/frame.js";
import { matrixCols, matrixValues } from "../../data/subset.js";
import { embedGenes, embedSciLaMA } from "../../models/scilama.js";
import { PRESETS, type SciLaMAHyper } from "../../models/scilama-hyper.js";
import { trainSciLaMA } from "../../models/scilama-train.js";
import { scale } from "../../pp/scale.js";
import type { ProviderChoice } from "../../train/providers.js";
import { describeClusters } from "../integrate/evaluate.js";
import { GeneInputs, inputsName, type PriorChoice, type Variant } from "../integrate/gene-inputs.js";
import { type StageHooks, Stages, Stopped } from "../stages.js";
import { logNormalised, readImputeData } from "./expression.js";
import { chooseGenes, type GeneChoice, placeableByPrior } from "./genes.js";
import { type GeneRow, type GeneSet, type MethodRow, methodRows, recommend } from "./scores.js";
import { type Evaluation, evaluationName, type PanelBaseline, type Preset } from "./settings.js";

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

/** A gene the reference does not measure: its values are z-scores (relative between cells), not log-normalised. */
export const PRIOR_ONLY_ROLE = "placed by the prior alone (z-scores, no accuracy estimate)";

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
  provider: string;
  fallbackReason: string | null;
  models: { cells: Uint8Array; genes: Uint8Array };
  seconds: Record<string, number>;
  output: Dataset;
}

/** Columns of a row-major cells × n matrix. */
function pick(values: ArrayLike<number>, cells: number, n: number, cols: ArrayLike<number>): Float32Array {
  const w = cols.length;
  const out = new Float32Array(cells * w);
  for (let c = 0; c < cells; c++) for (let j = 0; j < w; j++) out[c * w + j] = values[c * n + cols[j]!]!;
  return out;
}

/** Puts a fold's predictions (cells × fold genes) into the panel's columns of `held` (cells × P). */
function placeFold(held: Float64Array, P: number, fold: Int32Array, values: Float64Array): void {
  const cells = held.length / P;
  for (let c = 0; c < cells; c++) for (let j = 0; j < fold.length; j++) held[c * P + fold[j]!] = values[c * fold.length + j]!;
}

export async function imputePanel(o: PanelOptions, hooks: StageHooks = {}): Promise<PanelResult> {
  const timer = new Stages(hooks);
  timer.stage("reading the reference and the target");
  const ref = await readImputeData(o.reference);
  const tgt = await readImputeData(o.target);
  timer.lap("read");

  timer.stage("matching genes by id");
  const baselines = new Set(o.baselines);
  const inputs = await GeneInputs.load(o.prior, baselines.has("shuffled"));
  const refGenes = ref.expression.genes;
  const covered = new Uint8Array(refGenes.length);
  for (const i of inputs.coverage(refGenes).covered) covered[i] = 1;
  const priorCovers = placeableByPrior(inputs);
  const choice = chooseGenes({
    referenceGenes: refGenes,
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
  const P = choice.panelRef.length;
  const O = choice.othersRef.length;
  const G = P + O;
  const panel = Array.from(choice.panelRef, (i) => refGenes[i]!);
  const imputed = Array.from(choice.othersRef, (i) => refGenes[i]!);
  const modelled = [...panel, ...imputed];
  const priorOnly = choice.priorOnly;
  const Q = priorOnly.length;

  timer.stage("normalising each dataset on its own");
  const cells = ref.lognorm.nRows;
  const tcells = tgt.lognorm.nRows;
  const priorOnlyZ = new Float32Array(tcells * Q);
  // The reference's modelled columns: the panel normalised over the panel, the others over all its genes.
  const refPanelLog = logNormalised(ref.expression, choice.panelRef);
  const refOthersLog = matrixCols(ref.lognorm, choice.othersRef);
  const refPanelZ = scale(refPanelLog, 10);
  const refOthersZ = scale(refOthersLog, 10);
  const x = new Float32Array(cells * G);
  for (let c = 0; c < cells; c++) {
    x.set(refPanelZ.scaled.values.subarray(c * P, (c + 1) * P), c * G);
    x.set(refOthersZ.scaled.values.subarray(c * O, (c + 1) * O), c * G + P);
  }
  const refMean = Float64Array.from([...refPanelZ.mean, ...refOthersZ.mean]);
  const refStd = Float64Array.from([...refPanelZ.std, ...refOthersZ.std]);
  const tgtPanelLog = matrixValues(logNormalised(tgt.expression, choice.panelTarget));
  const tgtPanelZ = scale(logNormalised(tgt.expression, choice.panelTarget), 10).scaled.values;
  // The target's measurements of imputed genes (log-normalised over all its genes), for the direct score.
  const scoredIdx = [...choice.othersTarget.keys()].filter((i) => choice.othersTarget[i]! >= 0);
  const measuredOutside = matrixValues(
    matrixCols(
      tgt.lognorm,
      Int32Array.from(scoredIdx, (i) => choice.othersTarget[i]!),
    ),
  );
  timer.lap("preprocess");

  const hyper: SciLaMAHyper = { ...PRESETS[o.preset], ...o.hyper };
  const folds = panelFolds(P, o.evaluation, o.seed);
  const mainVariant = inputs.mainVariant;
  const controls = (["self", "random", "shuffled"] as const).filter((b) => b !== mainVariant && baselines.has(b));
  const variants: Variant[] = [mainVariant, ...controls];
  // Folds over the scored genes for the unseen-gene estimate (none without scored genes or when not asked).
  const unseenFolds =
    scoredIdx.length >= 2 && o.unseenFolds ? panelFolds(scoredIdx.length, { kind: "kfold", k: o.unseenFolds }, o.seed) : [];
  const unseenModels = unseenFolds.length * variants.filter((v) => v !== "self").length;
  const trainings = variants.length * (1 + folds.length) + unseenModels;
  let trained = 0;

  /**
   * Trains `variant` with the encoder reading `encoder` (panel positions) and returns, for the target's cells, the
   * predictions (reference log units) of the model columns `predict`; the columns are ordered [encoder, the rest].
   */
  /**
   * Trains `variant` with the encoder reading `encoder` (panel positions) and without the `unseen` columns at all, and
   * returns, for the target's cells, the predictions (reference log units) of the columns `predict`. A modelled column
   * is x̂ = h_cell · h_gene + b; an unseen one is placed by its prior alone (h_gene from the gene model, b = 0: the
   * mean of a z-scored gene). The model's columns are ordered [encoder, the rest].
   */
  const fit = async (
    variant: Variant,
    o2: { encoder: Int32Array; predict: Int32Array; label: string; phase: string; unseen?: Int32Array },
  ) => {
    const { encoder, predict, label } = o2;
    // Timed apart: the chosen model's training and prediction, its folds, its unseen-gene model; the controls together.
    const phase = variant !== mainVariant ? "controls" : o2.phase;
    const skip = new Set([...encoder, ...(o2.unseen ?? [])]);
    const order = Int32Array.from([...encoder, ...[...Array(G).keys()].filter((g) => !skip.has(g))]);
    const position = new Int32Array(G).fill(-1);
    order.forEach((g, i) => {
      position[g] = i;
    });
    const xo = pick(x, cells, G, order);
    const names = (cols: ArrayLike<number>) => Array.from(cols, (g) => modelled[g]!);
    const geneInputs = inputs.inputs(variant, names(order), xo, cells, o.seed);
    const name = inputsName(geneInputs);
    timer.stage(`training sciLaMA (${name}) ${label}`);
    const index = trained++;
    const r = await trainSciLaMA(
      { x: xo, cells, genes: order.length, covariates: null, nCovariates: 0, geneInputs, encoderGenes: encoder.length },
      {
        hyper,
        seed: o.seed,
        ...(o.provider ? { provider: o.provider } : {}),
        ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
        onProgress: (progress, step) =>
          hooks.emit?.({
            type: "training",
            variant: `${name} ${label}`,
            progress,
            fraction: 0.05 + (0.9 * (index + (step - 1 + progress.step / Math.max(1, progress.totalSteps)) / 3)) / trainings,
          }),
      },
    );
    if (r.status === "stopped") throw new Stopped(timer.seconds);
    timer.lap(phase === "whole" ? "train" : phase);
    // The target's cells from the encoder's panel genes, z-scored on their own.
    const xt = pick(tgtPanelZ, tcells, P, encoder);
    const provider = o.provider ?? "cpu";
    const e = await embedSciLaMA(
      r.config,
      r.models,
      xt,
      null,
      tcells,
      geneInputs.map((g) => g.values),
      provider,
    );
    const l = r.config.hidden[0]!;
    const b = r.params.get("cell.out.b") as Float32Array;
    const unseen = o2.unseen ?? new Int32Array(0);
    const unseenHidden = unseen.length
      ? (
          await embedGenes(
            r.config,
            r.models.genes,
            // Random vectors for unseen genes come from another stream (the same seed would repeat the modelled
            // genes' first vectors); shuffled priors must keep the training's shuffle.
            inputs
              .inputs(variant, names(unseen), new Float32Array(0), cells, variant === "random" ? o.seed + 0x5eed : o.seed)
              .map((g) => g.values),
            unseen.length,
            provider,
          )
        ).geneHidden
      : null;
    const out = new Float64Array(tcells * predict.length);
    predict.forEach((g, j) => {
      const at = position[g]!;
      const u = at < 0 ? unseen.indexOf(g) : -1;
      if (at < 0 && u < 0) throw new Error(`internal: column ${g} is neither modelled nor unseen`);
      const hg = at >= 0 ? e.geneHidden.subarray(at * l, (at + 1) * l) : unseenHidden!.subarray(u * l, (u + 1) * l);
      const bias = at >= 0 ? b[at]! : 0;
      for (let c = 0; c < tcells; c++) {
        let v = bias;
        for (let k = 0; k < l; k++) v += e.cellHidden[c * l + k]! * hg[k]!;
        out[c * predict.length + j] = v * refStd[g]! + refMean[g]!;
      }
    });
    timer.lap(phase === "whole" ? "predict" : phase);
    return { r, e, name, predictions: out };
  };

  const perGene: GeneRow[] = [];
  const predictionsBy = new Map<string, Float64Array>();
  const heldOutBy = new Map<string, Float64Array>();
  const score = (method: string, set: GeneSet, genes: readonly string[], measured: ArrayLike<number>, predicted: ArrayLike<number>) => {
    const s = geneScores(measured, predicted, tcells, genes.length);
    genes.forEach((gene, g) => {
      if (s.scored[g]) perGene.push({ gene, set, method, pcc: s.pcc[g]!, scc: s.scc[g]!, jsd: s.jsd[g]!, rmse: s.rmse[g]! });
    });
  };
  const allPanel = Int32Array.from({ length: P }, (_, i) => i);
  const others = Int32Array.from({ length: O }, (_, i) => P + i);
  const scoredCols = Int32Array.from(scoredIdx, (i) => P + i);
  const scoredNames = scoredIdx.map((i) => imputed[i]!);
  const methodNames: string[] = [];
  let main: Awaited<ReturnType<typeof fit>> | null = null;

  for (const variant of variants) {
    const full = await fit(variant, { encoder: allPanel, predict: others, label: "on the whole panel", phase: "whole" });
    const method = `sciLaMA (${full.name})`;
    methodNames.push(method);
    main ??= full;
    if (variant === mainVariant && priorOnly.length) {
      // Genes the reference does not measure, placed by the prior alone: h_cell · h_gene in z-score units (their
      // level in the reference is unknown), relative between cells, with no accuracy estimate.
      timer.stage(`placing ${priorOnly.length} genes the reference does not measure by their prior`);
      const { geneHidden } = await embedGenes(
        full.r.config,
        full.r.models.genes,
        inputs.inputs(variant, priorOnly, new Float32Array(0), cells, o.seed).map((g) => g.values),
        priorOnly.length,
        o.provider ?? "cpu",
      );
      const l = full.r.config.hidden[0]!;
      for (let c = 0; c < tcells; c++)
        for (let q = 0; q < priorOnly.length; q++) {
          let v = 0;
          for (let k = 0; k < l; k++) v += full.e.cellHidden[c * l + k]! * geneHidden[q * l + k]!;
          priorOnlyZ[c * priorOnly.length + q] = v;
        }
      timer.lap("predict");
    }
    predictionsBy.set(method, full.predictions);
    if (scoredIdx.length) score(method, "outside", scoredNames, measuredOutside, pick(full.predictions, tcells, O, scoredIdx));
    if (folds.length) {
      const held = new Float64Array(tcells * P);
      for (const [f, fold] of folds.entries()) {
        const keep = Int32Array.from(allPanel.filter((g) => !fold.includes(g)));
        const { predictions } = await fit(variant, {
          encoder: keep,
          predict: fold,
          label: `without panel fold ${f + 1}/${folds.length}`,
          phase: "k-fold",
        });
        placeFold(held, P, fold, predictions);
      }
      heldOutBy.set(method, held);
      score(method, "panel", panel, tgtPanelLog, held);
    }
    if (unseenFolds.length && variant !== "self") {
      // The genes the target measured, left out of the reference's model too, a fold at a time: what the prior alone
      // predicts, as for a gene the reference does not measure (the paper's Table S6 controls). The self-informed
      // gene encoder reads a gene's reference expression, which an unseen gene does not have.
      const held = new Float64Array(tcells * scoredIdx.length);
      for (const [f, fold] of unseenFolds.entries()) {
        const cols = Int32Array.from(fold, (i) => scoredCols[i]!);
        const { predictions } = await fit(variant, {
          encoder: allPanel,
          predict: cols,
          unseen: cols,
          label: `without scored-gene fold ${f + 1}/${unseenFolds.length}`,
          phase: "unseen genes",
        });
        for (let c = 0; c < tcells; c++)
          for (let j = 0; j < fold.length; j++) held[c * scoredIdx.length + fold[j]!] = predictions[c * fold.length + j]!;
      }
      score(method, "unseen", scoredNames, measuredOutside, held);
    }
  }

  timer.stage("baselines: reference gene mean and kNN");
  const refPanelDense = refPanelZ.scaled.values;
  if (baselines.has("mean")) {
    const method = "reference gene mean";
    methodNames.push(method);
    const mean = (cols: ArrayLike<number>) =>
      Float64Array.from({ length: tcells * cols.length }, (_, i) => refMean[cols[i % cols.length]!]!);
    predictionsBy.set(method, mean(others));
    if (scoredIdx.length) score(method, "outside", scoredNames, measuredOutside, mean(scoredCols));
    if (folds.length) {
      heldOutBy.set(method, mean(allPanel));
      score(method, "panel", panel, tgtPanelLog, mean(allPanel));
    }
  }
  if (baselines.has("knn")) {
    const method = "kNN-50 from the reference (SpaGE)";
    methodNames.push(method);
    const knn = (encoder: ArrayLike<number>, values: ArrayLike<number>, n: number) =>
      knnImpute({
        reference: pick(refPanelDense, cells, P, encoder),
        referenceCells: cells,
        target: pick(tgtPanelZ, tcells, P, encoder),
        targetCells: tcells,
        panel: encoder.length,
        values,
        genes: n,
        k: 50,
      });
    const refOthers = matrixValues(refOthersLog);
    const all = knn(allPanel, refOthers, O);
    predictionsBy.set(method, all);
    if (scoredIdx.length) score(method, "outside", scoredNames, measuredOutside, pick(all, tcells, O, scoredIdx));
    if (folds.length) {
      const refPanelLogDense = matrixValues(refPanelLog);
      const held = new Float64Array(tcells * P);
      for (const fold of folds) {
        const keep = allPanel.filter((g) => !fold.includes(g));
        const p = knn(keep, pick(refPanelLogDense, cells, P, fold), fold.length);
        placeFold(held, P, fold, p);
      }
      heldOutBy.set(method, held);
      score(method, "panel", panel, tgtPanelLog, held);
    }
  }
  timer.lap("baselines");

  timer.stage("clustering and UMAP of the target's cells");
  const m = main!;
  const latent = m.r.config.latent;
  const { leiden, umap } = await describeClusters(m.e.cellMu, tcells, latent);
  timer.lap("clusters and UMAP");

  const methods = methodRows(perGene, methodNames);
  const recommended = recommend(methods);
  return {
    genes: choice,
    panel,
    imputed,
    priorOnly,
    methods,
    perGene,
    recommended,
    provider: m.r.provider,
    fallbackReason: m.r.fallbackReason,
    models: m.r.models,
    seconds: timer.seconds,
    output: resultDataset(),
  };

  /** The target's cells in their order; var the imputed genes, then (when evaluated) the panel genes' held-out
   *  predictions; X the chosen model's values in the reference's log-normalised units; each baseline a layer. */
  function resultDataset(): Dataset {
    const withPanel = heldOutBy.size > 0;
    // Columns: the imputed genes, the genes placed by the prior alone, the held-out panel genes.
    const names = [...imputed, ...priorOnly, ...(withPanel ? panel : [])];
    const W = names.length;
    const atPanel = O + Q;
    const assemble = (method: string) => {
      const out = new Float32Array(tcells * W);
      const a = predictionsBy.get(method)!;
      const h = heldOutBy.get(method);
      for (let c = 0; c < tcells; c++) {
        for (let g = 0; g < O; g++) out[c * W + g] = a[c * O + g]!;
        // Only the chosen model places genes by their prior.
        for (let q = 0; q < Q; q++) out[c * W + O + q] = method === methodNames[0] ? priorOnlyZ[c * Q + q]! : Number.NaN;
        if (withPanel) for (let g = 0; g < P; g++) out[c * W + atPanel + g] = h ? h[c * P + g]! : Number.NaN;
      }
      return out;
    };
    const layers = new Map<string, Matrix>();
    for (const method of methodNames.slice(1))
      layers.set(layerName(method), { kind: "dense", nRows: tcells, nCols: W, values: assemble(method) });
    if (withPanel || scoredIdx.length) {
      // What the target measured, beside the predictions: the imputed genes it also measured (log-normalised over
      // all its genes) and the held-out panel genes (over the panel); NaN where it did not measure the gene.
      const measured = new Float32Array(tcells * W).fill(Number.NaN);
      const S = scoredIdx.length;
      for (let c = 0; c < tcells; c++) {
        scoredIdx.forEach((g, j) => {
          measured[c * W + g] = measuredOutside[c * S + j]!;
        });
        if (withPanel) for (let g = 0; g < P; g++) measured[c * W + atPanel + g] = tgtPanelLog[c * P + g]!;
      }
      layers.set("measured", { kind: "dense", nRows: tcells, nCols: W, values: measured });
    }
    const mainMethod = methodNames[0]!;
    const pccOf = new Map(perGene.filter((r) => r.method === mainMethod).map((r) => [r.gene, r.pcc]));
    const roles = [
      ...Array.from(choice.othersTarget, (j) => (j >= 0 ? "imputed, measured by the target" : "imputed")),
      ...priorOnly.map(() => PRIOR_ONLY_ROLE),
      ...(withPanel ? panel.map(() => "panel, held out") : []),
    ];
    const roleCats = [...new Set(roles)];
    const varColumns = new Map<string, Column>([
      ["role", { kind: "categorical", codes: Int32Array.from(roles, (r) => roleCats.indexOf(r)), categories: roleCats, ordered: false }],
      ["pcc", { kind: "numeric", values: Float64Array.from(names, (g) => pccOf.get(g) ?? Number.NaN) }],
    ]);
    const obs = new Map(tgt.dataset.obs.columns);
    const leidenCats = [...new Set(leiden)].sort((a, b) => a - b);
    obs.set("leiden", {
      kind: "categorical",
      codes: Int32Array.from(leiden, (c) => leidenCats.indexOf(c)),
      categories: leidenCats.map(String),
      ordered: false,
    });
    const obsm = new Map(tgt.dataset.obsm);
    obsm.set("X_sciLaMA", { nRows: tcells, nCols: latent, values: m.e.cellMu });
    obsm.set("X_umap", { nRows: tcells, nCols: 2, values: umap });
    const uns: { [k: string]: Json } = {
      impute: {
        mode: "panel",
        reference: basename(o.reference),
        target: basename(o.target),
        panel,
        evaluation: evaluationName(o.evaluation),
        prior: m.name,
        preset: o.preset,
        seed: o.seed,
        hyper: hyper as unknown as Json,
        coverage: cv as unknown as Json,
        device: m.r.provider,
        seconds: timer.seconds,
        methods: methods as unknown as Json,
        layers: Object.fromEntries(methodNames.slice(1).map((n) => [layerName(n), n])),
        recommended: recommended as Json,
      },
    };
    return {
      X: { kind: "dense", nRows: tcells, nCols: W, values: assemble(mainMethod) },
      obs: { index: tgt.dataset.obs.index, columns: obs },
      var: { index: names, columns: varColumns },
      obsm,
      varm: new Map(),
      layers,
      uns,
    };
  }
}

/** A method's layer name in the result ("kNN-50 from the reference (SpaGE)" → "knn"). */
export function layerName(method: string): string {
  if (method.startsWith("kNN")) return "knn";
  if (method.startsWith("reference gene mean")) return "mean";
  const m = /^sciLaMA \((.*)\)$/.exec(method);
  return m ? `sciLaMA_${m[1]!.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_|_$/g, "")}` : method;
}
