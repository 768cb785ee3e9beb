/**
 * Which cell columns make sense as batch or label, so the wizard can suggest them and explain the others before a
 * run rather than after it.
 */
import { type Column, cellText, columnLength } from "../data/frame.js";
import type { ColumnInfo } from "./contract.js";

const BATCH_NAME = /batch|sample|donor|study|protocol|tech|dataset|library|orig\.?ident|plate|lane|patient|replicate|stim|condition/i;
/** Label names, best first: curated cell types before computed clusters (seurat_annotation over seurat_clusters). */
const LABEL_NAMES = [/cell.?type|annotation|label|cell.?line|ontology|subclass|lineage|identity|class/i, /cluster|louvain|leiden/i];

export function describeColumn(name: string, col: Column): ColumnInfo {
  const n = columnLength(col);
  const kind: ColumnInfo["kind"] = col.kind === "numeric" ? "numeric" : col.kind === "string" ? "text" : "categorical";
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const v = cellText(col, i);
    seen.set(v, (seen.get(v) ?? 0) + 1);
  }
  const distinct = seen.size;
  const examples = [...seen.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([v]) => v);
  const groupNote = (max: number) =>
    distinct < 2
      ? "has a single value"
      : distinct > max
        ? `has ${distinct.toLocaleString("en")} different values — too many groups`
        : kind === "numeric" && distinct > 20
          ? "is a continuous measurement, not groups"
          : null;
  return {
    name,
    kind,
    distinct,
    examples,
    batchNote: groupNote(Math.max(2, Math.min(200, Math.floor(n / 10)))),
    labelNote: groupNote(Math.max(2, Math.min(500, Math.floor(n / 3)))),
  };
}

/** The likeliest batch and label among usable columns (by name first, then by being categorical). */
export function suggestColumns(columns: readonly ColumnInfo[]): { batch: string | null; label: string | null } {
  const pick = (usable: (c: ColumnInfo) => boolean, patterns: readonly RegExp[], avoid: string | null) => {
    const ok = columns.filter((c) => usable(c) && c.name !== avoid && c.kind !== "numeric");
    for (const pattern of patterns) {
      const found = ok.find((c) => pattern.test(c.name));
      if (found) return found.name;
    }
    return null;
  };
  const label = pick((c) => c.labelNote === null, LABEL_NAMES, null);
  const batch = pick((c) => c.batchNote === null, [BATCH_NAME], label);
  return { batch, label };
}
