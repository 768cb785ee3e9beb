/**
 * A dropout benchmark's rows as they are shown: one table per set of scored entries — every masked entry, and those of
 * the genes in scPaLM's vocabulary (the only ones it can predict), where every method is scored again — each with its
 * best method by RMSE. Shared by the CLI, the report and the result page.
 */

/** The masked entries a row is scored on. */
export const DROPOUT_SCOPES = ["all", "scpalm"] as const;
export type DropoutScope = (typeof DROPOUT_SCOPES)[number];

export interface ScopedErrors {
  method: string;
  /** Absent in results written before scPaLM took part: they scored every masked entry. */
  scope?: DropoutScope;
  entries?: number;
  rmse: number;
  mae: number;
}

export interface DropoutTable<R extends ScopedErrors> {
  scope: DropoutScope;
  title: string;
  rows: R[];
  /** The method with the lowest RMSE. */
  best: string;
}

/** `vocabularyGenes`: the dataset genes scPaLM predicted (for the second table's title). */
export function dropoutTables<R extends ScopedErrors>(rows: readonly R[], vocabularyGenes: number | null): DropoutTable<R>[] {
  const out: DropoutTable<R>[] = [];
  for (const scope of DROPOUT_SCOPES) {
    const mine = rows.filter((r) => (r.scope ?? "all") === scope);
    if (!mine.length) continue;
    const n = mine[0]!.entries?.toLocaleString("en");
    const title =
      scope === "all"
        ? `Every masked entry${n ? ` (${n})` : ""}`
        : `The ${n} masked entries of the ${vocabularyGenes?.toLocaleString("en") ?? "?"} genes in scPaLM's vocabulary`;
    const best = mine.reduce((a, b) => (b.rmse < a.rmse ? b : a)).method;
    out.push({ scope, title, rows: mine, best });
  }
  return out;
}
