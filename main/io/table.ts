/**
 * Delimited text tables: expression matrices (genes × cells or cells × genes, orientation detected from which
 * axis holds gene identifiers, reported, and overridable) and annotation tables (one row per cell) that become obs.
 */
import type { Dataset } from "../data/dataset.js";
import { type Column, categorical, type Frame } from "../data/frame.js";
import { csrFromTriplets, csrTranspose } from "../data/sparse.js";
import { looksLikeGeneIds } from "../genes/detect.js";
import { checkUnique, DataError } from "./errors.js";
import { guessSeparator, lines, splitFields } from "./text.js";

export type Orientation = "genes-by-cells" | "cells-by-genes";

export interface TableResult {
  dataset: Dataset;
  orientation: Orientation;
  /** How the orientation was chosen, in words for the user. */
  orientationReason: string;
}

/** Reads a whole delimited file: header fields and rows (first field of each row = row name); ragged rows are a DataError. */
export async function readRows(path: string): Promise<{ header: string[]; names: string[]; rows: string[][] }> {
  let sep = "";
  let header: string[] | null = null;
  const names: string[] = [];
  const rows: string[][] = [];
  let lineNo = 0;
  for await (const line of lines(path)) {
    lineNo++;
    if (line.trim() === "") continue;
    if (header === null) {
      sep = guessSeparator(line);
      header = splitFields(line, sep);
      continue;
    }
    const f = splitFields(line, sep);
    // R's write.table omits the corner cell: rows then have one more field than the header.
    if (f.length === header.length + 1) header.unshift("");
    if (f.length !== header.length) {
      throw new DataError(
        path,
        `${header.length} fields on every line (as in the header)`,
        `${f.length} fields on line ${lineNo}`,
        "Check that the file uses one delimiter throughout and has no ragged rows.",
      );
    }
    names.push(f[0]);
    rows.push(f);
  }
  if (header === null) throw new DataError(path, "a table with a header line", "an empty file");
  if (rows.length === 0) throw new DataError(path, "at least one data row below the header", "only a header");
  return { header, names, rows };
}

export async function readExpressionTable(path: string, orientation?: Orientation): Promise<TableResult> {
  const { header, names, rows } = await readRows(path);
  const colNames = header.slice(1);
  let chosen: Orientation;
  let reason: string;
  if (orientation) {
    chosen = orientation;
    reason = "set by you";
  } else {
    const rowScore = looksLikeGeneIds(names);
    const colScore = looksLikeGeneIds(colNames);
    chosen = rowScore >= colScore ? "genes-by-cells" : "cells-by-genes";
    reason = `${Math.round(100 * Math.max(rowScore, colScore))}% of the ${chosen === "genes-by-cells" ? "row" : "column"} names look like gene identifiers`;
  }
  const nR = rows.length;
  const nC = colNames.length;
  const ri: number[] = [];
  const ci: number[] = [];
  const vals: number[] = [];
  for (let r = 0; r < nR; r++) {
    const f = rows[r];
    for (let c = 0; c < nC; c++) {
      const s = f[c + 1];
      const v = s === "" ? Number.NaN : Number(s);
      if (!Number.isFinite(v)) {
        throw new DataError(
          path,
          "a number in every cell of the table",
          `'${s}' at row '${f[0]}', column '${colNames[c]}'`,
          "Remove text, NA or empty cells from the expression values (annotations belong in a separate table).",
        );
      }
      if (v !== 0) {
        ri.push(r);
        ci.push(c);
        vals.push(v);
      }
    }
  }
  const m = csrFromTriplets(nR, nC, Int32Array.from(ri), Int32Array.from(ci), Float32Array.from(vals));
  const X = chosen === "genes-by-cells" ? csrTranspose(m) : m;
  const cells = chosen === "genes-by-cells" ? colNames : names;
  const genes = chosen === "genes-by-cells" ? names : colNames;
  checkUnique(path, "cell names", cells, "Two cells share a name; make the names unique before importing.");
  return {
    dataset: {
      X: { kind: "csr", ...X },
      obs: { index: cells, columns: new Map() },
      var: { index: genes, columns: new Map() },
      obsm: new Map(),
      varm: new Map(),
      layers: new Map(),
      uns: {},
    },
    orientation: chosen,
    orientationReason: reason,
  };
}

/** Infers a column type: all numbers → numeric, True/False → bool, otherwise categorical text. */
function inferColumn(values: string[]): Column {
  if (values.every((v) => v !== "" && Number.isFinite(Number(v)))) return { kind: "numeric", values: Float64Array.from(values, Number) };
  if (values.every((v) => /^(true|false)$/i.test(v)))
    return { kind: "bool", values: Uint8Array.from(values, (v) => (/^true$/i.test(v) ? 1 : 0)) };
  return categorical(values, [...new Set(values)].sort());
}

/** Reads a per-cell annotation table (first column = cell name) as a Frame. */
export async function readAnnotationTable(path: string): Promise<Frame> {
  const { header, names, rows } = await readRows(path);
  checkUnique(path, "cell names in the annotation table", names, "Each cell may appear once.");
  const columns = new Map<string, Column>();
  header.slice(1).forEach((name, j) => {
    columns.set(name || `column_${j + 1}`, inferColumn(rows.map((r) => r[j + 1])));
  });
  return { index: names, columns };
}
