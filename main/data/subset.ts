/** Subsets a dataset by cells and/or genes, keeping every aligned table (obs/var, obsm/varm, layers, raw). */
import type { Dataset, Dense, Matrix } from "./dataset.js";
import { takeRows } from "./frame.js";
import { csrSelectCols, csrSelectRows, csrToDense } from "./sparse.js";

function denseRows(d: Dense, rows: ArrayLike<number>): Dense {
  const values = new (d.values.constructor as Float32ArrayConstructor)(rows.length * d.nCols);
  for (let i = 0; i < rows.length; i++) values.set(d.values.subarray(rows[i] * d.nCols, (rows[i] + 1) * d.nCols), i * d.nCols);
  return { nRows: rows.length, nCols: d.nCols, values };
}

function denseCols(d: Dense, cols: ArrayLike<number>): Dense {
  const values = new (d.values.constructor as Float32ArrayConstructor)(d.nRows * cols.length);
  for (let r = 0; r < d.nRows; r++) for (let j = 0; j < cols.length; j++) values[r * cols.length + j] = d.values[r * d.nCols + cols[j]];
  return { nRows: d.nRows, nCols: cols.length, values };
}

export function matrixRows(m: Matrix, rows: ArrayLike<number>): Matrix {
  return m.kind === "csr" ? { kind: "csr", ...csrSelectRows(m, rows) } : { kind: "dense", ...denseRows(m, rows) };
}

export function matrixCols(m: Matrix, cols: ArrayLike<number>): Matrix {
  return m.kind === "csr" ? { kind: "csr", ...csrSelectCols(m, cols) } : { kind: "dense", ...denseCols(m, cols) };
}

/** Every value, row-major (a dense matrix's own values; a sparse one's with its zeros). */
export function matrixValues(m: Matrix): Float32Array | Float64Array {
  return m.kind === "csr" ? csrToDense(m) : m.values;
}

/** One column as a dense list (zeros where a sparse row has no entry). */
export function matrixColumn(m: Matrix, col: number): number[] {
  const values = new Array<number>(m.nRows).fill(0);
  if (m.kind === "csr") {
    for (let r = 0; r < m.nRows; r++)
      for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) if (m.indices[k] === col) values[r] = m.data[k]!;
  } else for (let r = 0; r < m.nRows; r++) values[r] = m.values[r * m.nCols + col]!;
  return values;
}

const mapValues = <K, V>(m: Map<K, V>, f: (v: V) => V) => new Map([...m].map(([k, v]) => [k, f(v)]));

/** Keeps `cells` (row indices) and `genes` (column indices); either may be omitted to keep all. */
export function subset(d: Dataset, cells?: ArrayLike<number>, genes?: ArrayLike<number>): Dataset {
  let out: Dataset = d;
  if (cells) {
    out = {
      ...out,
      X: matrixRows(out.X, cells),
      obs: takeRows(out.obs, cells),
      obsm: mapValues(out.obsm, (m) => denseRows(m, cells)),
      layers: mapValues(out.layers, (m) => matrixRows(m, cells)),
      raw: out.raw ? { X: matrixRows(out.raw.X, cells), var: out.raw.var } : undefined,
    };
  }
  if (genes) {
    out = {
      ...out,
      X: matrixCols(out.X, genes),
      var: takeRows(out.var, genes),
      varm: mapValues(out.varm, (m) => denseRows(m, genes)),
      layers: mapValues(out.layers, (m) => matrixCols(m, genes)),
    };
  }
  return out;
}
