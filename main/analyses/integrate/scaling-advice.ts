/**
 * When scaling genes within batches would remove real biology. Z-scoring a gene within each batch assumes that every
 * batch holds much the same cell types: a batch that lacks a type the others have, or batches that are themselves
 * the cell types, get their real differences scaled away with the technical ones. With labels, both are visible
 * before any training; the wizard (and the run's log) then recommend the global scaling.
 */
import type { Scaling } from "./settings.js";

export interface ScalingAdvice {
  recommended: Scaling;
  /** Why the per-batch scaling is risky here, one sentence each (empty when it is not). */
  warnings: string[];
  /** Cramér's V between batch and label (0 independent … 1 one determines the other), null without both. */
  confounding: number | null;
}

/** A type counts as present in a batch from this many cells, and as missing from one with fewer than `MISSING_CELLS`
 *  (a few mislabelled cells do not make a type present). */
const PRESENT_CELLS = 10;
const MISSING_CELLS = 3;
/** Cramér's V from which batch and label are taken as nearly confounded. */
const CONFOUNDED_V = 0.7;

/** Cramér's V of two labelings (codes ≥ 0; −1 is missing and skipped). */
export function cramersV(a: Int32Array, b: Int32Array): number {
  const ka = Math.max(0, ...a) + 1;
  const kb = Math.max(0, ...b) + 1;
  const table = new Float64Array(ka * kb);
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < 0 || b[i]! < 0) continue;
    table[a[i]! * kb + b[i]!]!++;
    n++;
  }
  const rows = Array.from({ length: ka }, (_, i) => table.slice(i * kb, (i + 1) * kb).reduce((s, v) => s + v, 0));
  const cols = Array.from({ length: kb }, (_, j) => rows.reduce((s, _r, i) => s + table[i * kb + j]!, 0));
  const usedA = rows.filter((r) => r > 0).length;
  const usedB = cols.filter((c) => c > 0).length;
  if (n === 0 || usedA < 2 || usedB < 2) return 0;
  let chi2 = 0;
  for (let i = 0; i < ka; i++)
    for (let j = 0; j < kb; j++) {
      const e = (rows[i]! * cols[j]!) / n;
      if (e > 0) chi2 += (table[i * kb + j]! - e) ** 2 / e;
    }
  return Math.sqrt(chi2 / (n * (Math.min(usedA, usedB) - 1)));
}

export function scalingAdvice(
  batch: { codes: Int32Array; categories: readonly string[] } | null,
  label: { codes: Int32Array; categories: readonly string[] } | null,
): ScalingAdvice {
  if (!batch || !label) return { recommended: "batch", warnings: [], confounding: null };
  const nb = batch.categories.length;
  const nl = label.categories.length;
  const count = new Int32Array(nb * nl);
  batch.codes.forEach((b, i) => {
    const l = label.codes[i]!;
    if (b >= 0 && l >= 0) count[b * nl + l]!++;
  });
  const warnings: string[] = [];
  for (let l = 0; l < nl; l++) {
    const holders = [...Array(nb).keys()].filter((b) => count[b * nl + l]! >= PRESENT_CELLS);
    if (!holders.length) continue;
    for (let b = 0; b < nb; b++) {
      const here = count[b * nl + l]!;
      if (here >= MISSING_CELLS) continue;
      const example = holders.map((h) => `'${batch.categories[h]}' ${count[h * nl + l]}`).join(", ");
      warnings.push(
        `batch '${batch.categories[b]}' has ${here ? `only ${here}` : "no"} '${label.categories[l]}' cells, which other batches have (${example})`,
      );
    }
  }
  const v = cramersV(batch.codes, label.codes);
  if (v >= CONFOUNDED_V)
    warnings.push(`batch and label are nearly confounded (Cramér's V ${v.toFixed(2)}): the batches differ mostly in their cell types`);
  return { recommended: warnings.length ? "global" : "batch", warnings, confounding: v };
}
