/**
 * Quality-control metrics as scanpy's `calculate_qc_metrics` names them: per cell total_counts,
 * n_genes_by_counts, pct_counts_mt; per gene n_cells_by_counts, total_counts, mean_counts.
 */
import { type Dataset, forEachInRow } from "../data/dataset.js";
import { isMitochondrial } from "../genes/map.js";
import { quantile } from "./stats.js";

export interface CellQc {
  totalCounts: Float64Array;
  nGenes: Float64Array;
  pctMito: Float64Array;
}

export interface QcSummary {
  cells: number;
  genes: number;
  mitoGenes: number;
  totalCounts: { min: number; median: number; max: number };
  genesPerCell: { min: number; median: number; max: number };
  pctMito: { median: number; p95: number; max: number };
}

export function mitoMask(geneNames: string[]): Uint8Array {
  return Uint8Array.from(geneNames, (g) => (isMitochondrial(g) ? 1 : 0));
}

export function cellQc(d: Dataset): CellQc {
  const mito = mitoMask(d.var.index);
  const n = d.X.nRows;
  const totalCounts = new Float64Array(n);
  const nGenes = new Float64Array(n);
  const mitoCounts = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    forEachInRow(d.X, r, (c, v) => {
      totalCounts[r] += v;
      if (v > 0) nGenes[r]++;
      if (mito[c]) mitoCounts[r] += v;
    });
  }
  const pctMito = Float64Array.from(totalCounts, (t, r) => (t > 0 ? (100 * mitoCounts[r]) / t : 0));
  return { totalCounts, nGenes, pctMito };
}

const range = (v: Float64Array) => ({ min: quantile(v, 0), median: quantile(v, 0.5), max: quantile(v, 1) });

export function summarizeQc(d: Dataset, qc: CellQc = cellQc(d)): QcSummary {
  return {
    cells: d.X.nRows,
    genes: d.X.nCols,
    mitoGenes: mitoMask(d.var.index).reduce((s, x) => s + x, 0),
    totalCounts: range(qc.totalCounts),
    genesPerCell: range(qc.nGenes),
    pctMito: { median: quantile(qc.pctMito, 0.5), p95: quantile(qc.pctMito, 0.95), max: quantile(qc.pctMito, 1) },
  };
}
