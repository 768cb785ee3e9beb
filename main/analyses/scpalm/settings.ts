/**
 * scPaLM's settings as the app and the CLI take them — types, defaults and ranges, the one table the CLI's flags, the
 * API's schema and the wizard (through the plan) read. A training run pre-trains (a named configuration, its
 * architecture optionally made smaller or larger) or fine-tunes (the model's architecture, the configuration's
 * schedule and optimiser); a pathway-token run reads one dataset through a model.
 */
import type { Limit } from "../../isomorphic/limits.js";
import type { ScPaLMConfigName, ScPaLMHyper } from "../../models/scpalm-hyper.js";

export type { ScPaLMConfigName };

/** The architecture's fields a pre-training may change, and the batch size. */
export const ARCHITECTURE_KEYS = ["tokens", "hidden", "ffn", "layers", "heads", "codes", "batch"] as const;
export type ScPaLMArchitectureChoice = Partial<Pick<ScPaLMHyper, (typeof ARCHITECTURE_KEYS)[number]>>;

/** A pre-training or fine-tuning as the wizard starts it (and the run keeps it, to run or resume it again). */
export interface ScPaLMTrainingSettings {
  mode: "pretrain" | "finetune";
  /** The project's datasets the corpus is built from. */
  datasets: number[];
  config: ScPaLMConfigName;
  /** Epochs of each stage, overriding the configuration's. */
  epochs?: number;
  seed: number;
  /** Pre-training: the configuration's architecture changed (fine-tuning keeps the model's). */
  architecture?: ScPaLMArchitectureChoice;
  /** Fine-tuning: the earlier training run whose model is the start; absent: the bundled model. */
  from?: number;
  /** The cancelled or interrupted run whose checkpoints this run continues from. */
  resumes?: number;
}

/** Pathway tokens of a dataset through a model. */
export interface ScPaLMPathwaysSettings {
  mode: "pathways";
  dataset: number;
  /** The training run whose model reads the dataset; absent: the bundled model. */
  model?: number;
  /** Genes kept per token (its most associated ones), tested for enrichment. */
  top: number;
}

export type ScPaLMSettings = ScPaLMTrainingSettings | ScPaLMPathwaysSettings;

export const SCPALM_DEFAULTS = { config: "desktop", seed: 0, top: 10 } as const satisfies {
  config: ScPaLMConfigName;
  seed: number;
  top: number;
};

/** The ranges the app and the CLI accept; the architecture's are wide (the configurations' own validation then checks
 *  that the fields fit together, e.g. heads dividing the width). */
export const SCPALM_LIMITS = {
  epochs: { min: 1, max: 1000, integer: true },
  seed: { min: 0, max: 2 ** 31 - 1, integer: true },
  top: { min: 3, max: 100, integer: true },
  datasets: { min: 1, max: 50, integer: true },
  tokens: { min: 2, max: 1024, integer: true },
  hidden: { min: 4, max: 2048, integer: true },
  ffn: { min: 4, max: 8192, integer: true },
  layers: { min: 1, max: 48, integer: true },
  heads: { min: 1, max: 64, integer: true },
  codes: { min: 2, max: 4096, integer: true },
  batch: { min: 2, max: 4096, integer: true },
} as const satisfies Record<string, Limit>;

/** The configuration with the run's epochs (both stages) and architecture laid over it. */
export function trainingHyper(
  config: ScPaLMHyper,
  o: { epochs?: number | undefined; architecture?: ScPaLMArchitectureChoice | undefined },
): ScPaLMHyper {
  const h = { ...config, ...o.architecture };
  return o.epochs ? { ...h, stage1: { ...h.stage1, epochs: o.epochs }, stage2: { ...h.stage2, epochs: o.epochs } } : h;
}
