/**
 * `predict-pairs`: ln IC50 of (CCLE cell line, molecule) pairs, molecules given as SMILES (any, in the training set
 * or not), by the bundled ensemble. Rows come back in the input's order.
 */

import type { DrugGraph } from "../../drugs/featurize.js";
import { packDrugs } from "../../drugs/pack.js";
import { DataError } from "../../io/errors.js";
import { readRows } from "../../io/table.js";
import { type CcleReference, type DrugBundle, predictEnsemble, referenceOmics } from "./bundle.js";
import { featurizeMolecules } from "./predict.js";

export interface PairPredictions {
  header: string[];
  rows: string[][];
  pred: Float32Array;
  sd: Float32Array;
}

/** A pairs file read and checked against the model's reference, every molecule featurized: all that can be refused
 *  is refused here (a DataError naming the file and line), before the model is loaded or anything is written. */
export interface PairsInput {
  header: string[];
  rows: string[][];
  /** Each row's reference line, and its molecule among `graphs`. */
  line: Int32Array;
  drug: Int32Array;
  graphs: DrugGraph[];
}

const HINT =
  "A pairs file is a CSV with a header line naming the columns DepMap_ID (a CCLE cell line, e.g. ACH-000001) and SMILES, and one pair per line.";

export async function readPairs(ref: CcleReference, file: string): Promise<PairsInput> {
  const { header: raw, rows } = await readRows(file);
  // A spreadsheet's byte-order mark is not part of the first column's name.
  const header = raw.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, "") : h).trim());
  const column = (name: string) => {
    const at = header.flatMap((h, i) => (h === name ? [i] : []));
    if (at.length > 1) throw new DataError(file, `one column ${name}`, `${at.length} columns named ${name}`, HINT);
    return at[0] ?? -1;
  };
  const idCol = column("DepMap_ID");
  const smilesCol = column("SMILES");
  if (idCol < 0 || smilesCol < 0)
    throw new DataError(file, "columns DepMap_ID and SMILES", `columns ${header.map((h) => `'${h}'`).join(", ")}`, HINT);
  const empty = rows.findIndex((r) => !r[idCol]!.trim() || !r[smilesCol]!.trim());
  if (empty >= 0)
    throw new DataError(
      file,
      "a DepMap_ID and a SMILES on every line",
      `an empty ${rows[empty]![idCol]!.trim() ? "SMILES" : "DepMap_ID"} on line ${empty + 2}`,
      HINT,
    );
  const lineOf = new Map(ref.lines.map((l, i) => [l.id, i]));
  const unknown = rows.map((r, i) => [i, r[idCol]!.trim()] as const).filter(([, id]) => !lineOf.has(id));
  if (unknown.length)
    throw new DataError(
      file,
      `DepMap ids of the model's ${ref.lines.length} CCLE cell lines`,
      `${unknown.length} unknown (${unknown
        .slice(0, 3)
        .map(([i, id]) => `'${id}' on line ${i + 2}`)
        .join(", ")})`,
      "Only cell lines whose CCLE expression the model has can be predicted; for your own samples use 'scilama drugs predict'.",
    );
  const smilesOf = (r: string[]) => r[smilesCol]!.trim();
  const smiles = [...new Set(rows.map(smilesOf))];
  const firstRow = new Map<string, number>();
  rows.forEach((r, i) => {
    if (!firstRow.has(smilesOf(r))) firstRow.set(smilesOf(r), i);
  });
  const graphs = await featurizeMolecules(
    smiles.map((s) => ({ name: s, smiles: s })),
    (i) => `${file} line ${firstRow.get(smiles[i]!)! + 2}`,
  );
  const drugRow = new Map(smiles.map((s, i) => [s, i]));
  return {
    header: raw,
    rows,
    line: Int32Array.from(rows, (r) => lineOf.get(r[idCol]!.trim())!),
    drug: Int32Array.from(rows, (r) => drugRow.get(smilesOf(r))!),
    graphs,
  };
}

/** The ensemble's predictions of checked pairs, in the file's order. */
export async function predictPairs(b: DrugBundle, p: PairsInput): Promise<PairPredictions> {
  const lines = [...new Set(p.line)];
  const lineRow = new Map(lines.map((l, i) => [l, i]));
  const { mean, sd } = await predictEnsemble(b, referenceOmics(b, lines), packDrugs(p.graphs), {
    cell: Int32Array.from(p.line, (l) => lineRow.get(l)!),
    drug: p.drug,
  });
  return { header: p.header, rows: p.rows, pred: mean, sd };
}

export async function predictPairsFile(b: DrugBundle, file: string): Promise<PairPredictions> {
  return predictPairs(b, await readPairs(b.reference, file));
}
