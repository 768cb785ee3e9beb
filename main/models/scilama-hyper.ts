/**
 * sciLaMA's hyper-parameters, the reference's defaults and the presets — plain data with no imports, so that settings
 * tables (the CLI's flags, the wizard's plan) can read them without loading the training engine.
 */
export interface SciLaMAHyper {
  hidden: number[];
  latent: number;
  dropout: number;
  /** Weight of the alignment term in step 3. */
  gamma: number;
  batch: number;
  lr: number;
  /** Learning-rate multiplier per epoch. */
  lrDecay: number;
  weightDecay: number;
  /** KL weight: 0 up to epoch `zeroEpochs`, then +`step` per epoch up to `max`. */
  beta: { zeroEpochs: number; step: number; max: number };
  /** Per step. */
  maxEpochs: number;
  patience: number;
  /** Early stopping is not considered before this epoch (β has reached its maximum by then). */
  earlyStopStart: number;
  /** Fraction of cells held out for the validation loss (0: no validation, no early stopping). */
  valFraction: number;
}

/** The reference's defaults (microsoft/sciLaMA config and paper): the "thorough" preset. */
export const SCILAMA_DEFAULTS: SciLaMAHyper = {
  hidden: [900, 400],
  latent: 50,
  dropout: 0.1,
  gamma: 0.05,
  batch: 128,
  lr: 1e-3,
  lrDecay: 0.99,
  weightDecay: 0,
  beta: { zeroEpochs: 25, step: 0.05, max: 1 },
  maxEpochs: 500,
  patience: 25,
  earlyStopStart: 45,
  valFraction: 0.1,
};

export type Preset = "quick" | "standard" | "thorough";

/** Presets shorten the schedule, never the architecture: the β warm-up and patience scale with the epoch budget. */
export const PRESETS: Record<Preset, SciLaMAHyper> = {
  quick: { ...SCILAMA_DEFAULTS, maxEpochs: 30, beta: { zeroEpochs: 4, step: 0.2, max: 1 }, patience: 6, earlyStopStart: 10 },
  standard: { ...SCILAMA_DEFAULTS, maxEpochs: 150, beta: { zeroEpochs: 10, step: 0.1, max: 1 }, patience: 15, earlyStopStart: 20 },
  thorough: SCILAMA_DEFAULTS,
};
