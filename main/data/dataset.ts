/**
 * The in-memory dataset, shaped like AnnData: a cells × genes matrix `X` (sparse CSR or dense row-major), cell
 * and gene tables, per-cell and per-gene embeddings (`obsm`, `varm`), extra matrices of X's shape (`layers`),
 * an optional `raw` (pre-subsetting X and gene table), and unstructured metadata (`uns`, JSON-compatible).
 */

import type { Frame } from "./frame.js";
import type { Csr } from "./sparse.js";

export interface Dense {
  readonly nRows: number;
  readonly nCols: number;
  /** Row-major values. */
  readonly values: Float32Array | Float64Array;
}

export type Matrix = ({ kind: "csr" } & Csr) | ({ kind: "dense" } & Dense);

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

export interface Dataset {
  X: Matrix;
  obs: Frame;
  var: Frame;
  obsm: Map<string, Dense>;
  varm: Map<string, Dense>;
  layers: Map<string, Matrix>;
  raw?: { X: Matrix; var: Frame };
  uns: { [k: string]: Json };
}

export function nObs(d: Dataset): number {
  return d.X.nRows;
}

export function nVars(d: Dataset): number {
  return d.X.nCols;
}

export function matrixNnz(m: Matrix): number {
  if (m.kind === "csr") return m.indptr[m.nRows];
  let n = 0;
  for (let i = 0; i < m.values.length; i++) if (m.values[i] !== 0) n++;
  return n;
}

export function denseOf(nRows: number, nCols: number, values: Float32Array | Float64Array): Dense {
  if (values.length !== nRows * nCols)
    throw new Error(`dense matrix ${nRows}×${nCols} needs ${nRows * nCols} values, got ${values.length}`);
  return { nRows, nCols, values };
}

/** Iterates the non-zeros of row r as (column, value) pairs through a callback (works for both layouts). */
export function forEachInRow(m: Matrix, r: number, fn: (col: number, value: number) => void): void {
  if (m.kind === "csr") {
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) fn(m.indices[k], m.data[k]);
    return;
  }
  const base = r * m.nCols;
  for (let c = 0; c < m.nCols; c++) {
    const v = m.values[base + c];
    if (v !== 0) fn(c, v);
  }
}
