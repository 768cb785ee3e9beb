/** Cell and gene filters (scanpy's filter_cells / filter_genes plus a mitochondrial cap), with a clear account. */
import type { Dataset } from "../data/dataset.js";
import { subset } from "../data/subset.js";
import { cellQc } from "./qc.js";
import { geneMoments, quantile } from "./stats.js";

export interface FilterOptions {
  minGenes?: number;
  maxGenes?: number;
  minCounts?: number;
  maxCounts?: number;
  maxPctMito?: number;
  minCells?: number;
}

export interface FilterReport {
  cellsBefore: number;
  cellsAfter: number;
  genesBefore: number;
  genesAfter: number;
  /** Cells removed by each criterion (a cell can fail several). */
  removedBy: Record<string, number>;
}

/** Raised when filters leave nothing; says which filter did it and what the data looks like. */
export class EmptySelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmptySelectionError";
  }
}

export function filterDataset(d: Dataset, o: FilterOptions): { dataset: Dataset; report: FilterReport } {
  const qc = cellQc(d);
  const n = d.X.nRows;
  const removedBy: Record<string, number> = {};
  const tests: Array<[string, number | undefined, (r: number, t: number) => boolean]> = [
    ["min_genes", o.minGenes, (r, t) => qc.nGenes[r] >= t],
    ["max_genes", o.maxGenes, (r, t) => qc.nGenes[r] <= t],
    ["min_counts", o.minCounts, (r, t) => qc.totalCounts[r] >= t],
    ["max_counts", o.maxCounts, (r, t) => qc.totalCounts[r] <= t],
    ["max_pct_mito", o.maxPctMito, (r, t) => qc.pctMito[r] <= t],
  ];
  const keep: number[] = [];
  for (let r = 0; r < n; r++) {
    let ok = true;
    for (const [name, t, pass] of tests) {
      if (t === undefined || pass(r, t)) continue;
      removedBy[name] = (removedBy[name] ?? 0) + 1;
      ok = false;
    }
    if (ok) keep.push(r);
  }
  if (keep.length === 0) {
    const worst = Object.entries(removedBy).sort((a, b) => b[1] - a[1])[0];
    throw new EmptySelectionError(
      `No cells pass the filters: ${worst[0]} alone removes ${worst[1]} of ${n} cells. ` +
        `In this dataset the median cell has ${quantile(qc.nGenes, 0.5)} genes, ${quantile(qc.totalCounts, 0.5)} counts and ${quantile(qc.pctMito, 0.5).toFixed(1)}% mitochondrial reads; loosen the threshold.`,
    );
  }
  let out = keep.length === n ? d : subset(d, keep);
  if (o.minCells !== undefined) {
    const { nCells } = geneMoments(out.X);
    const genes: number[] = [];
    for (let c = 0; c < nCells.length; c++) if (nCells[c] >= o.minCells) genes.push(c);
    if (genes.length === 0) {
      throw new EmptySelectionError(
        `No genes are detected in at least ${o.minCells} cells (the most widely detected gene is in ${Math.max(...nCells)}); lower min_cells.`,
      );
    }
    if (genes.length < nCells.length) out = subset(out, undefined, genes);
  }
  return {
    dataset: out,
    report: { cellsBefore: n, cellsAfter: out.X.nRows, genesBefore: d.X.nCols, genesAfter: out.X.nCols, removedBy },
  };
}
