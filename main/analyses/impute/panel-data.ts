/**
 * A panel imputation's matrices, each dataset normalised and z-scored on its own: the reference's modelled columns
 * (the panel first, normalised over the panel as a panel assay would be; the others over all its genes), their means
 * and spreads (to bring predictions back to log-normalised units), the target's panel, and what the target measured of
 * the imputed genes (scored directly).
 */
import type { Matrix } from "../../data/dataset.js";
import { matrixCols, matrixValues } from "../../data/subset.js";
import { scale } from "../../pp/scale.js";
import { type ImputeData, logNormalised } from "./expression.js";
import type { GeneChoice } from "./genes.js";

export interface PanelData {
  /** Reference and target cells. */
  cells: number;
  tcells: number;
  /** Panel genes (the model's first columns), imputed genes, and the two together (reference names). */
  panel: string[];
  imputed: string[];
  modelled: string[];
  /** Reference cells × modelled genes, z-scored (clipped at ±10). */
  x: Float32Array;
  /** Each modelled gene's reference mean and standard deviation (log-normalised units). */
  refMean: Float64Array;
  refStd: Float64Array;
  /** Each modelled gene's lowest and highest value in the reference (log-normalised units): a prediction is clipped
   *  to this range, as a log-normalised value is never negative and never beyond what the reference measured. */
  refMin: Float64Array;
  refMax: Float64Array;
  /** Reference cells × panel genes: z-scored, and log-normalised; reference cells × imputed genes, log-normalised. */
  refPanelZ: ArrayLike<number>;
  refPanelLog: ArrayLike<number>;
  refImputedLog: Matrix;
  /** Target cells × panel genes: log-normalised (over the panel), and z-scored. */
  tgtPanelLog: ArrayLike<number>;
  tgtPanelZ: ArrayLike<number>;
  /** Imputed genes the target measured (indices into `imputed`), their names, and the target's values (log-normalised
   *  over all its genes), target cells × those genes. */
  scoredIdx: number[];
  scoredNames: string[];
  measuredOutside: ArrayLike<number>;
}

export function panelData(ref: ImputeData, tgt: ImputeData, choice: GeneChoice): PanelData {
  const genes = ref.expression.genes;
  const P = choice.panelRef.length;
  const O = choice.othersRef.length;
  const G = P + O;
  const cells = ref.lognorm.nRows;
  const refPanelLog = logNormalised(ref.expression, choice.panelRef);
  const refImputedLog = matrixCols(ref.lognorm, choice.othersRef);
  const refPanelZ = scale(refPanelLog, 10);
  const refOthersZ = scale(refImputedLog, 10);
  const x = new Float32Array(cells * G);
  for (let c = 0; c < cells; c++) {
    x.set(refPanelZ.scaled.values.subarray(c * P, (c + 1) * P), c * G);
    x.set(refOthersZ.scaled.values.subarray(c * O, (c + 1) * O), c * G + P);
  }
  const tgtPanel = logNormalised(tgt.expression, choice.panelTarget);
  const scoredIdx = [...choice.othersTarget.keys()].filter((i) => choice.othersTarget[i]! >= 0);
  const panel = Array.from(choice.panelRef, (i) => genes[i]!);
  const imputed = Array.from(choice.othersRef, (i) => genes[i]!);
  return {
    cells,
    tcells: tgt.lognorm.nRows,
    panel,
    imputed,
    modelled: [...panel, ...imputed],
    x,
    refMean: Float64Array.from([...refPanelZ.mean, ...refOthersZ.mean]),
    refStd: Float64Array.from([...refPanelZ.std, ...refOthersZ.std]),
    ...observedRange(matrixValues(refPanelLog), P, matrixValues(refImputedLog), O, cells),
    refPanelZ: refPanelZ.scaled.values,
    refPanelLog: matrixValues(refPanelLog),
    refImputedLog,
    tgtPanelLog: matrixValues(tgtPanel),
    tgtPanelZ: scale(tgtPanel, 10).scaled.values,
    scoredIdx,
    scoredNames: scoredIdx.map((i) => imputed[i]!),
    measuredOutside: matrixValues(
      matrixCols(
        tgt.lognorm,
        Int32Array.from(scoredIdx, (i) => choice.othersTarget[i]!),
      ),
    ),
  };
}

/** Each column's lowest and highest value, the panel's columns (rows × P) then the others' (rows × O). */
function observedRange(panel: ArrayLike<number>, P: number, others: ArrayLike<number>, O: number, rows: number) {
  const refMin = new Float64Array(P + O).fill(Number.POSITIVE_INFINITY);
  const refMax = new Float64Array(P + O).fill(Number.NEGATIVE_INFINITY);
  const add = (values: ArrayLike<number>, n: number, offset: number) => {
    for (let r = 0; r < rows; r++)
      for (let g = 0; g < n; g++) {
        const v = values[r * n + g]!;
        if (v < refMin[offset + g]!) refMin[offset + g] = v;
        if (v > refMax[offset + g]!) refMax[offset + g] = v;
      }
  };
  add(panel, P, 0);
  add(others, O, P);
  return { refMin, refMax };
}

/** Columns `cols` of a row-major rows × n matrix. */
export function pick(values: ArrayLike<number>, rows: number, n: number, cols: ArrayLike<number>): Float32Array {
  const w = cols.length;
  const out = new Float32Array(rows * w);
  for (let r = 0; r < rows; r++) for (let j = 0; j < w; j++) out[r * w + j] = values[r * n + cols[j]!]!;
  return out;
}

/** Puts a fold's predictions (rows × fold columns) into the fold's columns of `held` (rows × n). */
export function placeFold(held: Float64Array, n: number, fold: ArrayLike<number>, values: ArrayLike<number>): void {
  const rows = held.length / n;
  for (let r = 0; r < rows; r++) for (let j = 0; j < fold.length; j++) held[r * n + fold[j]!] = values[r * fold.length + j]!;
}
