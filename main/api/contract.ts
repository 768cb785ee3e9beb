/**
 * What the renderer sees of the engine: the shapes the Studio API answers with and the events it pushes. Both hosts
 * (Electron IPC and the local web host) carry exactly these; the renderer imports this file for types only.
 */

import type { PREDICT_LIMITS } from "../analyses/drugs/settings.js";
import type { DropoutRow, ScPaLMDropouts } from "../analyses/impute/denoise.js";
import type { GENE_SETS, GeneRow, MethodRow } from "../analyses/impute/scores.js";
import type { IMPUTE_DEFAULTS, IMPUTE_LIMITS, PanelBaseline } from "../analyses/impute/settings.js";
import type { MetricRow } from "../analyses/integrate/evaluate.js";
import type {
  Baseline,
  HYPER_LIMITS,
  INTEGRATION_DEFAULTS,
  INTEGRATION_LIMITS,
  IntegrationSettings,
  Preset,
  Scaling,
  SciLaMAHyper,
} from "../analyses/integrate/settings.js";
import type { MARKERS_DEFAULTS, MARKERS_LIMITS, MarkersSettings } from "../analyses/markers/settings.js";
import type {
  SCPALM_DEFAULTS,
  SCPALM_LIMITS,
  ScPaLMArchitectureChoice,
  ScPaLMConfigName,
  ScPaLMPathwaysSettings,
  ScPaLMSettings,
  ScPaLMTrainingSettings,
} from "../analyses/scpalm/settings.js";
import type { LossPoint } from "../analyses/stages.js";
import type { MarkerSetQuality } from "../analysis/modules.js";
import type { BaselineRow } from "../drugs/baselines.js";
import type { DotPlot } from "../isomorphic/dotplot.js";
import type { Limit } from "../isomorphic/limits.js";
import type { CorpusCoverage } from "../models/scpalm-corpus.js";
import type { ScPaLMHyper } from "../models/scpalm-hyper.js";
import type { DatasetSummary } from "../store/import.js";

export type {
  Baseline,
  BaselineRow,
  DatasetSummary,
  DropoutRow,
  GeneRow,
  IntegrationSettings,
  Limit,
  LossPoint,
  MarkerSetQuality,
  MarkersSettings,
  MethodRow,
  MetricRow,
  PanelBaseline,
  Preset,
  Scaling,
  SciLaMAHyper,
  ScPaLMArchitectureChoice,
  ScPaLMConfigName,
  ScPaLMDropouts,
  ScPaLMHyper,
  ScPaLMPathwaysSettings,
  ScPaLMSettings,
  ScPaLMTrainingSettings,
};

export interface ProjectCard {
  dir: string;
  name: string;
  openedAt: string;
  /** The folder no longer holds a project (moved or deleted): shown greyed, not opened. */
  missing: boolean;
  datasets: number;
  runs: number;
}

export interface Home {
  recent: ProjectCard[];
  demo: string;
  /** Where new projects go when the user does not pick a folder. */
  projectsRoot: string;
  version: string;
}

export interface DatasetCard {
  id: number;
  name: string;
  status: "importing" | "ready" | "failed";
  format: string | null;
  cells: number | null;
  genes: number | null;
  error: string | null;
  summary: DatasetSummary | null;
  createdAt: string;
}

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export interface RunCard {
  id: number;
  kind: string;
  status: RunStatus;
  progress: number;
  phase: string | null;
  device: string | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  datasets: number[];
  /** The settings an integration run was started with. */
  config: IntegrationSettings | null;
  /** The settings a markers run was started with. */
  markers: MarkersSettings | null;
  /** The settings an imputation run was started with. */
  impute: ImputeSettings | null;
  /** The settings a drug-response run was started with. */
  drugs: DrugSettings | null;
  /** The settings an scPaLM run (training or pathway tokens) was started with. */
  scpalm: ScPaLMSettings | null;
  timings: Record<string, number> | null;
}

export interface ProjectView {
  dir: string;
  name: string;
  datasets: DatasetCard[];
  runs: RunCard[];
  events: { ts: string; level: "info" | "warning" | "error"; message: string }[];
}

/** A cell column as the wizard offers it. */
export interface ColumnInfo {
  name: string;
  kind: "categorical" | "numeric" | "text";
  /** Distinct values (for numeric columns too). */
  distinct: number;
  examples: string[];
  /** Why it is or is not a sensible batch / label column. */
  batchNote: string | null;
  labelNote: string | null;
}

/** Whether to scale genes within batches for this choice of batch and label (`scalingAdvice`). */
export interface ScalingAdviceView {
  recommended: Scaling;
  warnings: string[];
  confounding: number | null;
}

export interface IntegrationPlan {
  cells: number;
  /** Genes shared by all chosen datasets. */
  sharedGenes: number;
  /** Columns present in every chosen dataset. */
  columns: ColumnInfo[];
  /** "dataset" when several datasets are chosen (the file each cell came from) — always a valid batch. */
  datasetColumn: string | null;
  suggested: { batch: string | null; label: string | null };
  presets: Record<Preset, SciLaMAHyper>;
  /** Where the wizard starts, and what it accepts: the same table the CLI and the API check against. */
  defaults: typeof INTEGRATION_DEFAULTS;
  limits: typeof INTEGRATION_LIMITS & { hyper: typeof HYPER_LIMITS; minHvg: number };
}

export interface PriorCoverage {
  prior: string;
  genes: number;
  covered: number;
  fraction: number;
  /** Up to 20 of the dataset's genes the prior lacks. */
  missingExamples: string[];
}

export interface RunResult {
  run: RunCard;
  metrics: MetricRow[];
  cells: number;
  /** The UMAPs (x, y interleaved): sciLaMA's, then scPaLM's when the run embedded the cells with it too; each with
   *  the name of its own clusters' column in `groups`. */
  maps: { embedding: string; clusters: string; umap: number[] }[];
  /** The scPaLM model of the second map ("bundled model, zero-shot", "run 3's model"), when there is one. */
  scpalmModel: string | null;
  /** Categorical cell columns to colour by: batch, label, Leiden clusters (and scPaLM's). */
  groups: { name: string; role: "batch" | "label" | "cluster"; categories: string[]; codes: number[] }[];
  genes: string[];
  losses: LossPoint[];
  files: { kind: string; path: string }[];
}

export interface MarkersPlan {
  sourceRun: number;
  cells: number;
  genes: number;
  /** The result's cell columns; `labelNote` says why one cannot group cells. */
  columns: ColumnInfo[];
  suggested: string | null;
  defaults: typeof MARKERS_DEFAULTS;
  limits: typeof MARKERS_LIMITS;
}

export interface EnrichedTerm {
  term: string;
  description: string;
  collection: string;
  q: number;
  /** Module genes in the set. */
  overlap: string[];
  setSize: number;
}

export interface ModuleCard {
  module: number;
  /** Its genes, most central first. */
  genes: string[];
  /** The group it marks (highest mean module score) and the margin over the next group. */
  group: string;
  specificity: number;
  /** Mean module score per group (MarkersSummary.groups order). */
  meanScore: number[];
  /** Enriched terms with q < 0.05, best first (at most 15). */
  terms: EnrichedTerm[];
}

/** What a finished markers run shows (saved as its view.json). */
export interface MarkersSummary {
  species: "human" | "mouse";
  cells: number;
  groups: string[];
  genes: string[];
  /** Module per gene, and the gene UMAP (x, y interleaved). */
  module: number[];
  umap: number[];
  /** The same genes on the static prior: its gene UMAP (null for genes the prior lacks) and its own modules. */
  prior: { umap: (number | null)[]; module: number[]; modules: number } | null;
  modules: ModuleCard[];
  quality: { markerSets: Record<string, string[]>; contextual: MarkerSetQuality | null; prior: MarkerSetQuality | null };
  /** Top markers per group: fraction expressing and log2 fold change, groups × genes. */
  dotplot: DotPlot;
  seconds: Record<string, number>;
}

export interface MarkersView extends MarkersSummary {
  run: RunCard;
  settings: MarkersSettings;
  files: { kind: string; path: string }[];
}

/** An imputation as the wizard starts it (and a run keeps it, to run it again). Panel mode: a reference's genes
 *  predicted onto a target that measured a panel; dropout mode: one dataset's zeros imputed. */
export type ImputeSettings =
  | {
      mode: "panel";
      reference: number;
      target: number;
      /** Panel genes; absent: every target gene the reference also measures. */
      panel?: string[];
      /** Genes to impute; absent: every reference gene the prior covers. */
      genes?: string[];
      /** "kfold:5", "logo" or "none". */
      evaluation: string;
      /** Folds over the target's genes outside the panel, each left out of the model (the prior alone); 0: none. */
      unseen?: number;
      prior: string;
      preset: Preset;
      /** Epochs per training step, overriding the preset's. */
      epochs?: number;
      seed: number;
      baselines: PanelBaseline[];
    }
  | {
      mode: "dropouts";
      dataset: number;
      /** Fraction of entries masked for the benchmark (0: the denoised layer only). */
      mask: number;
      /** Mask only non-zero entries. */
      nonzero: boolean;
      prior: string;
      preset: Preset;
      epochs?: number;
      seed: number;
    };

/** One dataset as the imputation wizard sees it. */
export interface ImputeDataset {
  id: number;
  name: string;
  cells: number;
  genes: string[];
  /** It has cell coordinates (`obsm['spatial']`): results are drawn on the tissue. */
  spatial: boolean;
}

export interface ImputePlan {
  /** Panel mode's reference (null in dropout mode). */
  reference: ImputeDataset | null;
  /** The target, or in dropout mode the one dataset. */
  target: ImputeDataset;
  /** Genes both measure (matched by id). */
  sharedGenes: number;
  /** The suggested panel: the target's genes the reference also measures, as the target names them. */
  panel: string[];
  presets: Record<Preset, SciLaMAHyper>;
  baselines: readonly PanelBaseline[];
  defaults: typeof IMPUTE_DEFAULTS;
  limits: typeof IMPUTE_LIMITS;
  minPanel: number;
  minCells: { target: number; dropouts: number };
}

/** One gene of a result: its role and, per method, its accuracy (PCC) where it could be scored. */
export interface ImputedGene {
  gene: string;
  role: string;
  set: GeneRow["set"] | null;
  pcc: Record<string, number | null>;
}

export interface ImputeView {
  run: RunCard;
  mode: "panel" | "dropouts";
  /** What `uns['impute']` records: reference, target, evaluation, prior, preset, hyper, coverage, device, … */
  record: Record<string, unknown>;
  /** Panel mode: method × gene set (mean ± s.e.m. over the genes) and the best method per set. */
  methods: MethodRow[];
  recommended: Partial<Record<GeneRow["set"], string>>;
  geneSets: typeof GENE_SETS;
  /** Dropout mode: RMSE and MAE on the masked entries per method. */
  dropouts: DropoutRow[];
  /** The result's genes (imputed, then held-out panel genes) with their accuracy per method. */
  genes: ImputedGene[];
  /** The method whose values are X (the model the user trained), and each baseline's layer. */
  main: string;
  layers: Record<string, string>;
  cells: number;
  /** x, y interleaved. */
  umap: number[];
  spatial: number[] | null;
  groups: { name: string; categories: string[]; codes: number[] }[];
  files: { kind: string; path: string }[];
}

/** One gene in every cell of a result: the imputed values (X), each baseline layer, and what the target measured
 *  (null where it did not measure the gene). */
export interface ImputeGeneValues {
  gene: string;
  role: string;
  imputed: number[];
  measured: (number | null)[] | null;
  layers: Record<string, number[]>;
}

/** A drug-response prediction as the wizard starts it (and a run keeps it, to run it again). */
export interface DrugSettings {
  dataset: number;
  /** The cell column whose groups are pseudobulked and compared. */
  groupby: string;
  /** Names of the model's drugs; absent: all of them (an empty list: only your molecules). */
  drugs?: string[];
  /** The user's own molecules. */
  molecules?: { name: string; smiles: string }[];
  /** TCGA code whose CCLE lines the predictions are placed among; absent: all lines. */
  cancerType?: string;
}

/** A cell column as the drug wizard offers it: its groups with their cell counts (in the order the result lists
 *  them), or why it cannot group cells (`labelNote`; then `groups` is null). */
export interface DrugColumn extends ColumnInfo {
  groups: { name: string; cells: number }[] | null;
}

/** One of the model's drugs, as the drug picker lists it. */
export interface DrugInfo {
  name: string;
  cid: string | null;
  targets: string[];
  pathway: string | null;
  /** The model's held-out PCC for this drug per evaluation split (null: too few test pairs). */
  heldOutPcc: Partial<Record<string, number | null>>;
}

export interface DrugPlan {
  dataset: { id: number; name: string; cells: number; genes: number };
  columns: DrugColumn[];
  suggested: string | null;
  /** The model's genes found in the dataset; fewer than `needed` is refused. */
  coverage: { matched: number; total: number; needed: number };
  drugs: DrugInfo[];
  pathways: string[];
  /** TCGA types of the CCLE lines, with their names and line counts; `lines`: all lines. */
  cancerTypes: { code: string; name: string; lines: number }[];
  lines: number;
  warning: string;
  limits: typeof PREDICT_LIMITS;
}

/** A SMILES string checked as the model would read it: RDKit's canonical form, heavy atoms and its drawing (a plain
 *  SVG, shown as an image), or why it cannot be a drug. */
export type MoleculeCheck = { valid: true; smiles: string; atoms: number; svg: string } | { valid: false; problem: string };

/** A drug as a prediction names it: the bundled drugs' annotations, or a molecule the user gave. */
export interface DrugIdentity {
  name: string;
  cid: string | null;
  smiles: string;
  targets: string[];
  pathway: string | null;
  /** A molecule the user gave (not in the training data). */
  custom: boolean;
  /** Held-out PCC of this drug per evaluation split (bundled drugs). */
  heldOutPcc: Partial<Record<string, number | null>>;
}

/** A drug of a result and what its predictions are read against. */
export interface ResultDrug extends DrugIdentity {
  /** Median ln IC50 over all CCLE lines: measured, or for a new molecule the model's predictions for them. */
  median: number;
  /** ln IC50 of the cancer type's lines (all lines without a type), sorted; `linesKind` says measured or predicted. */
  lines: number[];
  linesKind: "measured" | "predicted";
}

/** What a finished drug-response run shows (its result.json). */
export interface DrugResult {
  /** The dataset as the project names it. */
  dataset: string;
  groupby: string;
  groups: string[];
  /** Cells pooled into each group. */
  sizes: number[];
  /** Cells left out of every group: no value in the grouping column (absent in runs recorded before it was kept). */
  leftOut?: number;
  drugs: ResultDrug[];
  /** groups × drugs, row-major: ln IC50 (ensemble mean and sd), rank in the group (1 = lowest), percentile among the
   *  type's measured lines (null without any), and the prediction minus the drug's median. */
  pred: number[];
  sd: number[];
  rank: number[];
  percentile: (number | null)[];
  relative: number[];
  /** Per group, the CCLE lines whose expression correlates best with it. */
  nearest: { id: string; name: string | null; tcga: string | null; r: number }[][];
  coverage: { matched: number; total: number; missing: string[] };
  cancerType: string | null;
  warning: string;
  /** The model's evaluation per split (what its held-out pairs stand for): the model's row first, then the baselines. */
  evaluation: { split: string; meaning: string; rows: BaselineRow[] }[];
  /** Ensemble members (their spread is the sd). */
  members: number;
  /** Each cell's group (−1: none) and the dataset's UMAP (x, y interleaved), when it has `obsm['X_umap']`. */
  cells: { codes: number[]; umap: number[] } | null;
}

export interface DrugView extends DrugResult {
  run: RunCard;
  files: { kind: string; path: string }[];
}

/** A model an scPaLM run can fine-tune or read a dataset with. */
export interface ScPaLMModelCard {
  /** The training run that made it; null: the bundled model. */
  runId: number | null;
  name: string;
  /** Its vocabulary's size and architecture. */
  genes: number;
  tokens: number;
  hidden: number;
  layers: number;
  codes: number;
  codesUsed: number;
  corpus: CorpusCoverage[];
}

export interface ScPaLMPlan {
  configs: Record<ScPaLMConfigName, ScPaLMHyper>;
  defaults: typeof SCPALM_DEFAULTS;
  limits: typeof SCPALM_LIMITS;
  /** The bundled model first (when it is installed), then the project's trained ones, newest first. */
  models: ScPaLMModelCard[];
}

/** One stage of a training as its log keeps it: per epoch the mean losses, and in stage 1 the codes in use. */
export interface ScPaLMStageLog {
  stage: 1 | 2;
  epochs: number;
  seconds: number;
  history: { epoch: number; losses: Record<string, number>; codesUsed?: number; deadReplaced?: number }[];
}

/** What a finished training run shows (its view.json). */
export interface ScPaLMTrainingSummary {
  kind: "training";
  hyper: ScPaLMHyper;
  /** The model it was fine-tuned from (null: pre-trained from scratch). */
  start: string | null;
  /** The vocabulary's size and the corpus. */
  genes: number;
  corpus: CorpusCoverage[];
  cells: number;
  codesUsed: number;
  stages: ScPaLMStageLog[];
  provider: string;
  seconds: Record<string, number>;
}

/** A used pathway token: the cells using it, its top genes (Appendix D's association) and their enriched terms. */
export interface PathwayToken {
  code: number;
  cells: number;
  fraction: number;
  genes: string[];
  scores: number[];
  /** q < 0.05, best first (at most 10). */
  terms: EnrichedTerm[];
}

/** What a finished pathway-token run shows (its view.json). */
export interface ScPaLMPathwaysSummary {
  kind: "pathways";
  dataset: string;
  model: string;
  cells: number;
  /** Tokens per cell and the codebook's size. */
  tokens: number;
  codes: number;
  /** The model's vocabulary and how many of its genes the dataset measured. */
  vocabulary: number;
  measured: number;
  used: PathwayToken[];
  /** x, y per cell: the dataset's own UMAP, else one of scPaLM's cell token. */
  umap: number[];
  umapSource: "dataset" | "scPaLM";
  provider: string;
  seconds: Record<string, number>;
}

export type ScPaLMView = (ScPaLMTrainingSummary | ScPaLMPathwaysSummary) & {
  run: RunCard;
  settings: ScPaLMSettings;
  files: { kind: string; path: string }[];
};

/** Whether a cancelled or interrupted training can continue from its checkpoints. */
export interface ScPaLMCheckpoints {
  resumable: boolean;
  /** How far the checkpoints go, in words (null without any). */
  where: string | null;
  /** The run that continued it, if one did. */
  resumedIn: number | null;
}

export type StudioEvent =
  | { type: "import"; project: string; ticket: string; name: string; phase: string; fraction: number }
  | { type: "import-done"; project: string; ticket: string; name: string; datasetId: number | null; error: string | null }
  | {
      type: "run";
      project: string;
      runId: number;
      stage: string;
      variant: string | null;
      /** The training step, e.g. "step 2 of 3: gene VAE (cell nets frozen)". */
      phase: string | null;
      fraction: number;
      epoch: number | null;
      epochs: number | null;
      etaSec: number | null;
      cellsPerSec: number | null;
      device: string | null;
      point: LossPoint | null;
    }
  | { type: "run-done"; project: string; runId: number; status: RunStatus; error: string | null };
