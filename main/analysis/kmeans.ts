import { Rng } from "../../native-models/index.js";

/**
 * k-means (Lloyd's algorithm) with k-means++ seeding, best of `restarts` by within-cluster sum of squares.
 * `x` is row-major n × d. Deterministic for a seed.
 */
export function kmeans(
  x: Float32Array | Float64Array,
  n: number,
  d: number,
  k: number,
  opts: { seed?: number; restarts?: number; maxIter?: number } = {},
): Int32Array {
  if (k < 1 || k > n) throw new Error(`k-means: k = ${k} is impossible for ${n} points`);
  let best: { labels: Int32Array; wss: number } | null = null;
  for (let r = 0; r < (opts.restarts ?? 5); r++) {
    const rng = new Rng(opts.seed ?? 0, r);
    const centres = seedPlusPlus(x, n, d, k, rng);
    const labels = new Int32Array(n);
    let wss = 0;
    for (let it = 0; it < (opts.maxIter ?? 100); it++) {
      wss = 0;
      let moved = 0;
      for (let i = 0; i < n; i++) {
        let arg = 0;
        let min = Number.POSITIVE_INFINITY;
        for (let c = 0; c < k; c++) {
          const dist = sqDist(x, i * d, centres, c * d, d);
          if (dist < min) [min, arg] = [dist, c];
        }
        if (labels[i] !== arg || it === 0) moved++;
        labels[i] = arg;
        wss += min;
      }
      if (moved === 0) break;
      const counts = new Float64Array(k);
      centres.fill(0);
      for (let i = 0; i < n; i++) {
        counts[labels[i]!]!++;
        for (let j = 0; j < d; j++) centres[labels[i]! * d + j]! += x[i * d + j]!;
      }
      for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) centres[c * d + j]! /= Math.max(1, counts[c]!);
    }
    if (!best || wss < best.wss) best = { labels, wss };
  }
  return best!.labels;
}

function sqDist(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += (a[ai + j]! - b[bi + j]!) ** 2;
  return s;
}

/** Arthur & Vassilvitskii 2007: each next centre drawn with probability ∝ squared distance to the nearest chosen one. */
function seedPlusPlus(x: ArrayLike<number>, n: number, d: number, k: number, rng: Rng): Float64Array {
  const centres = new Float64Array(k * d);
  const near = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  let pick = Math.floor(rng.uniform() * n);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) centres[c * d + j] = x[pick * d + j]!;
    let total = 0;
    for (let i = 0; i < n; i++) {
      near[i] = Math.min(near[i]!, sqDist(x, i * d, centres, c * d, d));
      total += near[i]!;
    }
    let u = rng.uniform() * total;
    pick = n - 1;
    for (let i = 0; i < n; i++) {
      u -= near[i]!;
      if (u <= 0) {
        pick = i;
        break;
      }
    }
  }
  return centres;
}
