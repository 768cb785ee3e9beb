/**
 * Gene modules from sciLaMA's contextual gene embeddings (paper §4.3, Fig. 4): a kNN graph of the genes' μ vectors
 * clustered by Leiden, and a gene UMAP; the same on
 * the static prior for comparison; cluster quality of known marker sets in both (Davies–Bouldin, Calinski–Harabasz);
 * which cell type each module marks (scanpy's score_genes per cell; the group with the highest mean score, and how far
 * it stands above the next); and enrichment of each module in the
 * gene-set collections against the analysed genes.
 */

import { Rng } from "../../native-models/index.js";
import { forEachInRow, type Matrix } from "../data/dataset.js";
import type { DeRow } from "./de.js";
import { type Collection, type EnrichmentRow, enrich } from "./enrichment.js";
import { leiden } from "./leiden.js";
import { calinskiHarabasz, daviesBouldin } from "./metrics/cluster-quality.js";
import { umap } from "./umap.js";

/**
 * Smaller clusters are not modules: genes whose neighbours share none of their own neighbours are isolated in the SNN
 * graph and come out of Leiden alone (PBMC 3k, 800 genes: 21 one-gene clusters of 43). They are left in no module
 * (−1), as WGCNA leaves genes in its grey module.
 */
export const MIN_MODULE_GENES = 3;

export interface ModuleOptions {
  neighbors: number;
  resolution: number;
  seed?: number;
}

export interface GeneModules {
  /** Module number per gene (0 = largest module; −1: in no module). */
  module: Int32Array;
  modules: number;
  umap: Float32Array;
}

/** Modules of genes given their embedding (genes × dims, row-major). */
export async function geneModules(embedding: Float32Array, genes: number, dims: number, o: ModuleOptions): Promise<GeneModules> {
  const neighbors = Math.min(o.neighbors, genes - 1);
  const module = await leiden(embedding, genes, dims, {
    neighbors,
    resolution: o.resolution,
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
  });
  // Leiden numbers clusters by decreasing size, so the small ones are the last numbers.
  const size = new Int32Array(Math.max(-1, ...module) + 1);
  for (const m of module) size[m]!++;
  let modules = size.findIndex((n) => n < MIN_MODULE_GENES);
  if (modules < 0) modules = size.length;
  module.forEach((m, g) => {
    if (m >= modules) module[g] = -1;
  });
  return { module, modules, umap: await umap(embedding, genes, dims, { neighbors }) };
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
 * Per-cell module scores and the group each module marks. The score is scanpy's `score_genes` (Tirosh et al. 2015):
 * the mean log-normalised expression of the module's genes minus that of control genes drawn (seeded) from the same
 * expression bins — 25 bins of the genes' mean expression, 50 controls per bin — so that cells that simply detect
 * more genes do not score high on every module. `X` is log-normalised cells × genes; `module` gives each gene's
 * module (−1: in none).
 */
export function moduleAssociation(
  X: Matrix,
  module: Int32Array,
  modules: number,
  codes: Int32Array,
  groups: readonly string[],
  seed = 0,
): { scores: Float32Array; associations: ModuleAssociation[] } {
  const cells = X.nRows;
  const G = X.nCols;
  const mean = new Float64Array(G);
  for (let r = 0; r < cells; r++)
    forEachInRow(X, r, (c, v) => {
      mean[c]! += v / cells;
    });
  // Bins as scanpy cuts them: rank (ties → lowest rank) integer-divided by round(G / (nBins − 1)).
  const nBins = 25;
  const ctrlSize = 50;
  const order = Array.from({ length: G }, (_, g) => g).sort((a, b) => mean[a]! - mean[b]!);
  const rankMin = new Int32Array(G);
  for (let i = 0; i < G; i++) rankMin[order[i]!] = i > 0 && mean[order[i]!] === mean[order[i - 1]!] ? rankMin[order[i - 1]!]! : i + 1;
  const perBin = Math.max(1, Math.round(G / (nBins - 1)));
  const bin = Int32Array.from(rankMin, (r) => Math.floor(r / perBin));
  const binGenes = new Map<number, number[]>();
  for (let g = 0; g < G; g++) {
    const members = binGenes.get(bin[g]!);
    if (members) members.push(g);
    else binGenes.set(bin[g]!, [g]);
  }

  // Each gene's weight in each module's score: +1/|module| for its genes, −1/|controls| for its controls.
  const weights: { m: number; w: number }[][] = Array.from({ length: G }, () => []);
  const size = new Int32Array(modules);
  for (const m of module) if (m >= 0) size[m]!++;
  const rng = new Rng(seed, 7);
  for (let m = 0; m < modules; m++) {
    const members = new Set<number>();
    for (let g = 0; g < G; g++) if (module[g] === m) members.add(g);
    const controls = new Set<number>();
    for (const b of new Set([...members].map((g) => bin[g]!))) {
      const pool = binGenes.get(b)!;
      const perm = rng.permutation(pool.length);
      for (let k = 0; k < Math.min(ctrlSize, pool.length); k++) controls.add(pool[perm[k]!]!);
    }
    for (const g of members) controls.delete(g);
    for (const g of members) weights[g]!.push({ m, w: 1 / members.size });
    for (const g of controls) weights[g]!.push({ m, w: -1 / (controls.size || 1) });
  }
  const scores = new Float32Array(cells * modules);
  for (let r = 0; r < cells; r++)
    forEachInRow(X, r, (c, v) => {
      for (const { m, w } of weights[c]!) scores[r * modules + m]! += w * v;
    });
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
    const ranked = meanScore.map((_, c) => c).sort((a, b) => meanScore[b]! - meanScore[a]!);
    associations.push({
      module: m,
      genes: size[m]!,
      meanScore,
      group: groups[ranked[0]!]!,
      specificity: meanScore[ranked[0]!]! - (ranked.length > 1 ? meanScore[ranked[1]!]! : 0),
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

/** Cosine similarity of each gene's vector to its module's mean vector (how central it is to the module; 0 for genes
 *  in no module). */
export function centrality(x: Float32Array, dims: number, module: Int32Array, modules: number): Float32Array {
  const c = new Float64Array(modules * dims);
  for (let g = 0; g < module.length; g++) if (module[g]! >= 0) for (let d = 0; d < dims; d++) c[module[g]! * dims + d]! += x[g * dims + d]!;
  return Float32Array.from(module, (m, g) => {
    if (m < 0) return 0;
    let dot = 0;
    let a = 0;
    let b = 0;
    for (let d = 0; d < dims; d++) {
      const u = x[g * dims + d]!;
      const v = c[m * dims + d]!;
      dot += u * v;
      a += u * u;
      b += v * v;
    }
    return a && b ? dot / Math.sqrt(a * b) : 0;
  });
}

/** Each group's top markers (q < 0.05, log2FC > 1, at most `n`) that are top markers of no other group. */
export function topMarkerSets(de: readonly DeRow[], n = 10): Record<string, string[]> {
  const tops = new Map<string, string[]>();
  for (const r of de) {
    const list = tops.get(r.group) ?? [];
    if (list.length < n && r.q < 0.05 && r.logfc > 1) list.push(r.gene);
    tops.set(r.group, list);
  }
  const count = new Map<string, number>();
  for (const l of tops.values()) for (const g of l) count.set(g, (count.get(g) ?? 0) + 1);
  return Object.fromEntries([...tops].map(([grp, l]) => [grp, l.filter((g) => count.get(g) === 1)]).filter(([, l]) => l.length >= 2));
}
