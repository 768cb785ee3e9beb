/** One entry point for every supported input: detects the format, reads, validates, and reports what it did. */

import type { Dataset } from "../data/dataset.js";
import type { Frame } from "../data/frame.js";
import { detectFormat, type Format } from "./detect.js";
import { checkUnique, checkValues, DataError } from "./errors.js";
import { readH5ad, withH5ad } from "./h5ad/read.js";
import { checkInputs } from "./inputs.js";
import { type Orientation, readExpressionTable } from "./table.js";
import { readTenxH5 } from "./tenx-h5.js";
import { readTenxMtx } from "./tenx-mtx.js";

export interface ReadOptions {
  format?: Format;
  /** For tables only: overrides the detected orientation. */
  orientation?: Orientation;
}

export interface ReadReport {
  format: Format;
  orientation?: Orientation;
  orientationReason?: string;
  warnings: string[];
}

export async function readDataset(path: string, opts: ReadOptions = {}): Promise<{ dataset: Dataset; report: ReadReport }> {
  // Every reader of a file checks it first (`io/inputs.ts`): whatever path reaches here is never a pipe or a database.
  checkInputs([{ path, what: "the dataset", kind: "dataset" }]);
  const format = opts.format ?? (await detectFormat(path));
  let dataset: Dataset;
  const report: ReadReport = { format, warnings: [] };
  switch (format) {
    case "h5ad":
      dataset = await readH5ad(path);
      break;
    case "10x-h5": {
      const r = await readTenxH5(path);
      dataset = r.dataset;
      report.warnings.push(...r.warnings);
      break;
    }
    case "10x-mtx": {
      const r = await readTenxMtx(path);
      dataset = r.dataset;
      report.warnings.push(...r.warnings);
      break;
    }
    case "table": {
      const r = await readExpressionTable(path, opts.orientation);
      dataset = r.dataset;
      report.orientation = r.orientation;
      report.orientationReason = r.orientationReason;
    }
  }
  const X = dataset.X;
  if (X.nRows === 0) throw new DataError(path, "at least one cell", "none");
  if (X.nCols === 0) throw new DataError(path, "at least one gene", "none");
  checkValues(path, "the expression matrix", X.kind === "csr" ? X.data : X.values);
  checkUnique(path, "cell names", dataset.obs.index, "Two cells share a name; make the names unique before importing.");
  return { dataset, report };
}

/** The cell annotations of a dataset: from an `.h5ad` only its `obs` is read; other formats are read whole. */
export async function readObs(path: string, opts: ReadOptions = {}): Promise<Frame> {
  if ((opts.format ?? (await detectFormat(path))) === "h5ad") return withH5ad(path, (h) => h.readFrame("obs"));
  return (await readDataset(path, opts)).dataset.obs;
}
