/**
 * Compressed sparse row matrix: float32 values, int32 column indices, and a float64 `indptr` so that offsets
 * stay exact past 2^31 non-zeros (doubles hold integers exactly up to 2^53).
 */
export interface Csr {
  readonly nRows: number;
  readonly nCols: number;
  readonly indptr: Float64Array;
  readonly indices: Int32Array;
  readonly data: Float32Array;
}

export function csrNnz(m: Csr): number {
  return m.indptr[m.nRows];
}

/** Checks the structural invariants; returns a description of the first violation, or null. */
export function csrProblem(m: Csr): string | null {
  if (m.indptr.length !== m.nRows + 1) {
    return `indptr has ${m.indptr.length} entries, expected rows + 1 = ${m.nRows + 1}`;
  }
  if (m.indptr[0] !== 0) return `indptr starts at ${m.indptr[0]}, expected 0`;
  const nnz = m.indptr[m.nRows];
  if (nnz !== m.indices.length || nnz !== m.data.length) {
    return `indptr ends at ${nnz} but there are ${m.indices.length} indices and ${m.data.length} values`;
  }
  for (let r = 0; r < m.nRows; r++) {
    const a = m.indptr[r];
    const b = m.indptr[r + 1];
    if (b < a) return `indptr decreases at row ${r} (${a} → ${b})`;
    for (let k = a; k < b; k++) {
      const c = m.indices[k];
      if (c < 0 || c >= m.nCols) return `column index ${c} in row ${r} is outside 0…${m.nCols - 1}`;
    }
  }
  return null;
}

/** Builds a CSR matrix from (row, col, value) triplets; duplicates are summed. */
export function csrFromTriplets(nRows: number, nCols: number, rows: Int32Array, cols: Int32Array, vals: Float32Array): Csr {
  const counts = new Float64Array(nRows + 1);
  for (let k = 0; k < rows.length; k++) counts[rows[k] + 1]++;
  for (let r = 0; r < nRows; r++) counts[r + 1] += counts[r];
  const next = counts.slice(0, nRows);
  const indices = new Int32Array(rows.length);
  const data = new Float32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const p = next[rows[k]]++;
    indices[p] = cols[k];
    data[p] = vals[k];
  }
  return sortAndSumRows({ nRows, nCols, indptr: counts, indices, data });
}

/** Sorts each row's column indices and merges duplicate entries (summing them). */
export function sortAndSumRows(m: Csr): Csr {
  let sorted = true;
  for (let r = 0; r < m.nRows && sorted; r++) {
    for (let k = m.indptr[r] + 1; k < m.indptr[r + 1]; k++) {
      if (m.indices[k] <= m.indices[k - 1]) {
        sorted = false;
        break;
      }
    }
  }
  if (sorted) return m;
  const indptr = new Float64Array(m.nRows + 1);
  const indices = new Int32Array(m.indices.length);
  const data = new Float32Array(m.data.length);
  let out = 0;
  for (let r = 0; r < m.nRows; r++) {
    const a = m.indptr[r];
    const b = m.indptr[r + 1];
    const order = Array.from({ length: b - a }, (_, i) => a + i).sort((x, y) => m.indices[x] - m.indices[y]);
    let last = -1;
    for (const k of order) {
      if (m.indices[k] === last) data[out - 1] += m.data[k];
      else {
        indices[out] = m.indices[k];
        data[out] = m.data[k];
        last = m.indices[k];
        out++;
      }
    }
    indptr[r + 1] = out;
  }
  return { nRows: m.nRows, nCols: m.nCols, indptr, indices: indices.slice(0, out), data: data.slice(0, out) };
}

/** Transpose (equivalently: reinterpret a CSC matrix of shape cols × rows as CSR, or convert CSR ↔ CSC). */
export function csrTranspose(m: Csr): Csr {
  const nnz = csrNnz(m);
  const indptr = new Float64Array(m.nCols + 1);
  for (let k = 0; k < nnz; k++) indptr[m.indices[k] + 1]++;
  for (let c = 0; c < m.nCols; c++) indptr[c + 1] += indptr[c];
  const next = indptr.slice(0, m.nCols);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  for (let r = 0; r < m.nRows; r++) {
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) {
      const p = next[m.indices[k]]++;
      indices[p] = r;
      data[p] = m.data[k];
    }
  }
  return { nRows: m.nCols, nCols: m.nRows, indptr, indices, data };
}

export function csrFromDense(values: ArrayLike<number>, nRows: number, nCols: number): Csr {
  let nnz = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) nnz++;
  const indptr = new Float64Array(nRows + 1);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  let k = 0;
  for (let r = 0; r < nRows; r++) {
    for (let c = 0; c < nCols; c++) {
      const v = values[r * nCols + c];
      if (v !== 0) {
        indices[k] = c;
        data[k++] = v;
      }
    }
    indptr[r + 1] = k;
  }
  return { nRows, nCols, indptr, indices, data };
}

export function csrToDense(m: Csr): Float32Array {
  const out = new Float32Array(m.nRows * m.nCols);
  for (let r = 0; r < m.nRows; r++) {
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) out[r * m.nCols + m.indices[k]] = m.data[k];
  }
  return out;
}

/** Keeps the given rows (in the given order). */
export function csrSelectRows(m: Csr, rows: ArrayLike<number>): Csr {
  const indptr = new Float64Array(rows.length + 1);
  for (let i = 0; i < rows.length; i++) indptr[i + 1] = indptr[i] + (m.indptr[rows[i] + 1] - m.indptr[rows[i]]);
  const nnz = indptr[rows.length];
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  for (let i = 0; i < rows.length; i++) {
    const a = m.indptr[rows[i]];
    const b = m.indptr[rows[i] + 1];
    indices.set(m.indices.subarray(a, b), indptr[i]);
    data.set(m.data.subarray(a, b), indptr[i]);
  }
  return { nRows: rows.length, nCols: m.nCols, indptr, indices, data };
}

/** Keeps the given columns (in the given order); a column may not be repeated. */
export function csrSelectCols(m: Csr, cols: ArrayLike<number>): Csr {
  const map = new Int32Array(m.nCols).fill(-1);
  for (let j = 0; j < cols.length; j++) map[cols[j]] = j;
  const indptr = new Float64Array(m.nRows + 1);
  const nnz = csrNnz(m);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  let out = 0;
  for (let r = 0; r < m.nRows; r++) {
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) {
      const j = map[m.indices[k]];
      if (j >= 0) {
        indices[out] = j;
        data[out++] = m.data[k];
      }
    }
    indptr[r + 1] = out;
  }
  return sortAndSumRows({ nRows: m.nRows, nCols: cols.length, indptr, indices: indices.slice(0, out), data: data.slice(0, out) });
}

/** Stacks matrices with the same column count on top of each other. */
export function csrVstack(parts: Csr[]): Csr {
  const nCols = parts[0].nCols;
  const nRows = parts.reduce((s, p) => s + p.nRows, 0);
  const nnz = parts.reduce((s, p) => s + csrNnz(p), 0);
  const indptr = new Float64Array(nRows + 1);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  let row = 0;
  let off = 0;
  for (const p of parts) {
    if (p.nCols !== nCols) throw new Error(`cannot stack a matrix with ${p.nCols} columns onto ${nCols}`);
    for (let r = 0; r < p.nRows; r++) indptr[row + r + 1] = off + p.indptr[r + 1];
    const n = csrNnz(p);
    indices.set(p.indices.subarray(0, n), off);
    data.set(p.data.subarray(0, n), off);
    row += p.nRows;
    off += n;
  }
  return { nRows, nCols, indptr, indices, data };
}
