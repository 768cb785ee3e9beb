/**
 * The integration's settings: their types, defaults, ranges and presets — the one table the CLI's flags, the API's
 * schema and the wizard (through the plan) read.
 */

import type { Limit } from "../../isomorphic/limits.js";
import { PRESETS, type Preset, type SciLaMAHyper } from "../../models/scilama-hyper.js";

export { PRESETS, type Preset, type SciLaMAHyper };

export const PRESET_NAMES = Object.keys(PRESETS) as Preset[];

/** PCA of globally scaled data (no batch correction), PCA of per-batch-scaled data (what the scaling alone buys), MNN
 *  correction of the first, sciLaMA with the paper's controls and the bundled prior, and the cell token of the bundled
 *  scPaLM model applied zero-shot (no training on your data; seconds). */
export const BASELINES = ["pca", "pca-batch", "mnn", "self", "bundled", "shuffled", "scpalm"] as const;
export type Baseline = (typeof BASELINES)[number];

/**
 * How each gene is z-scored before the model: within each batch ("batch", the default when there are batches) or over
 * all cells ("global", the sciLaMA appendix taken literally). The appendix does not say which; over all cells, each
 * technology's gene-wise offsets reach the model as signal and batches stay apart (pancreas, Quick: iLISI 0.009 global
 * against 0.563 per batch). Per batch removes real differences when a batch lacks a cell type the others have: the
 * wizard then recommends "global" (`scalingAdvice`).
 */
export const SCALINGS = ["batch", "global"] as const;
export type Scaling = (typeof SCALINGS)[number];

export interface IntegrationSettings {
  datasets: number[];
  batch: string | null;
  label: string | null;
  /** "bundled", "self", "random", "shuffled", or a prior file's path. */
  prior: string;
  preset: Preset;
  hyper: Partial<SciLaMAHyper>;
  seed: number;
  hvg: number;
  scaling: Scaling;
  baselines: Baseline[];
  /** The scPaLM training run of the project whose model embeds the cells for the "scpalm" baseline; absent: the
   *  bundled model. */
  scpalmModel?: number;
}

/** The same defaults in the app and the CLI. Quick: a first run on a laptop's CPU should end in minutes; Standard
 *  and Thorough (the reference's schedule) are one choice away. 2,000 highly variable genes as scanpy's tutorials.
 *  The trivial baselines (the two PCAs, MNN) cost seconds and are always worth seeing; the sciLaMA controls (self-informed,
 *  bundled, shuffled prior) each train the model again, so they are asked for. */
export const INTEGRATION_DEFAULTS = {
  prior: "bundled",
  preset: "quick",
  seed: 0,
  hvg: 2000,
  scaling: "batch",
  baselines: ["pca", "pca-batch", "mnn"],
} as const satisfies Partial<IntegrationSettings>;

/** The hyper-parameters the Advanced panel may change, within ranges that can train. */
export const HYPER_LIMITS = {
  latent: { min: 2, max: 512, integer: true },
  batch: { min: 8, max: 100_000, integer: true },
  lr: { min: 1e-6, max: 1 },
  lrDecay: { min: 0.5, max: 1 },
  maxEpochs: { min: 1, max: 5000, integer: true },
  patience: { min: 1, max: 1000, integer: true },
  earlyStopStart: { min: 0, max: 5000, integer: true },
  dropout: { min: 0, max: 0.9 },
  gamma: { min: 0, max: 10 },
  weightDecay: { min: 0, max: 1 },
  valFraction: { min: 0, max: 0.5 },
} as const satisfies Partial<Record<keyof SciLaMAHyper, Limit>>;

/** The other numeric settings' ranges. `hvg` 0 means every gene the prior covers. */
export const INTEGRATION_LIMITS = {
  hvg: { min: 0, max: 100_000, integer: true },
  seed: { min: 0, max: 2 ** 31 - 1, integer: true },
  hidden: { min: 8, max: 4096, integer: true },
  betaZeroEpochs: { min: 0, max: 5000, integer: true },
  betaStep: { min: 0, max: 1 },
  betaMax: { min: 0, max: 10 },
} as const satisfies Record<string, Limit>;

/** Fewer highly variable genes than this model too little of the transcriptome (0, all genes, is always allowed). */
export const MIN_HVG = 50;
