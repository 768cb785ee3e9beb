/**
 * Each dataset of an imputation normalised on its own (technologies are not on one scale): counts and linear-scale
 * values to 1e4 per cell and log1p, log-normalised values as they are (`pp/expression.ts` finds which a file holds).
 */
import type { Dataset, Matrix } from "../../data/dataset.js";
import { matrixCols } from "../../data/subset.js";
import { readDataset } from "../../io/read.js";
import { type Expression, expressionOf } from "../../pp/expression.js";
import { log1p, normalizeTotal } from "../../pp/normalize.js";

export interface ImputeData {
  file: string;
  dataset: Dataset;
  expression: Expression;
  /** log-normalised over all the file's genes, cells × genes. */
  lognorm: Matrix;
}

export async function readImputeData(file: string): Promise<ImputeData> {
  const { dataset } = await readDataset(file);
  const expression = expressionOf(dataset, file);
  return { file, dataset, expression, lognorm: logNormalised(expression) };
}

/**
 * log-normalised values of `cols` (all genes by default), the library size counted over those genes only: a panel
 * normalised as an assay that measured only the panel would be (osmFISH's 33 genes, a 30-gene panel cut from a
 * transcriptome), in the reference as in the target, so the cell encoder sees both alike.
 */
export function logNormalised(e: Expression, cols?: Int32Array): Matrix {
  const m = cols ? matrixCols(e.matrix, cols) : e.matrix;
  return e.kind === "lognorm" ? m : log1p(normalizeTotal(m));
}
