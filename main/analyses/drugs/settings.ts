/**
 * The drug-response analysis' settings: which cell-line inputs the model reads, the training preset, the evaluation
 * splits — one table that the CLI's flags, the API and the wizard read.
 */
import type { Limit } from "../../isomorphic/limits.js";

/**
 * Cell-line inputs the model can read: CCLE per-gene z-scores and binary mutations over 706 census genes, and scPaLM's
 * cell token h_C of the line's expression (the paper's §4.3 representation; `scpalm-lines.ts`).
 */
export const OMICS = ["expression", "mutation", "copyNumber", "scpalm"] as const;
export type OmicsKind = (typeof OMICS)[number];

export const DRUG_SPLITS = ["random", "cells", "drugs"] as const;

export const DRUG_DEFAULTS = {
  omics: ["expression"] as OmicsKind[],
  preset: "standard" as const,
  seed: 0,
};

export const DRUG_LIMITS = {
  seed: { min: 0, max: 2 ** 31 - 1, integer: true },
  epochs: { min: 1, max: 500, integer: true },
  /** Ensemble members of the bundled model. */
  seeds: { min: 1, max: 10, integer: true },
} as const satisfies Record<string, Limit>;

/** What each split's held-out pairs stand for, said beside its table. */
export const SPLIT_MEANING: Record<(typeof DRUG_SPLITS)[number], string> = {
  random: "random pairs (8:1:1, stratified by cell line): drugs and cell lines both seen in training",
  cells: "leave cell lines out: what applying the model to a new sample is",
  drugs: "leave drugs out: what a new compound is",
};

/** What a prediction accepts: the same bounds for the CLI, the API's schema and the wizard (through the plan). */
export const PREDICT_LIMITS = {
  /** Groups compared in one run (each a row of the heatmap); one group is refused by the engine (samples.ts). */
  groups: { min: 2, max: 500, integer: true },
  /** The user's own molecules in one run. */
  molecules: { min: 0, max: 50, integer: true },
  /** Characters of a SMILES string, and of a molecule's name. */
  smiles: { min: 1, max: 1000, integer: true },
  name: { min: 1, max: 100, integer: true },
} as const satisfies Record<string, Limit>;
