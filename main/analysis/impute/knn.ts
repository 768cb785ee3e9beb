/**
 * kNN regression from a reference, as SpaGE predicts unmeasured genes (Abdelaal et al. 2020, its `SpaGE/main.py`):
 * each target cell's k nearest reference cells by cosine distance over the panel genes (the caller z-scores each
 * dataset's panel on its own), weighted 1 − d/Σd over the neighbours closer than 1 and normalised to sum to 1, average
 * the reference's values of the genes to predict. The trivial baseline every panel imputation is compared with.
 */

/** Row norms of a rows × cols row-major matrix. */
function norms(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += x[r * cols + c]! ** 2;
    out[r] = Math.sqrt(s);
  }
  return out;
}

export interface KnnImputeInput {
  /** Reference cells × panel genes (z-scored), row-major. */
  reference: ArrayLike<number>;
  referenceCells: number;
  /** Target cells × the same panel genes (z-scored). */
  target: ArrayLike<number>;
  targetCells: number;
  panel: number;
  /** Reference cells × genes to predict (in the units the prediction should have, e.g. log-normalised). */
  values: ArrayLike<number>;
  genes: number;
  /** Neighbours (50 in SpaGE). */
  k: number;
}

/** Target cells × genes, row-major. */
export function knnImpute(o: KnnImputeInput): Float64Array {
  const k = Math.min(o.k, o.referenceCells);
  const rn = norms(o.reference, o.referenceCells, o.panel);
  const tn = norms(o.target, o.targetCells, o.panel);
  const out = new Float64Array(o.targetCells * o.genes);
  const dist = new Float64Array(o.referenceCells);
  const order = new Int32Array(o.referenceCells);
  for (let t = 0; t < o.targetCells; t++) {
    for (let r = 0; r < o.referenceCells; r++) {
      let dot = 0;
      for (let c = 0; c < o.panel; c++) dot += o.target[t * o.panel + c]! * o.reference[r * o.panel + c]!;
      const denom = tn[t]! * rn[r]!;
      // A cell with no panel expression at all has no direction: it is as far as can be from everything.
      dist[r] = denom > 0 ? 1 - dot / denom : 1;
      order[r] = r;
    }
    const nearest = Array.from(order)
      .sort((a, b) => dist[a]! - dist[b]! || a - b)
      .slice(0, k)
      .filter((r) => dist[r]! < 1);
    if (!nearest.length) continue;
    const sum = nearest.reduce((s, r) => s + dist[r]!, 0);
    const base = t * o.genes;
    for (const r of nearest) {
      // SpaGE's weights: 1 − d/Σd sums to n − 1 over n neighbours; a single neighbour takes all the weight, and
      // neighbours all at distance 0 (where SpaGE divides by zero) share it equally.
      const n = nearest.length;
      const w = n === 1 ? 1 : sum > 0 ? (1 - dist[r]! / sum) / (n - 1) : 1 / n;
      for (let g = 0; g < o.genes; g++) out[base + g] += w * o.values[r * o.genes + g]!;
    }
  }
  return out;
}
