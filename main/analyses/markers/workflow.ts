/**
 * The markers workflow: an integration result (`X` log-normalised, `varm['sciLaMA_gene_mu']` the contextual gene
 * embeddings) and a cell grouping in → gene modules on the contextual embeddings and on the static prior, their
 * cluster quality on marker sets, which group each module marks, module enrichment, and Wilcoxon markers per group.
 * Marker sets for the quality indices are the caller's (known markers) or, by default, each group's top Wilcoxon
 * markers that belong to that group alone.
 */
import { type DeRow, rankGenesGroups } from "../../analysis/de.js";
import { bundledCollections, type Collection, type EnrichmentRow, readGmt } from "../../analysis/enrichment.js";
import {
  centrality,
  type GeneModules,
  geneModules,
  type MarkerSetQuality,
  type ModuleAssociation,
  markerSetQuality,
  moduleAssociation,
  moduleEnrichment,
  topMarkerSets,
} from "../../analysis/modules.js";
import type { Matrix } from "../../data/dataset.js";
import { cellText } from "../../data/frame.js";
import { guessGeneIdType } from "../../genes/detect.js";
import { DataError } from "../../io/errors.js";
import { H5adFile } from "../../io/h5ad/read.js";
import { alignPrior, bundledPrior } from "../../priors/index.js";
import { type StageHooks, Stages } from "../stages.js";
import { MARKERS_DEFAULTS } from "./settings.js";

export interface MarkersOptions {
  file: string;
  groupby: string;
  neighbors?: number;
  resolution?: number;
  /** Extra gene-set collections (.gmt) besides the bundled ones. */
  gmt?: string[];
  /** Known marker sets (group → genes) for the quality indices; default: top Wilcoxon markers. */
  markerSets?: Record<string, string[]>;
}

/** The stages in order (announcing one tells the run's progress). */
const STAGES = ["reading the result", "markers per group (Wilcoxon)", "gene modules", "enrichment"];

export interface MarkersResult {
  cells: number;
  genes: string[];
  groups: string[];
  contextual: GeneModules & { centrality: Float32Array };
  /** Modules of the same genes on the bundled static prior (genes it does not cover are in none: −1). */
  prior: GeneModules | null;
  /** null where fewer than two groups have marker genes of their own. */
  quality: { markerSets: Record<string, string[]>; contextual: MarkerSetQuality | null; prior: MarkerSetQuality | null };
  associations: ModuleAssociation[];
  /** Module scores per cell, cells × modules row-major (scanpy's score_genes). */
  scores: Float32Array;
  /** The result's cell UMAP (x, y per cell), when it has one. */
  cellUmap: Float32Array | null;
  enrichment: (EnrichmentRow & { module: number })[];
  de: DeRow[];
  species: "human" | "mouse";
  /** The module parameters used (the defaults filled in). */
  params: { neighbors: number; resolution: number };
  seconds: Record<string, number>;
}

/** Runs the workflow; a stop request between stages throws `Stopped`. */
export async function markers(o: MarkersOptions, hooks: StageHooks = {}): Promise<MarkersResult> {
  const st = new Stages(hooks, STAGES);
  const lap = (k: string) => {
    st.lap(k);
    st.stopPoint();
  };
  st.stage("reading the result");
  const h = await H5adFile.open(o.file);
  let X: Matrix;
  let genes: string[];
  let mu: { nCols: number; values: Float32Array | Float64Array } | undefined;
  let names: string[];
  let cellUmap: Float32Array | null = null;
  try {
    mu = h.readVarm().get("sciLaMA_gene_mu");
    const umapCells = h.readObsm().get("X_umap");
    if (umapCells?.nCols === 2) cellUmap = Float32Array.from(umapCells.values);
    if (!mu)
      throw new DataError(
        o.file,
        "an integration result with contextual gene embeddings (varm['sciLaMA_gene_mu'])",
        "none",
        "Run the integration first (scilama integrate), then find markers in its result.",
      );
    X = h.readX();
    genes = h.readFrame("var").index;
    const obs = h.readFrame("obs");
    const col = obs.columns.get(o.groupby);
    if (!col)
      throw new DataError(
        o.file,
        `a cell column '${o.groupby}'`,
        `the columns ${[...obs.columns.keys()].join(", ")}`,
        "Pick one of these columns.",
      );
    names = Array.from({ length: X.nRows }, (_, i) => cellText(col, i));
  } finally {
    h.close();
  }
  const groups = [...new Set(names)].sort();
  const codes = Int32Array.from(names, (n) => groups.indexOf(n));
  const dims = mu.nCols;
  const ctx = Float32Array.from(mu.values);
  lap("read");

  st.stage("markers per group (Wilcoxon)");
  const de = rankGenesGroups(X, genes, codes, groups);
  lap("Wilcoxon markers");

  st.stage("gene modules");
  const params = { neighbors: o.neighbors ?? MARKERS_DEFAULTS.neighbors, resolution: o.resolution ?? MARKERS_DEFAULTS.resolution };
  const m = await geneModules(ctx, genes.length, dims, params);
  const contextual = { ...m, centrality: centrality(ctx, dims, m.module, m.modules) };
  const { associations, scores } = moduleAssociation(X, m.module, m.modules, codes, groups);
  lap("modules");

  const species = guessGeneIdType(genes).species === "mouse" ? "mouse" : "human";
  const aligned = alignPrior(bundledPrior(), genes);
  const idx = new Map(genes.map((g, i) => [g, i]));
  const covIdx = new Map(Array.from(aligned.covered, (g, k) => [genes[g]!, k]));
  let prior: GeneModules | null = null;
  if (aligned.covered.length > 20) {
    const pm = await geneModules(aligned.matrix, aligned.covered.length, aligned.dim, params);
    const module = new Int32Array(genes.length).fill(-1);
    aligned.covered.forEach((g, k) => {
      module[g] = pm.module[k]!;
    });
    const umapAll = new Float32Array(genes.length * 2).fill(Number.NaN);
    aligned.covered.forEach((g, k) => {
      umapAll[2 * g] = pm.umap[2 * k]!;
      umapAll[2 * g + 1] = pm.umap[2 * k + 1]!;
    });
    prior = { module, modules: pm.modules, umap: umapAll };
  }
  const markerSets = o.markerSets ?? topMarkerSets(de);
  // Compare on the genes both embeddings have.
  const both = Object.fromEntries(Object.entries(markerSets).map(([k, l]) => [k, l.filter((g) => idx.has(g) && covIdx.has(g))]));
  const quality = {
    markerSets: both,
    contextual: markerSetQuality(ctx, dims, idx, both),
    prior: prior ? markerSetQuality(aligned.matrix, aligned.dim, covIdx, both) : null,
  };
  lap("static prior and marker-set quality");

  st.stage("enrichment");
  const collections: Collection[] = [...bundledCollections(species), ...(o.gmt ?? []).map(readGmt)];
  const enrichment = await moduleEnrichment(genes, m.module, m.modules, collections);
  lap("enrichment");
  return {
    cells: X.nRows,
    genes,
    groups,
    contextual,
    prior,
    quality,
    associations,
    scores,
    cellUmap,
    enrichment,
    de,
    species,
    params,
    seconds: st.seconds,
  };
}
