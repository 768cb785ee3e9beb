/**
 * Annotation tables (obs for cells, var for genes) modelled on the AnnData on-disk dataframe: an index of unique
 * string names and typed columns, with pandas' categorical as codes + categories.
 */
export type NumericValues =
  | Float64Array
  | Float32Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array;

export type Column =
  | { kind: "string"; values: string[] }
  | { kind: "numeric"; values: NumericValues }
  | { kind: "bool"; values: Uint8Array }
  | { kind: "categorical"; codes: Int32Array; categories: string[]; ordered: boolean };

export interface Frame {
  index: string[];
  /** Column order is the insertion order of the map. */
  columns: Map<string, Column>;
}

export function emptyFrame(index: string[]): Frame {
  return { index, columns: new Map() };
}

export function columnLength(c: Column): number {
  return c.kind === "categorical" ? c.codes.length : c.values.length;
}

/** Value of row i as a display string (missing categorical values, code −1, are "NA"). */
export function cellText(c: Column, i: number): string {
  switch (c.kind) {
    case "string":
      return c.values[i];
    case "bool":
      return c.values[i] ? "True" : "False";
    case "categorical":
      return c.codes[i] < 0 ? "NA" : c.categories[c.codes[i]];
    default:
      return String(c.values[i]);
  }
}

/** A column's values as numbers (categorical: codes), for numeric summaries. */
export function numericValue(c: Column, i: number): number {
  switch (c.kind) {
    case "numeric":
      return Number(c.values[i]);
    case "bool":
      return c.values[i];
    case "categorical":
      return c.codes[i];
    default:
      return Number(c.values[i]);
  }
}

/** Builds a categorical column from strings, categories in order of first appearance unless given. */
export function categorical(values: string[], categories?: string[]): Column {
  const cats = categories ?? [...new Set(values)];
  const lookup = new Map(cats.map((c, i) => [c, i]));
  const codes = new Int32Array(values.length);
  values.forEach((v, i) => {
    codes[i] = lookup.get(v) ?? -1;
  });
  return { kind: "categorical", codes, categories: cats, ordered: false };
}

/** Cluster ids (Leiden's) as a categorical column, categories in numeric order. */
export function clusterColumn(ids: Int32Array): Column {
  const categories = [...new Set(ids)].sort((a, b) => a - b);
  return categorical(Array.from(ids, String), categories.map(String));
}

/** Rows `rows` of a column, in that order. */
export function takeColumn(c: Column, rows: ArrayLike<number>): Column {
  const pick = <T>(v: ArrayLike<T>) => Array.from({ length: rows.length }, (_, i) => v[rows[i]]);
  switch (c.kind) {
    case "string":
      return { kind: "string", values: pick(c.values) };
    case "bool":
      return { kind: "bool", values: Uint8Array.from(pick(c.values)) };
    case "categorical":
      return { ...c, codes: Int32Array.from(pick(c.codes)) };
    case "numeric": {
      const Ctor = c.values.constructor as { new (n: number): NumericValues };
      const out = new Ctor(rows.length);
      for (let i = 0; i < rows.length; i++) (out as unknown as number[])[i] = (c.values as unknown as number[])[rows[i]];
      return { kind: "numeric", values: out };
    }
  }
}

export function takeRows(f: Frame, rows: ArrayLike<number>): Frame {
  const columns = new Map<string, Column>();
  for (const [k, c] of f.columns) columns.set(k, takeColumn(c, rows));
  return { index: Array.from({ length: rows.length }, (_, i) => f.index[rows[i]]), columns };
}

/** Names that appear more than once, with their counts (first 20). */
export function duplicates(names: string[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1).slice(0, 20);
}
