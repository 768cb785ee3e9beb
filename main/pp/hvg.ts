/**
 * Highly variable genes, as scanpy's `highly_variable_genes` defines its two classic flavours:
 *  - `seurat_v3` (Stuart et al. 2019) on raw counts: LOESS of log10 variance on log10 mean gives a regularised
 *    standard deviation; counts are clipped at mean + √N·σ and the standardised variance ranks the genes. With a
 *    batch column, genes are ranked per batch and ordered by the number of batches that select them, then by
 *    median rank.
 *  - `seurat` (Satija et al. 2015) on log-normalised data: dispersion var/mean of expm1(X), normalised within
 *    20 equal-width bins of log1p(mean).
 */
import { forEachInRow, type Matrix } from "../data/dataset.js";
import { matrixRows } from "../data/subset.js";
import { loess } from "./loess.js";
import { geneMoments } from "./stats.js";

export interface HvgResult {
  flavor: "seurat_v3" | "seurat";
  /** 1 for selected genes. */
  highlyVariable: Uint8Array;
  means: Float64Array;
  variances: Float64Array;
  /** seurat_v3: standardised variance; seurat: normalised dispersion. */
  score: Float64Array;
  /** seurat_v3 only: median rank across batches (NaN when not ranked in the top n in any batch). */
  rank?: Float64Array;
  nBatches?: Float64Array;
}

/** Standardised variance of one batch (scanpy `_highly_variable_genes_seurat_v3`, per-batch part). */
function standardizedVariance(m: Matrix, span: number): { mean: Float64Array; variance: Float64Array; normVar: Float64Array } {
  const { mean, variance } = geneMoments(m);
  const G = m.nCols;
  const N = m.nRows;
  const idx: number[] = [];
  for (let g = 0; g < G; g++) if (variance[g] > 0) idx.push(g);
  const fit = loess(
    idx.map((g) => Math.log10(mean[g])),
    idx.map((g) => Math.log10(variance[g])),
    span,
    2,
  );
  const regStd = new Float64Array(G).fill(1); // 10^0 where the variance is zero, as scanpy
  idx.forEach((g, i) => {
    regStd[g] = Math.sqrt(10 ** fit[i]);
  });
  const clip = Float64Array.from(regStd, (s, g) => s * Math.sqrt(N) + mean[g]);
  const sum = new Float64Array(G);
  const sq = new Float64Array(G);
  for (let r = 0; r < N; r++) {
    forEachInRow(m, r, (g, v) => {
      const c = Math.min(v, clip[g]);
      sum[g] += c;
      sq[g] += c * c;
    });
  }
  const normVar = Float64Array.from(regStd, (s, g) => (N * mean[g] * mean[g] + sq[g] - 2 * sum[g] * mean[g]) / ((N - 1) * s * s));
  return { mean, variance, normVar };
}

function ranks(values: Float64Array): Float64Array {
  const order = Array.from(values.keys()).sort((a, b) => values[b] - values[a] || a - b);
  const out = new Float64Array(values.length);
  order.forEach((g, r) => {
    out[g] = r;
  });
  return out;
}

export function hvgSeuratV3(counts: Matrix, nTop: number, batches?: Int32Array, span = 0.3): HvgResult {
  const G = counts.nCols;
  const groups = new Map<number, number[]>();
  for (let r = 0; r < counts.nRows; r++) {
    const b = batches ? batches[r] : 0;
    const rows = groups.get(b);
    if (rows) rows.push(r);
    else groups.set(b, [r]);
  }
  const all = standardizedVariance(counts, span);
  const perBatchRanks: Float64Array[] = [];
  for (const rows of groups.values()) {
    const { normVar } = groups.size === 1 ? all : standardizedVariance(matrixRows(counts, rows), span);
    perBatchRanks.push(ranks(normVar).map((x) => (x < nTop ? x : Number.NaN)));
  }
  const rank = new Float64Array(G);
  const nBatches = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    const rs = perBatchRanks
      .map((r) => r[g])
      .filter((x) => !Number.isNaN(x))
      .sort((a, b) => a - b);
    nBatches[g] = rs.length;
    rank[g] = rs.length === 0 ? Number.NaN : rs.length % 2 ? rs[(rs.length - 1) / 2] : (rs[rs.length / 2 - 1] + rs[rs.length / 2]) / 2;
  }
  const order = Array.from({ length: G }, (_, g) => g).sort((a, b) => {
    if (nBatches[b] !== nBatches[a]) return nBatches[b] - nBatches[a];
    const ra = Number.isNaN(rank[a]) ? Number.POSITIVE_INFINITY : rank[a];
    const rb = Number.isNaN(rank[b]) ? Number.POSITIVE_INFINITY : rank[b];
    return ra - rb || a - b;
  });
  const highlyVariable = new Uint8Array(G);
  for (const g of order.slice(0, nTop)) highlyVariable[g] = 1;
  // With one batch the score is the standardised variance itself; with several, that of the pooled data.
  return { flavor: "seurat_v3", highlyVariable, means: all.mean, variances: all.variance, score: all.normVar, rank, nBatches };
}

export interface SeuratCutoffs {
  minMean?: number;
  maxMean?: number;
  minDisp?: number;
  maxDisp?: number;
}

export function hvgSeurat(logData: Matrix, nTop?: number, cutoffs: SeuratCutoffs = {}, nBins = 20): HvgResult {
  const G = logData.nCols;
  const { mean, variance } = geneMoments(logData, Math.expm1);
  const dispersion = new Float64Array(G);
  const logMean = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    const m = mean[g] === 0 ? 1e-12 : mean[g];
    const d = variance[g] / m;
    dispersion[g] = d === 0 ? Number.NaN : Math.log(d);
    logMean[g] = Math.log1p(m);
  }
  // pandas.cut(bins=20): equal-width right-closed bins, the lowest edge moved down by 0.1% of the range.
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of logMean) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const width = (hi - lo) / nBins;
  const bin = Int32Array.from(logMean, (v) => (width > 0 ? Math.min(nBins - 1, Math.max(0, Math.ceil((v - lo) / width) - 1)) : 0));
  const sums = new Float64Array(nBins);
  const sqs = new Float64Array(nBins);
  const counts = new Float64Array(nBins);
  for (let g = 0; g < G; g++) {
    if (Number.isNaN(dispersion[g])) continue;
    sums[bin[g]] += dispersion[g];
    sqs[bin[g]] += dispersion[g] ** 2;
    counts[bin[g]]++;
  }
  const binMean = Float64Array.from(sums, (s, b) => s / counts[b]);
  const binStd = Float64Array.from(sqs, (s, b) =>
    counts[b] > 1 ? Math.sqrt(Math.max(0, (s - counts[b] * binMean[b] ** 2) / (counts[b] - 1))) : Number.NaN,
  );
  for (let b = 0; b < nBins; b++) {
    // scanpy: a bin with a single gene gets std = its mean and mean = 0
    if (counts[b] === 1) {
      binStd[b] = binMean[b];
      binMean[b] = 0;
    }
  }
  const score = Float64Array.from(dispersion, (d, g) => (d - binMean[bin[g]]) / binStd[bin[g]]);
  const highlyVariable = new Uint8Array(G);
  if (nTop !== undefined) {
    const finite = [...score].filter((s) => !Number.isNaN(s)).sort((a, b) => b - a);
    const cut = finite[Math.min(nTop, finite.length) - 1];
    for (let g = 0; g < G; g++) highlyVariable[g] = (Number.isNaN(score[g]) ? 0 : score[g]) >= cut ? 1 : 0;
  } else {
    const { minMean = 0.0125, maxMean = 3, minDisp = 0.5, maxDisp = Number.POSITIVE_INFINITY } = cutoffs;
    for (let g = 0; g < G; g++) {
      const s = Number.isNaN(score[g]) ? 0 : score[g];
      highlyVariable[g] = logMean[g] > minMean && logMean[g] < maxMean && s > minDisp && s < maxDisp ? 1 : 0;
    }
  }
  return { flavor: "seurat", highlyVariable, means: logMean, variances: variance, score };
}
