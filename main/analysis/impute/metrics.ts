/**
 * Imputation accuracy per gene, across cells, as Li et al. 2022 define it (QuKunLab/SpatialBenchmarking,
 * `GenesMetrics.py`): Pearson (PCC) and Spearman (SCC) correlation of measured and imputed values; Jensen–Shannon
 * divergence (JSD, natural log) of the two vectors each divided by its sum; RMSE of the two vectors each z-scored
 * (ddof 0, so RMSE = √(2(1 − PCC)) there). Summaries are the mean ± s.e.m. over the genes that can be scored.
 *
 * Where the reference code would give NaN we decide, and say so: a gene the target never expresses (a constant
 * measured vector) is not scored; a constant prediction (the gene-mean baseline) correlates 0 with anything and its
 * z-scores are 0. Predictions below 0 are clipped to 0 for the JSD (expression is not negative).
 */
import { rankWithTies } from "../stats.js";

export interface GeneScores {
  pcc: Float64Array;
  scc: Float64Array;
  jsd: Float64Array;
  rmse: Float64Array;
  /** 0 for a gene whose measured values are constant across cells: its scores are NaN and left out of summaries. */
  scored: Uint8Array;
}

export const IMPUTE_METRICS = ["pcc", "scc", "jsd", "rmse"] as const;
export type ImputeMetric = (typeof IMPUTE_METRICS)[number];

/** A column of a cells × genes row-major matrix. */
function column(values: ArrayLike<number>, cells: number, genes: number, g: number): Float64Array {
  const out = new Float64Array(cells);
  for (let c = 0; c < cells; c++) out[c] = values[c * genes + g]!;
  return out;
}

function meanSd(v: Float64Array): { mean: number; sd: number } {
  let s = 0;
  for (const x of v) s += x;
  const mean = s / v.length;
  let q = 0;
  for (const x of v) q += (x - mean) ** 2;
  return { mean, sd: Math.sqrt(q / v.length) };
}

/** A spread this small beside the mean is rounding (a constant summed in floating point), not variation. */
const constant = ({ mean, sd }: { mean: number; sd: number }) => !(sd > 1e-12 * Math.max(1, Math.abs(mean)));

/** z-scores with ddof 0 (scipy.stats.zscore); a constant vector gives zeros. */
function zscore(v: Float64Array): Float64Array {
  const m = meanSd(v);
  return constant(m) ? new Float64Array(v.length) : v.map((x) => (x - m.mean) / m.sd);
}

/** Pearson correlation; 0 when either vector is constant. */
export function pearson(a: Float64Array, b: Float64Array): number {
  const za = zscore(a);
  const zb = zscore(b);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += za[i]! * zb[i]!;
  return s / a.length;
}

export function spearman(a: Float64Array, b: Float64Array): number {
  return pearson(rankWithTies(a).ranks, rankWithTies(b).ranks);
}

/** Jensen–Shannon divergence (natural log) of two non-negative vectors, each normalised to sum 1. */
export function jensenShannon(a: Float64Array, b: Float64Array): number {
  const sa = a.reduce((s, x) => s + x, 0);
  const sb = b.reduce((s, x) => s + x, 0);
  // An all-zero prediction is no distribution: it is as far from the measured one as a point mass elsewhere.
  if (!(sa > 0) || !(sb > 0)) return Math.LN2;
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i]! / sa;
    const q = b[i]! / sb;
    const m = (p + q) / 2;
    if (p > 0) d += 0.5 * p * Math.log(p / m);
    if (q > 0) d += 0.5 * q * Math.log(q / m);
  }
  return d;
}

/** Every gene's scores: `measured` and `imputed` are cells × genes, row-major, the same genes in the same order. */
export function geneScores(measured: ArrayLike<number>, imputed: ArrayLike<number>, cells: number, genes: number): GeneScores {
  const s: GeneScores = {
    pcc: new Float64Array(genes),
    scc: new Float64Array(genes),
    jsd: new Float64Array(genes),
    rmse: new Float64Array(genes),
    scored: new Uint8Array(genes),
  };
  for (let g = 0; g < genes; g++) {
    const m = column(measured, cells, genes, g);
    const p = column(imputed, cells, genes, g);
    if (constant(meanSd(m))) {
      s.pcc[g] = s.scc[g] = s.jsd[g] = s.rmse[g] = Number.NaN;
      continue;
    }
    s.scored[g] = 1;
    s.pcc[g] = pearson(m, p);
    s.scc[g] = spearman(m, p);
    s.jsd[g] = jensenShannon(
      m,
      p.map((x) => Math.max(0, x)),
    );
    const zm = zscore(m);
    const zp = zscore(p);
    let e = 0;
    for (let c = 0; c < cells; c++) e += (zm[c]! - zp[c]!) ** 2;
    s.rmse[g] = Math.sqrt(e / cells);
  }
  return s;
}

export interface Summary {
  mean: number;
  /** Standard error of the mean (sd with ddof 1 over √n). */
  sem: number;
  /** Genes scored. */
  n: number;
}

/** Mean ± s.e.m. of one metric over the scored genes. */
export function summarize(values: Float64Array, scored: Uint8Array): Summary {
  const v = Array.from(values).filter((_, g) => scored[g]);
  const n = v.length;
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sem: n ? sd / Math.sqrt(n) : Number.NaN, n };
}
