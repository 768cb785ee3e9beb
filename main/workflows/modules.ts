/**
 * Gene modules from sciLaMA's contextual gene embeddings (paper §4.3, Fig. 4): a kNN graph of the genes' μ vectors
 * (15 neighbours) clustered by Leiden (resolution 0.5) — the authors' later defaults — and a gene UMAP; the same on
 * the static prior for comparison; cluster quality of known marker sets in both (Davies–Bouldin, Calinski–Harabasz);
 * which cell type each module marks (module score per cell = mean z-scored expression of its genes, clipped at ±10;
 * the group with the highest mean score, and how far it stands above the next); and enrichment of each module in the
 * gene-set collections against the analysed genes.
 */
import { type Collection, type EnrichmentRow, enrich } from "../analysis/enrichment.js";
import { leiden } from "../analysis/leiden.js";
import { calinskiHarabasz, daviesBouldin } from "../analysis/metrics/cluster-quality.js";
import { umap } from "../analysis/umap.js";
import { forEachInRow, type Matrix } from "../data/dataset.js";

export interface ModuleOptions {
  neighbors?: number;
  resolution?: number;
  seed?: number;
}

export interface GeneModules {
  /** Module number per gene (0 = largest module). */
  module: Int32Array;
  modules: number;
  umap: Float32Array;
}

/** Modules of genes given their embedding (genes × dims, row-major). */
export async function geneModules(embedding: Float32Array, genes: number, dims: number, o: ModuleOptions = {}): Promise<GeneModules> {
  const neighbors = Math.min(o.neighbors ?? 15, genes - 1);
  const module = await leiden(embedding, genes, dims, {
    neighbors,
    resolution: o.resolution ?? 0.5,
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
  });
  return { module, modules: Math.max(-1, ...module) + 1, umap: await umap(embedding, genes, dims, { neighbors }) };
}

export interface MarkerSetQuality {
  genes: number;
  sets: number;
  daviesBouldin: number;
  calinskiHarabasz: number;
}

/** Cluster quality of known marker sets (gene → its cell type) in a gene embedding; genes absent are skipped.
 *  null when fewer than two sets have genes (the indices compare groups). */
export function markerSetQuality(
  embedding: Float32Array,
  dims: number,
  geneIndex: ReadonlyMap<string, number>,
  markerSets: Readonly<Record<string, readonly string[]>>,
): MarkerSetQuality | null {
  const rows: number[] = [];
  const codes: number[] = [];
  Object.values(markerSets).forEach((set, c) => {
    for (const g of set) {
      const i = geneIndex.get(g);
      if (i !== undefined) {
        rows.push(i);
        codes.push(c);
      }
    }
  });
  const x = new Float64Array(rows.length * dims);
  rows.forEach((r, k) => {
    for (let d = 0; d < dims; d++) x[k * dims + d] = embedding[r * dims + d]!;
  });
  const labels = Int32Array.from(codes);
  if (new Set(codes).size < 2) return null;
  // Codes must be 0…k−1 for the indices: renumber the sets that have genes.
  const used = [...new Set(codes)].sort((a, b) => a - b);
  labels.forEach((c, i) => {
    labels[i] = used.indexOf(c);
  });
  return {
    genes: rows.length,
    sets: new Set(codes).size,
    daviesBouldin: daviesBouldin(x, rows.length, dims, labels),
    calinskiHarabasz: calinskiHarabasz(x, rows.length, dims, labels),
  };
}

export interface ModuleAssociation {
  module: number;
  genes: number;
  /** Mean module score per group, in the order of `groups`. */
  meanScore: number[];
  /** The group with the highest mean score. */
  group: string;
  /** Its mean score minus the next highest (in z units): how specific the module is. */
  specificity: number;
}

/**
 * Per-cell module scores and the group each module marks. `X` is log-normalised cells × genes; `module` gives each
 * gene's module (−1: in none).
 */
export function moduleAssociation(
  X: Matrix,
  module: Int32Array,
  modules: number,
  codes: Int32Array,
  groups: readonly string[],
): { scores: Float32Array; associations: ModuleAssociation[] } {
  const cells = X.nRows;
  const G = X.nCols;
  // Gene means and standard deviations (population, as scanpy's scale) for the z-scores.
  const mean = new Float64Array(G);
  const sq = new Float64Array(G);
  for (let r = 0; r < cells; r++)
    forEachInRow(X, r, (c, v) => {
      mean[c]! += v;
      sq[c]! += v * v;
    });
  const sd = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    mean[g]! /= cells;
    sd[g] = Math.sqrt(Math.max(0, sq[g]! / cells - mean[g]! ** 2)) || 1;
  }
  const size = new Int32Array(modules);
  for (const m of module) if (m >= 0) size[m]!++;
  // Score = mean over module genes of clip((x − μ)/σ, ±10); zeros contribute −μ/σ, added for every gene first.
  const base = new Float64Array(modules);
  for (let g = 0; g < G; g++) if (module[g]! >= 0) base[module[g]!]! += Math.max(-10, -mean[g]! / sd[g]!);
  const scores = new Float32Array(cells * modules);
  const row = new Float64Array(modules);
  for (let r = 0; r < cells; r++) {
    row.set(base);
    forEachInRow(X, r, (c, v) => {
      const m = module[c]!;
      if (m < 0) return;
      const z0 = Math.max(-10, -mean[c]! / sd[c]!);
      row[m]! += Math.min(10, Math.max(-10, (v - mean[c]!) / sd[c]!)) - z0;
    });
    for (let m = 0; m < modules; m++) scores[r * modules + m] = row[m]! / (size[m]! || 1);
  }
  const associations: ModuleAssociation[] = [];
  for (let m = 0; m < modules; m++) {
    const sum = new Float64Array(groups.length);
    const count = new Float64Array(groups.length);
    for (let r = 0; r < cells; r++) {
      const c = codes[r]!;
      if (c < 0) continue;
      sum[c]! += scores[r * modules + m]!;
      count[c]!++;
    }
    const meanScore = Array.from(sum, (s, c) => s / (count[c]! || 1));
    const order = meanScore.map((_, c) => c).sort((a, b) => meanScore[b]! - meanScore[a]!);
    associations.push({
      module: m,
      genes: size[m]!,
      meanScore,
      group: groups[order[0]!]!,
      specificity: meanScore[order[0]!]! - (order.length > 1 ? meanScore[order[1]!]! : 0),
    });
  }
  return { scores, associations };
}

/** Enrichment of every module against the collections, background = the analysed genes. */
export async function moduleEnrichment(
  genes: readonly string[],
  module: Int32Array,
  modules: number,
  collections: readonly Collection[],
): Promise<(EnrichmentRow & { module: number })[]> {
  const out: (EnrichmentRow & { module: number })[] = [];
  for (let m = 0; m < modules; m++) {
    const list = genes.filter((_, g) => module[g] === m);
    if (list.length < 3) continue;
    for (const r of await enrich(list, genes, collections)) out.push({ module: m, ...r });
  }
  return out;
}
