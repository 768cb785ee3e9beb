/**
 * A user's dataset as the model's cell-line input: cells grouped (clusters, labels or samples) and pseudobulked,
 * log-normalised, the model's genes found by id, then put on the training scale.
 *
 * The scale: CCLE expression is z-scored per gene across 580 cell lines, and a user's data (another technology,
 * single cells, tumours) has no comparable absolute level. So each gene is z-scored across the user's groups; the
 * predictions then say how the groups differ from one another (a group at the groups' average reads as an average
 * cell line), and one group alone has nothing to be compared with and is refused. A gene the dataset lacks, or that
 * does not vary between the groups, is 0 (the average line) in every group — it cannot separate them.
 */
import { forEachInRow } from "../../data/dataset.js";
import { matchGenes } from "../../genes/keys.js";
import { DataError } from "../../io/errors.js";
import type { Expression } from "../../pp/expression.js";

/** Below this share of the model's genes a dataset is refused (most of the model's input would be filler). */
export const MIN_GENE_COVERAGE = 0.5;

export interface GroupProfiles {
  groups: string[];
  /** Cells (or samples) pooled into each group. */
  sizes: number[];
  /** groups × model genes, z-scored across groups, row-major. */
  values: Float32Array;
  /** log-normalised pseudobulk before z-scoring, groups × model genes (NaN where the gene is missing). */
  lognorm: Float32Array;
  /** For each model gene, its column in the dataset or −1. */
  column: Int32Array;
  matched: number;
}

/** For each model gene, its column among `genes` (−1 where the dataset lacks it): by symbol first (what datasets
 *  use), by Entrez id where the model's gene has no symbol or the symbol is not found. */
export function modelGeneColumns(
  modelGenes: readonly string[],
  modelSymbols: readonly (string | null)[],
  genes: readonly string[],
): Int32Array {
  const column = matchGenes(
    modelGenes.map((g, i) => modelSymbols[i] ?? g),
    genes,
  );
  // One call for all the fallbacks: each match is independent, and every call reads all of `genes`' keys.
  const missing = [...column.keys()].filter((i) => column[i]! < 0);
  matchGenes(
    missing.map((i) => modelGenes[i]!),
    genes,
  ).forEach((c, k) => {
    column[missing[k]!] = c;
  });
  return column;
}

/**
 * Pseudobulk per group: linear-scale values (counts as they are, log-normalised values through expm1) summed over
 * the group's cells, scaled to 1e4 over all the dataset's genes, log1p — then the model's genes z-scored across groups.
 */
export function groupProfiles(
  file: string,
  e: Expression,
  labels: readonly (string | null)[],
  modelGenes: readonly string[],
  modelSymbols: readonly (string | null)[],
): GroupProfiles {
  // A cell without a group (null) is in none: it is left out, not pooled.
  const groups = [...new Set(labels.filter((l) => l !== null))].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  if (groups.length < 2)
    throw new DataError(
      file,
      "at least two groups",
      `one group ('${groups[0] ?? ""}')`,
      "Predictions are relative between groups (each gene is z-scored across them), so one group has nothing to be compared with; choose a grouping with two or more groups, e.g. clusters or samples.",
    );
  const column = modelGeneColumns(modelGenes, modelSymbols, e.genes);
  const matched = column.reduce((n, c) => n + (c >= 0 ? 1 : 0), 0);
  if (matched < MIN_GENE_COVERAGE * modelGenes.length)
    throw new DataError(
      file,
      `at least ${Math.ceil(MIN_GENE_COVERAGE * modelGenes.length)} of the model's ${modelGenes.length} cancer census genes`,
      `${matched}`,
      "Check that the genes are named by symbol, Ensembl or Entrez id of a human (or mouse) genome, and that the dataset is not a small targeted panel.",
    );
  const index = new Map(groups.map((g, k) => [g, k]));
  const nGenes = e.matrix.nCols;
  const sums = new Float64Array(groups.length * nGenes);
  const sizes = new Array<number>(groups.length).fill(0);
  const linear = e.kind === "lognorm" ? Math.expm1 : (v: number) => v;
  for (let r = 0; r < e.matrix.nRows; r++) {
    const label = labels[r];
    if (label === null || label === undefined) continue;
    const k = index.get(label)!;
    sizes[k]!++;
    forEachInRow(e.matrix, r, (c, v) => {
      sums[k * nGenes + c]! += linear(v);
    });
  }
  const n = modelGenes.length;
  const lognorm = new Float32Array(groups.length * n).fill(Number.NaN);
  for (let k = 0; k < groups.length; k++) {
    let total = 0;
    for (let c = 0; c < nGenes; c++) total += sums[k * nGenes + c]!;
    for (let i = 0; i < n; i++)
      if (column[i]! >= 0) lognorm[k * n + i] = Math.log1p(total > 0 ? (sums[k * nGenes + column[i]!]! * 1e4) / total : 0);
  }
  const values = new Float32Array(groups.length * n);
  for (let i = 0; i < n; i++) {
    if (column[i]! < 0) continue;
    let mean = 0;
    for (let k = 0; k < groups.length; k++) mean += lognorm[k * n + i]!;
    mean /= groups.length;
    let ss = 0;
    for (let k = 0; k < groups.length; k++) ss += (lognorm[k * n + i]! - mean) ** 2;
    const sd = Math.sqrt(ss / (groups.length - 1));
    if (sd < 1e-8) continue;
    for (let k = 0; k < groups.length; k++) values[k * n + i] = (lognorm[k * n + i]! - mean) / sd;
  }
  return { groups, sizes, values, lognorm, column, matched };
}

/** Pearson correlation of each group's profile with each reference line over the genes the dataset has: the nearest lines. */
export function nearestLines(p: GroupProfiles, reference: Float32Array, lines: number, top: number): { line: number; r: number }[][] {
  const n = p.column.length;
  const genes = [...p.column.keys()].filter((i) => p.column[i]! >= 0);
  const corr = (a: (i: number) => number, b: (i: number) => number) => {
    let ma = 0;
    let mb = 0;
    for (const i of genes) {
      ma += a(i);
      mb += b(i);
    }
    ma /= genes.length;
    mb /= genes.length;
    let sab = 0;
    let saa = 0;
    let sbb = 0;
    for (const i of genes) {
      const x = a(i) - ma;
      const y = b(i) - mb;
      sab += x * y;
      saa += x * x;
      sbb += y * y;
    }
    return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
  };
  return p.groups.map((_, k) => {
    const rs = Array.from({ length: lines }, (_, l) => ({
      line: l,
      r: corr(
        (i) => p.values[k * n + i]!,
        (i) => reference[l * n + i]!,
      ),
    }));
    return rs.sort((a, b) => b.r - a.r).slice(0, top);
  });
}
