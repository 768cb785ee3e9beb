/** Input validation shared by the analysis functions: every failure names the function and what was wrong. */

export type Embedding = Float32Array | Float64Array;

/** Checks that `x` holds `cells` × `dims` finite values (row-major: one row per cell). */
export function checkEmbedding(fn: string, x: Embedding, cells: number, dims: number, minCells = 1): void {
  if (!Number.isInteger(cells) || cells < minCells)
    throw new Error(`${fn}: needs at least ${minCells} cell${minCells === 1 ? "" : "s"}, got ${cells}`);
  if (!Number.isInteger(dims) || dims < 1) throw new Error(`${fn}: the number of dimensions must be ≥ 1, got ${dims}`);
  if (x.length !== cells * dims)
    throw new Error(`${fn}: the embedding has ${x.length} values, expected cells × dims = ${cells} × ${dims} = ${cells * dims}`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) {
      const v = x[i]!;
      throw new Error(
        `${fn}: the embedding has a ${Number.isNaN(v) ? "NaN" : "non-finite"} value at cell ${Math.floor(i / dims)}, dimension ${i % dims}`,
      );
    }
  }
}

/** Checks a neighbour count: an integer with 1 ≤ k < cells (a cell is not its own neighbour). */
export function checkK(fn: string, name: string, k: number, cells: number): void {
  if (!Number.isInteger(k) || k < 1) throw new Error(`${fn}: ${name} must be a positive integer, got ${k}`);
  if (k >= cells) throw new Error(`${fn}: ${name} = ${k} needs more than ${k} cells, got ${cells}`);
}

/** Checks that a per-cell array has one entry per cell. */
export function checkLength(fn: string, name: string, a: ArrayLike<unknown>, cells: number): void {
  if (a.length !== cells) throw new Error(`${fn}: ${name} has ${a.length} entries for ${cells} cells`);
}

/**
 * Codes 0…n−1 for a labelling, in order of first appearance, and the number of distinct labels. Missing labels
 * (null, undefined, NaN, "") are an error: metrics over partially labelled cells should be computed on the subset.
 */
export function factorize(fn: string, name: string, labels: ArrayLike<unknown>): { codes: Int32Array; levels: number } {
  const codes = new Int32Array(labels.length);
  const seen = new Map<unknown, number>();
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v === null || v === undefined || v === "" || (typeof v === "number" && Number.isNaN(v)))
      throw new Error(`${fn}: ${name} is missing for cell ${i}; subset to labelled cells first`);
    let c = seen.get(v);
    if (c === undefined) {
      c = seen.size;
      seen.set(v, c);
    }
    codes[i] = c;
  }
  return { codes, levels: seen.size };
}

/** Row-major cells × dims as float64 (a copy only when the input is float32). */
export function asFloat64(x: Embedding): Float64Array {
  return x instanceof Float64Array ? x : Float64Array.from(x);
}
