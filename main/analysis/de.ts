/**
 * Differential expression of each group against the rest by the Wilcoxon rank-sum test, as scanpy's
 * `rank_genes_groups(method="wilcoxon", reference="rest")` defines it (scanpy 1.9): on log-normalised values, the
 * z-score of the group's rank sum with the tie-corrected variance and no continuity correction, two-sided normal
 * p-values, Benjamini–Hochberg within each group over all genes, log2 fold change of the un-logged means
 * `log2((expm1(mean_group) + 1e-9) / (expm1(mean_rest) + 1e-9))`, and the fractions of cells expressing (> 0).
 */
import { forEachInRow, type Matrix } from "../data/dataset.js";
import { checkLength } from "./check.js";
import { benjaminiHochberg, normalSf, rankWithTies } from "./stats.js";

export interface DeRow {
  group: string;
  gene: string;
  score: number;
  logfc: number;
  p: number;
  q: number;
  pctGroup: number;
  pctRest: number;
}

/** Genes as columns: one dense column at a time from CSR or dense (cells × genes). */
function columns(X: Matrix): (g: number, out: Float64Array) => void {
  if (X.kind === "dense")
    return (g, out) => {
      for (let c = 0; c < X.nRows; c++) out[c] = X.values[c * X.nCols + g]!;
    };
  // CSR → CSC once, so each gene's column is a contiguous run.
  const nnz = X.indptr[X.nRows]!;
  const colPtr = new Int32Array(X.nCols + 1);
  for (let k = 0; k < nnz; k++) colPtr[X.indices[k]! + 1]!++;
  for (let g = 0; g < X.nCols; g++) colPtr[g + 1]! += colPtr[g]!;
  const rows = new Int32Array(nnz);
  const vals = new Float64Array(nnz);
  const fill = colPtr.slice(0, X.nCols);
  for (let r = 0; r < X.nRows; r++)
    forEachInRow(X, r, (c, v) => {
      const at = fill[c]!++;
      rows[at] = r;
      vals[at] = v;
    });
  return (g, out) => {
    out.fill(0);
    for (let k = colPtr[g]!; k < colPtr[g + 1]!; k++) out[rows[k]!] = vals[k]!;
  };
}

/**
 * Every gene for every group (rows ordered by group, then by decreasing score as scanpy orders them).
 * `codes` are group indices per cell (−1: left out); groups with fewer than 2 cells, or no rest, are skipped.
 */
export function rankGenesGroups(X: Matrix, genes: readonly string[], codes: Int32Array, groups: readonly string[]): DeRow[] {
  checkLength("rankGenesGroups", "codes", codes, X.nRows);
  if (genes.length !== X.nCols) throw new Error(`rankGenesGroups: ${genes.length} gene names for ${X.nCols} genes`);
  const keep = Int32Array.from({ length: X.nRows }, (_, i) => i).filter((i) => codes[i]! >= 0);
  const n = keep.length;
  const G = groups.length;
  const size = new Int32Array(G);
  for (const i of keep) size[codes[i]!]!++;
  const rankSum = Array.from({ length: G }, () => new Float64Array(X.nCols));
  const sumIn = Array.from({ length: G }, () => new Float64Array(X.nCols));
  const nzIn = Array.from({ length: G }, () => new Float64Array(X.nCols));
  const total = new Float64Array(X.nCols);
  const nzTotal = new Float64Array(X.nCols);
  const tie = new Float64Array(X.nCols);
  const column = columns(X);
  const full = new Float64Array(X.nRows);
  const sub = new Float64Array(n);
  for (let g = 0; g < X.nCols; g++) {
    column(g, full);
    for (let k = 0; k < n; k++) sub[k] = full[keep[k]!]!;
    const { ranks, tieSum } = rankWithTies(sub);
    tie[g] = tieSum;
    for (let k = 0; k < n; k++) {
      const grp = codes[keep[k]!]!;
      const v = sub[k]!;
      rankSum[grp]![g]! += ranks[k]!;
      sumIn[grp]![g]! += v;
      total[g]! += v;
      if (v > 0) {
        nzIn[grp]![g]!++;
        nzTotal[g]!++;
      }
    }
  }
  const rows: DeRow[] = [];
  for (let grp = 0; grp < G; grp++) {
    const n1 = size[grp]!;
    const n2 = n - n1;
    if (n1 < 2 || n2 < 1) continue;
    const z = new Float64Array(X.nCols);
    const p = new Float64Array(X.nCols);
    for (let g = 0; g < X.nCols; g++) {
      const T = 1 - tie[g]! / (n * n * n - n);
      const sd = Math.sqrt((T * n1 * n2 * (n + 1)) / 12);
      const s = (rankSum[grp]![g]! - (n1 * (n + 1)) / 2) / sd;
      z[g] = Number.isFinite(s) ? s : 0;
      p[g] = 2 * normalSf(Math.abs(z[g]!));
    }
    const q = benjaminiHochberg(p);
    const order = Array.from({ length: X.nCols }, (_, g) => g).sort((a, b) => z[b]! - z[a]!);
    for (const g of order) {
      const meanIn = sumIn[grp]![g]! / n1;
      const meanRest = (total[g]! - sumIn[grp]![g]!) / n2;
      rows.push({
        group: groups[grp]!,
        gene: genes[g]!,
        score: z[g]!,
        logfc: Math.log2((Math.expm1(meanIn) + 1e-9) / (Math.expm1(meanRest) + 1e-9)),
        p: p[g]!,
        q: q[g]!,
        pctGroup: nzIn[grp]![g]! / n1,
        pctRest: (nzTotal[g]! - nzIn[grp]![g]!) / n2,
      });
    }
  }
  return rows;
}
