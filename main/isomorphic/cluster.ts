/**
 * Hierarchical clustering for ordering a heatmap's rows and columns: agglomerative, average linkage (UPGMA) on
 * Euclidean distance, merges numbered and ordered as SciPy's `linkage(…, "average")` numbers them, and the leaves in
 * the order SciPy's `leaves_list` reads them off the dendrogram. Runs in Node and in the browser (nothing imported).
 */

/** One merge: the two clusters joined (leaves are 0…n−1, the k-th merge is n + k), their distance and size. */
export interface Merge {
  a: number;
  b: number;
  distance: number;
  size: number;
}

/** The average-linkage dendrogram of `n` items given each pair's distance. */
export function averageLinkage(n: number, distance: (i: number, j: number) => number): Merge[] {
  // The naive algorithm, O(n³): a few hundred items at most (groups, drugs), and exact.
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const v = distance(i, j);
      d[i * n + j] = v;
      d[j * n + i] = v;
    }
  const active = Array.from({ length: n }, (_, i) => i);
  const id = Array.from({ length: n }, (_, i) => i);
  const size = new Array<number>(n).fill(1);
  const merges: Merge[] = [];
  while (active.length > 1) {
    let best = Number.POSITIVE_INFINITY;
    let bi = 0;
    let bj = 1;
    for (let x = 0; x < active.length; x++)
      for (let y = x + 1; y < active.length; y++) {
        const v = d[active[x]! * n + active[y]!]!;
        if (v < best) {
          best = v;
          bi = x;
          bj = y;
        }
      }
    const i = active[bi]!;
    const j = active[bj]!;
    const [a, b] = id[i]! < id[j]! ? [id[i]!, id[j]!] : [id[j]!, id[i]!];
    merges.push({ a, b, distance: best, size: size[i]! + size[j]! });
    // Lance–Williams for average linkage: the new cluster's distance is the size-weighted mean of its parts'.
    for (const k of active)
      if (k !== i && k !== j) {
        const v = (size[i]! * d[i * n + k]! + size[j]! * d[j * n + k]!) / (size[i]! + size[j]!);
        d[i * n + k] = v;
        d[k * n + i] = v;
      }
    size[i] = size[i]! + size[j]!;
    id[i] = n + merges.length - 1;
    active.splice(bj, 1);
  }
  return merges;
}

/** The leaves left to right (SciPy's `leaves_list`: each merge's lower-numbered cluster first). */
export function leafOrder(n: number, merges: readonly Merge[]): number[] {
  if (n === 0) return [];
  const out: number[] = [];
  const stack = [n + merges.length - 1];
  while (stack.length) {
    const c = stack.pop()!;
    if (c < n) out.push(c);
    else {
      const m = merges[c - n]!;
      stack.push(m.b, m.a);
    }
  }
  return out;
}

/** Rows and columns of a rows × cols matrix (row-major) in dendrogram order, each clustered on Euclidean distance. */
export function clusterOrder(values: ArrayLike<number>, rows: number, cols: number): { rows: number[]; cols: number[] } {
  const euclid = (at: (k: number, i: number) => number, len: number) => (p: number, q: number) => {
    let s = 0;
    for (let i = 0; i < len; i++) s += (at(p, i) - at(q, i)) ** 2;
    return Math.sqrt(s);
  };
  return {
    rows: leafOrder(
      rows,
      averageLinkage(
        rows,
        euclid((r, c) => values[r * cols + c]!, cols),
      ),
    ),
    cols: leafOrder(
      cols,
      averageLinkage(
        cols,
        euclid((c, r) => values[r * cols + c]!, rows),
      ),
    ),
  };
}
