/**
 * scPaLM's settings as the app and the CLI take them — types, defaults and ranges, the one table the CLI's flags, the
 * API's schema and the wizard (through the plan) read. A training run pre-trains (a named configuration, its
 * architecture optionally made smaller or larger) or fine-tunes (the model's architecture, the configuration's
 * schedule and optimiser); a pathway-token run reads one dataset through a model.
 */
import { type Limit, rangeProblem, SettingError } from "../../isomorphic/limits.js";
import { SCPALM_HYPER_LIMITS as H, type ScPaLMConfigName, type ScPaLMHyper } from "../../models/scpalm-hyper.js";

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

/** The ranges the app and the CLI accept: the configuration's own (`SCPALM_HYPER_LIMITS`, which the configurations'
 *  validation also checks, with how the fields fit together, e.g. heads dividing the width) and the run's. */
export const SCPALM_LIMITS = {
  epochs: H.epochs,
  seed: { min: 0, max: 2 ** 31 - 1, integer: true },
  top: { min: 3, max: 100, integer: true },
  datasets: { min: 1, max: 50, integer: true },
  tokens: H.tokens,
  hidden: H.hidden,
  ffn: H.ffn,
  layers: H.layers,
  heads: H.heads,
  codes: H.codes,
  batch: H.batch,
} as const satisfies Record<string, Limit>;

/** The fewest cells each use of scPaLM can work with (found by trying): a training 2 (its contrastive term compares
 *  cells), pathway tokens and an embedding 3 (the cell map's UMAP; the embedding's Leiden clusters need 2). */
export const SCPALM_MIN_CELLS = { train: 2, pathways: 3, embed: 3 } as const;

/** The configuration with the run's epochs (both stages) and architecture laid over it; epochs out of range (0
 *  included: it never means "the configuration's") are refused. */
export function trainingHyper(
  config: ScPaLMHyper,
  o: { epochs?: number | undefined; architecture?: ScPaLMArchitectureChoice | undefined },
): ScPaLMHyper {
  const h = { ...config, ...o.architecture };
  if (o.epochs === undefined) return h;
  const problem = rangeProblem("epochs", o.epochs, SCPALM_LIMITS.epochs);
  if (problem) throw new SettingError(problem);
  return { ...h, stage1: { ...h.stage1, epochs: o.epochs }, stage2: { ...h.stage2, epochs: o.epochs } };
}
