/**
 * Which cell columns make sense as batch, label or grouping: the wizards suggest them and explain the others, and
 * every analysis's `check` refuses an unusable one before a run is recorded — one judgement for the CLI and the app.
 */
import { basename } from "node:path";
import type { ColumnInfo } from "../api/contract.js";
import type { Dataset } from "../data/dataset.js";
import { type Column, cellText, columnLength, type Frame } from "../data/frame.js";
import { DataError } from "../io/errors.js";
import { readObs } from "../io/read.js";

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

/** One column over several datasets: numeric if every part is, else the parts' values as text. */
export function joinColumns(parts: Column[]): Column {
  if (parts.length === 1) return parts[0]!;
  if (parts.every((c) => c.kind === "numeric"))
    return { kind: "numeric", values: Float64Array.from(parts.flatMap((c) => Array.from(c.values as ArrayLike<number>, Number))) };
  return { kind: "string", values: parts.flatMap((c) => Array.from({ length: columnLength(c) }, (_, i) => cellText(c, i))) };
}

/** A column as group codes over sorted categories (a categorical column keeps its own; −1 is missing). */
export function groupCodes(col: Column): { codes: Int32Array; categories: string[] } {
  if (col.kind === "categorical") return { codes: col.codes, categories: col.categories };
  const text = Array.from({ length: columnLength(col) }, (_, i) => cellText(col, i));
  const categories = [...new Set(text)].sort();
  const index = new Map(categories.map((c, i) => [c, i]));
  return { codes: Int32Array.from(text, (t) => index.get(t)!), categories };
}

/** A dataset's cell column as group codes (`groupCodes`), or a refusal naming the columns there are. */
export function columnCodes(d: Dataset, name: string, file: string): { codes: Int32Array; categories: string[] } {
  const col = d.obs.columns.get(name);
  if (!col)
    throw new DataError(
      file,
      `a cell column '${name}'`,
      `the columns ${[...d.obs.columns.keys()].join(", ") || "(none)"}`,
      "Pick one of these columns.",
    );
  return groupCodes(col);
}

/** The cell columns of each file (only `obs` is read from an `.h5ad`), named as the user knows the file. */
export async function readCellColumns(files: readonly string[], names?: readonly string[]): Promise<{ name: string; obs: Frame }[]> {
  const out = [];
  for (const [i, file] of files.entries()) out.push({ name: names?.[i] ?? basename(file), obs: await readObs(file) });
  return out;
}

/**
 * Why the column `name`, asked for as `role` ("batch", "label", "grouping"), cannot group the cells of `frames`, or
 * null when it can: missing from a file, or (over all files together) a single value, a continuous measurement or
 * too many groups. The refusal names the columns that would do.
 */
export function groupColumnProblem(
  role: string,
  name: string,
  frames: readonly { name: string; obs: Frame }[],
  note: "batchNote" | "labelNote" | ((col: Column) => string | null),
): string | null {
  const judge = (n: string) => {
    const col = joinColumns(frames.map((f) => f.obs.columns.get(n)!));
    return typeof note === "function" ? note(col) : describeColumn(n, col)[note];
  };
  const lacking = frames.filter((f) => !f.obs.columns.has(name));
  const shared = [...frames[0]!.obs.columns.keys()].filter((n) => frames.every((f) => f.obs.columns.has(n)));
  const usable = () => {
    const ok = shared.filter((n) => judge(n) === null);
    return ok.length ? `columns that would do: ${ok.join(", ")}` : "no cell column would do";
  };
  if (lacking.length) return `the ${role} column '${name}' is not a cell column of ${lacking.map((f) => f.name).join(", ")} (${usable()})`;
  const problem = judge(name);
  return problem ? `the ${role} column '${name}' ${problem}; choose another (${usable()})` : null;
}
