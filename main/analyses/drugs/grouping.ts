/**
 * A cell column as the groups a prediction compares: which cells have no group (left out, never pooled into a group
 * called "NA"), and why a column cannot group cells — one judgement for the wizard's plan and the run's check.
 */
import { type Column, cellText, columnLength } from "../../data/frame.js";
import { PREDICT_LIMITS } from "./settings.js";

/** Texts that mean "no value" in the tables users bring (pandas' and R's missing values written out as text). */
const MISSING = new Set(["", "NA", "NaN", "nan", "None", "<NA>", "null"]);

/** The cell's group, or null where the column has no value for it (a missing category, NaN, an empty or "NA" text). */
export function groupOf(col: Column, i: number): string | null {
  if (col.kind === "categorical" && col.codes[i]! < 0) return null;
  if (col.kind === "numeric" && Number.isNaN(Number(col.values[i]))) return null;
  const text = cellText(col, i);
  return MISSING.has(text.trim()) ? null : text;
}

/** Each cell's group (null: none). */
export function cellGroups(col: Column): (string | null)[] {
  return Array.from({ length: columnLength(col) }, (_, i) => groupOf(col, i));
}

/** Each group's cells, cells without a group left out. */
export function groupCounts(col: Column): { counts: Map<string, number>; missing: number } {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const g of cellGroups(col))
    if (g === null) missing++;
    else counts.set(g, (counts.get(g) ?? 0) + 1);
  return { counts, missing };
}

/**
 * Above this many groups, a column that gives most cells a group of their own is an identifier (cell barcodes) or a
 * measurement, not groups: predictions of hundreds of one-cell groups say nothing. Up to it, one row per group is
 * allowed (bulk samples, a handful of pooled replicates are each a group of one).
 */
export const ONE_PER_CELL_GROUPS = 50;

/** Why a column cannot group the cells for a prediction, or null when it can (cells without a value not counted). */
export function groupingNote(col: Column): string | null {
  const { counts } = groupCounts(col);
  const groups = counts.size;
  const cells = [...counts.values()].reduce((a, b) => a + b, 0);
  const max = PREDICT_LIMITS.groups.max;
  if (cells === 0) return "has no value for any cell";
  if (groups < 2) return "has a single value — predictions compare groups, so at least two are needed";
  if (col.kind === "numeric" && groups > 20)
    return `is a continuous measurement (${groups.toLocaleString("en")} different values), not groups`;
  if (groups > max) return `has ${groups.toLocaleString("en")} different values — at most ${max} groups can be compared`;
  if (groups > ONE_PER_CELL_GROUPS && groups > cells / 2)
    return `has ${groups.toLocaleString("en")} groups for ${cells.toLocaleString("en")} cells — nearly one group per cell (an identifier, not groups)`;
  return null;
}
