/**
 * The trivial predictors of a panel imputation, for the same genes and cells as the model: each reference gene's mean
 * (a constant), and kNN regression from the reference over the panel genes the encoder would read (SpaGE) — for the
 * imputed genes, and for each panel fold's held-out genes from the rest of the panel.
 */
import { knnImpute } from "../../analysis/impute/knn.js";
import { matrixValues } from "../../data/subset.js";
import { type PanelData, pick, placeFold } from "./panel-data.js";

export interface BaselinePredictions {
  /** Target cells × imputed genes (log-normalised units). */
  imputed: Float64Array;
  /** Target cells × panel genes, each predicted in its fold (null without folds). */
  panel: Float64Array | null;
}

/** The reference mean of every gene, for every target cell. */
export function meanBaseline(d: PanelData, folds: readonly Int32Array[]): BaselinePredictions {
  const P = d.panel.length;
  const constant = (offset: number, n: number) => Float64Array.from({ length: d.tcells * n }, (_, i) => d.refMean[offset + (i % n)]!);
  return { imputed: constant(P, d.imputed.length), panel: folds.length ? constant(0, P) : null };
}

/** SpaGE's kNN (cosine over the z-scored panel, k = 50), from the reference's log-normalised values. */
export function knnBaseline(d: PanelData, folds: readonly Int32Array[], k = 50): BaselinePredictions {
  const P = d.panel.length;
  const predict = (encoder: ArrayLike<number>, values: ArrayLike<number>, genes: number) =>
    knnImpute({
      reference: pick(d.refPanelZ, d.cells, P, encoder),
      referenceCells: d.cells,
      target: pick(d.tgtPanelZ, d.tcells, P, encoder),
      targetCells: d.tcells,
      panel: encoder.length,
      values,
      genes,
      k,
    });
  const all = Int32Array.from({ length: P }, (_, i) => i);
  let panel: Float64Array | null = null;
  if (folds.length) {
    panel = new Float64Array(d.tcells * P);
    for (const fold of folds) {
      const keep = all.filter((g) => !fold.includes(g));
      placeFold(panel, P, fold, predict(keep, pick(d.refPanelLog, d.cells, P, fold), fold.length));
    }
  }
  return { imputed: predict(all, matrixValues(d.refImputedLog), d.imputed.length), panel };
}
