/**
 * `predict-pairs`: ln IC50 of (CCLE cell line, molecule) pairs, molecules given as SMILES (any, in the training set
 * or not), by the bundled ensemble. Rows come back in the input's order.
 */

import { packDrugs } from "../../drugs/pack.js";
import { DataError } from "../../io/errors.js";
import { readRows } from "../../io/table.js";
import { type DrugBundle, predictEnsemble, referenceOmics } from "./bundle.js";
import { featurizeMolecules } from "./predict.js";

export interface PairPredictions {
  header: string[];
  rows: string[][];
  pred: Float32Array;
  sd: Float32Array;
}

export async function predictPairsFile(b: DrugBundle, file: string): Promise<PairPredictions> {
  const { header, rows } = await readRows(file);
  const idCol = header.indexOf("DepMap_ID");
  const smilesCol = header.indexOf("SMILES");
  if (idCol < 0 || smilesCol < 0) throw new DataError(file, "columns DepMap_ID and SMILES", `columns ${header.join(", ")}`);
  const lineOf = new Map(b.reference.lines.map((l, i) => [l.id, i]));
  const unknown = rows.map((r, i) => [i, r[idCol]!] as const).filter(([, id]) => !lineOf.has(id));
  if (unknown.length)
    throw new DataError(
      file,
      `DepMap ids of the model's ${b.reference.lines.length} CCLE cell lines`,
      `${unknown.length} unknown (${unknown
        .slice(0, 3)
        .map(([i, id]) => `'${id}' on line ${i + 2}`)
        .join(", ")})`,
      "Only cell lines whose CCLE expression the model has can be predicted; for your own samples use 'scilama drugs predict'.",
    );
  const smiles = [...new Set(rows.map((r) => r[smilesCol]!))];
  const firstRow = new Map<string, number>();
  rows.forEach((r, i) => {
    if (!firstRow.has(r[smilesCol]!)) firstRow.set(r[smilesCol]!, i);
  });
  const graphs = await featurizeMolecules(
    smiles.map((s) => ({ name: s, smiles: s })),
    (i) => `${file} line ${firstRow.get(smiles[i]!)! + 2}`,
  );
  const lines = [...new Set(rows.map((r) => lineOf.get(r[idCol]!)!))];
  const lineRow = new Map(lines.map((l, i) => [l, i]));
  const drugRow = new Map(smiles.map((s, i) => [s, i]));
  const { mean, sd } = await predictEnsemble(b, referenceOmics(b, lines), packDrugs(graphs), {
    cell: Int32Array.from(rows, (r) => lineRow.get(lineOf.get(r[idCol]!)!)!),
    drug: Int32Array.from(rows, (r) => drugRow.get(r[smilesCol]!)!),
  });
  return { header, rows, pred: mean, sd };
}
