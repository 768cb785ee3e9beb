/**
 * The imputation's settings: types, defaults and ranges — the one table the CLI's flags, the API's schema and the
 * wizard read.
 */
import type { Evaluation } from "../../analysis/impute/folds.js";
import type { Limit } from "../../isomorphic/limits.js";
import { PRESETS, type Preset, type SciLaMAHyper } from "../../models/scilama-hyper.js";

export { type Evaluation, PRESETS, type Preset, type SciLaMAHyper };

/**
 * The methods every panel imputation can be compared with: each reference gene's mean (the floor: it correlates with
 * nothing), kNN regression from the reference over the panel (SpaGE), and sciLaMA with the paper's controls in place
 * of the chosen prior (self-informed, random and shuffled priors: what the prior buys, Table S6).
 */
export const PANEL_BASELINES = ["mean", "knn", "self", "random", "shuffled"] as const;
export type PanelBaseline = (typeof PANEL_BASELINES)[number];

export interface PanelSettings {
  reference: string;
  target: string;
  /** Panel genes; null: every target gene the reference also measures. */
  panel: string[] | null;
  /** Genes to impute; null: every reference gene that can be modelled. */
  genes: string[] | null;
  evaluation: Evaluation;
  preset: Preset;
  seed: number;
  baselines: PanelBaseline[];
}

/**
 * The same defaults in the app and the CLI. k-fold (5 models) as the default estimate, leave-one-gene-out (one model
 * per panel gene, the paper's protocol) one choice away. The gene mean and kNN cost seconds and are always worth
 * seeing; the sciLaMA controls each train the model again (and again per fold), so they are asked for. Imputation
 * needs a longer schedule than integration's Quick (CellBench, 274 reference cells: PCC 0.100 after Quick's 60
 * optimiser steps, 0.282 after Standard's), so Standard is the default.
 */
export const IMPUTE_DEFAULTS = {
  evaluation: { kind: "kfold", k: 5 },
  preset: "standard",
  seed: 0,
  baselines: ["mean", "knn"],
  k: 50,
  mask: 0.1,
  unseen: 0,
} as const;

export const IMPUTE_LIMITS = {
  folds: { min: 2, max: 50, integer: true },
  seed: { min: 0, max: 2 ** 31 - 1, integer: true },
  mask: { min: 0, max: 0.5 },
  /** Folds over the target's genes outside the panel, each left out of the model and predicted from the prior alone. */
  unseen: { min: 0, max: 20, integer: true },
  epochs: { min: 1, max: 5000, integer: true },
} as const satisfies Record<string, Limit>;

/** A panel needs at least this many genes for its cells to be told apart. */
export const MIN_PANEL = 3;
/** A target needs at least this many cells for a per-gene accuracy across cells. */
export const MIN_TARGET_CELLS = 10;

/** "kfold:5", "kfold", "logo" or "none"; null when it is none of these. */
export function parseEvaluation(v: string): Evaluation | null {
  if (v === "logo" || v === "none") return { kind: v };
  const m = /^kfold(?::(\d+))?$/.exec(v);
  if (!m) return null;
  const k = m[1] ? Number(m[1]) : IMPUTE_DEFAULTS.evaluation.k;
  return k >= IMPUTE_LIMITS.folds.min && k <= IMPUTE_LIMITS.folds.max ? { kind: "kfold", k } : null;
}

export const evaluationName = (e: Evaluation): string =>
  e.kind === "kfold" ? `${e.k}-fold over the panel genes` : e.kind === "logo" ? "leave-one-gene-out" : "none";
