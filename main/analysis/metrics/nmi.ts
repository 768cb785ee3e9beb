/**
 * Normalised mutual information as scib's `nmi` computes it: scikit-learn's `normalized_mutual_info_score` with
 * arithmetic averaging of the two entropies (natural logarithms; the same special cases and per-term rounding).
 */
import { factorize } from "../check.js";

export type AverageMethod = "arithmetic" | "geometric" | "min" | "max";

export function normalizedMutualInfo(
  a: ArrayLike<string | number>,
  b: ArrayLike<string | number>,
  average: AverageMethod = "arithmetic",
): number {
  if (a.length !== b.length) throw new Error(`NMI: labelings have different lengths (${a.length} and ${b.length})`);
  const n = a.length;
  const fa = factorize("NMI", "the first labeling", a);
  const fb = factorize("NMI", "the second labeling", b);
  // Both unsplit (or both empty): a perfect match.
  if ((fa.levels === 1 && fb.levels === 1) || n === 0) return 1;
  const table = new Float64Array(fa.levels * fb.levels);
  const ra = new Float64Array(fa.levels);
  const rb = new Float64Array(fb.levels);
  for (let i = 0; i < n; i++) {
    table[fa.codes[i]! * fb.levels + fb.codes[i]!]!++;
    ra[fa.codes[i]!]!++;
    rb[fb.codes[i]!]!++;
  }
  const mi = mutualInfo(table, ra, rb, n);
  if (mi === 0) return 0;
  const ha = entropy(ra, n);
  const hb = entropy(rb, n);
  const norm =
    average === "arithmetic"
      ? (ha + hb) / 2
      : average === "geometric"
        ? Math.sqrt(ha * hb)
        : average === "min"
          ? Math.min(ha, hb)
          : Math.max(ha, hb);
  return mi / Math.max(norm, Number.EPSILON);
}

/** Mutual information (nats) of a contingency table with row sums ra and column sums rb. */
function mutualInfo(table: Float64Array, ra: Float64Array, rb: Float64Array, n: number): number {
  if (ra.length === 1 || rb.length === 1) return 0;
  const logN = Math.log(n);
  let mi = 0;
  for (let i = 0; i < ra.length; i++) {
    for (let j = 0; j < rb.length; j++) {
      const c = table[i * rb.length + j]!;
      if (c === 0) continue;
      const p = c / n;
      // sklearn: p (log c − log n) + p (log n + log n − log(aᵢ bⱼ)), terms below machine epsilon dropped
      const term = p * (Math.log(c) - logN) + p * (-Math.log(ra[i]! * rb[j]!) + logN + logN);
      if (Math.abs(term) >= Number.EPSILON) mi += term;
    }
  }
  return Math.max(mi, 0);
}

function entropy(counts: Float64Array, n: number): number {
  const logN = Math.log(n);
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * (Math.log(c) - logN);
  return h;
}
