/**
 * sciLaMA as a panel imputation trains it: on the reference, the cell encoder reading some panel genes (the model's
 * first columns), the decoder reconstructing the other modelled genes, some genes left out altogether; then the
 * target's cells encoded from the same panel genes and genes predicted — a modelled gene as x̂ = h_cell · h_gene + b, a
 * gene the model never saw from its prior alone (h_gene from the gene model; b = 0, the mean of a z-scored gene).
 */
import { embedGenes, embedSciLaMA, reconstruct, type SciLaMAEmbeddings } from "../../models/scilama.js";
import type { SciLaMAHyper } from "../../models/scilama-hyper.js";
import { type SciLaMAResult, trainSciLaMA } from "../../models/scilama-train.js";
import type { ProviderChoice } from "../../train/providers.js";
import type { GeneInputs, Variant } from "../integrate/gene-inputs.js";
import { inputsName } from "../integrate/gene-inputs.js";
import { type StageHooks, Stopped, trainingDone } from "../stages.js";
import { type PanelData, pick } from "./panel-data.js";

/** What one training is: the panel positions the encoder reads, the columns to predict, the columns left out. */
export interface Fit {
  encoder: Int32Array;
  predict: Int32Array;
  unseen?: Int32Array;
  /** Shown with the stage and the training progress ("on the whole panel", "without panel fold 2/5"). */
  label: string;
}

export interface Fitted {
  result: SciLaMAResult;
  /** The target's cells through the trained model. */
  target: SciLaMAEmbeddings;
  /** The gene inputs' name ("GO + pathways (bundled)"). */
  name: string;
  /** Target cells × `predict`, in the reference's log-normalised units, each gene clipped to the range the reference
   *  measured (`PanelData.refMin`/`refMax`). */
  predictions: Float64Array;
  /** How many of the predictions were outside that range (and clipped). */
  clipped: number;
}

export interface FitContext {
  data: PanelData;
  inputs: GeneInputs;
  hyper: SciLaMAHyper;
  seed: number;
  provider: ProviderChoice;
  hooks: StageHooks;
  /** Where this training stands among the run's, for the run's progress. */
  progress: { index: number; of: number };
  /** Times a stop throws with. */
  seconds: Record<string, number>;
  /** Called when the training is done, before the prediction (to time them apart). */
  onTrained?: () => void;
}

/** The inputs of `variant` for genes the model never saw (random vectors from another stream than the modelled
 *  genes', which the same seed would repeat; a shuffled prior keeps the training's shuffle). */
function unseenInputs(ctx: FitContext, variant: Variant, names: string[]): Float32Array[] {
  const seed = variant === "random" ? ctx.seed + 0x5eed : ctx.seed;
  return ctx.inputs.inputs(variant, names, new Float32Array(0), ctx.data.cells, seed).map((g) => g.values);
}

export async function fitPanelModel(ctx: FitContext, variant: Variant, f: Fit): Promise<Fitted> {
  const d = ctx.data;
  const G = d.modelled.length;
  const skip = new Set([...f.encoder, ...(f.unseen ?? [])]);
  const order = Int32Array.from([...f.encoder, ...[...Array(G).keys()].filter((g) => !skip.has(g))]);
  const position = new Int32Array(G).fill(-1);
  order.forEach((g, i) => {
    position[g] = i;
  });
  const x = pick(d.x, d.cells, G, order);
  const names = (cols: ArrayLike<number>) => Array.from(cols, (g) => d.modelled[g]!);
  const geneInputs = ctx.inputs.inputs(variant, names(order), x, d.cells, ctx.seed);
  const name = inputsName(geneInputs);
  ctx.hooks.emit?.({ type: "stage", stage: `training sciLaMA (${name}) ${f.label}`, fraction: null });
  const { index, of } = ctx.progress;
  const result = await trainSciLaMA(
    { x, cells: d.cells, genes: order.length, covariates: null, nCovariates: 0, geneInputs, encoderGenes: f.encoder.length },
    {
      hyper: ctx.hyper,
      seed: ctx.seed,
      provider: ctx.provider,
      ...(ctx.hooks.shouldStop ? { shouldStop: ctx.hooks.shouldStop } : {}),
      onProgress: (progress, step) =>
        ctx.hooks.emit?.({
          type: "training",
          variant: `${name} ${f.label}`,
          progress,
          fraction: 0.05 + (0.9 * (index + trainingDone(progress, step))) / of,
        }),
    },
  );
  if (result.status === "stopped") throw new Stopped(ctx.seconds);
  ctx.onTrained?.();
  // The target's cells from the encoder's panel genes, z-scored on their own.
  const target = await embedSciLaMA(
    result.config,
    result.models,
    pick(d.tgtPanelZ, d.tcells, d.panel.length, f.encoder),
    null,
    d.tcells,
    geneInputs.map((g) => g.values),
    ctx.provider,
  );
  const l = result.config.hidden[0]!;
  const b = result.params.get("cell.out.b") as Float32Array;
  const unseen = f.unseen ?? new Int32Array(0);
  const unseenHidden = unseen.length
    ? (await embedGenes(result.config, result.models.genes, unseenInputs(ctx, variant, names(unseen)), unseen.length, ctx.provider))
        .geneHidden
    : null;
  const n = f.predict.length;
  const predictions = new Float64Array(d.tcells * n);
  let clipped = 0;
  f.predict.forEach((g, j) => {
    const lo = d.refMin[g]!;
    const hi = d.refMax[g]!;
    const at = position[g]!;
    const u = at < 0 ? unseen.indexOf(g) : -1;
    if (at < 0 && u < 0) throw new Error(`internal: column ${g} is neither modelled nor unseen`);
    const hg = at >= 0 ? target.geneHidden.subarray(at * l, (at + 1) * l) : unseenHidden!.subarray(u * l, (u + 1) * l);
    const bias = at >= 0 ? b[at]! : 0;
    for (let c = 0; c < d.tcells; c++) {
      let v = bias;
      for (let k = 0; k < l; k++) v += target.cellHidden[c * l + k]! * hg[k]!;
      const x = v * d.refStd[g]! + d.refMean[g]!;
      if (x < lo || x > hi) clipped++;
      predictions[c * n + j] = Math.min(Math.max(x, lo), hi);
    }
  });
  return { result, target, name, predictions, clipped };
}

/**
 * Genes the reference does not measure, placed by the prior alone through a trained model: h_cell · h_gene for the
 * target's cells, in z-score units (their level in the reference is unknown), relative between cells, clipped at ±10
 * as the z-scores the model learned from were (`Z_CLIP`). Target cells × genes.
 */
export async function placeByPrior(ctx: FitContext, variant: Variant, fitted: Fitted, genes: string[]): Promise<Float32Array> {
  const r = fitted.result;
  const { geneHidden } = await embedGenes(r.config, r.models.genes, unseenInputs(ctx, variant, genes), genes.length, ctx.provider);
  return reconstruct(fitted.target.cellHidden, geneHidden, r.config.hidden[0]!, null).map((v) => Math.min(Math.max(v, -Z_CLIP), Z_CLIP));
}

/** The z-scores a panel model learns from are clipped at ±10 (`panelData`). */
export const Z_CLIP = 10;
