/**
 * One-dimensional LOESS (Cleveland 1979; Cleveland & Grosse 1991) with tricube weights, a local polynomial of
 * degree 1 or 2, and the span as a fraction of points — the fit Seurat v3 / scanpy's `seurat_v3` flavour use
 * (span 0.3, degree 2), evaluated exactly at every point ("direct" surface).
 */
export function loess(x: ArrayLike<number>, y: ArrayLike<number>, span = 0.3, degree: 1 | 2 = 2): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const xs = Float64Array.from(order, (i) => x[i]);
  const ys = Float64Array.from(order, (i) => y[i]);
  const q = Math.min(n, Math.max(degree + 1, Math.floor(n * span)));
  const fitted = new Float64Array(n);
  let lo = 0; // window [lo, lo + q) of the q nearest neighbours in sorted order
  for (let i = 0; i < n; i++) {
    const x0 = xs[i];
    while (lo + q < n && x0 - xs[lo] > xs[lo + q] - x0) lo++;
    // Cleveland's netlib code enlarges the radius when span > 1; with span ≤ 1 it is the q-th distance.
    let h = Math.max(x0 - xs[lo], xs[lo + q - 1] - x0);
    if (span > 1) h *= Math.sqrt(span);
    // Points tied at the boundary distance get weight zero, as in netlib's ehg127 (weights use h * 0.999…).
    const hh = h > 0 ? h : 1;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0,
      s4 = 0,
      t0 = 0,
      t1 = 0,
      t2 = 0;
    // Include neighbours beyond the window that tie with the farthest one.
    let a = lo;
    let b = lo + q - 1;
    while (a > 0 && x0 - xs[a - 1] <= h) a--;
    while (b < n - 1 && xs[b + 1] - x0 <= h) b++;
    for (let k = a; k <= b; k++) {
      const d = (xs[k] - x0) / hh;
      const u = Math.abs(d);
      if (u >= 1) continue;
      const w = (1 - u * u * u) ** 3;
      const wd = w * d;
      s0 += w;
      s1 += wd;
      s2 += wd * d;
      s3 += wd * d * d;
      s4 += wd * d * d * d;
      t0 += w * ys[k];
      t1 += wd * ys[k];
      t2 += wd * d * ys[k];
    }
    let value: number;
    if (
      degree === 1 ||
      Math.abs(s0 * (s2 * s4 - s3 * s3) - s1 * (s1 * s4 - s3 * s2) + s2 * (s1 * s3 - s2 * s2)) < 1e-12 * Math.max(1, s0 * s2 * s4)
    ) {
      const det = s0 * s2 - s1 * s1;
      value = Math.abs(det) > 1e-12 * Math.max(1, s0 * s2) ? (t0 * s2 - t1 * s1) / det : t0 / s0;
    } else {
      // Solve the 3×3 normal equations for the intercept (Cramer's rule); centred at x0 so the intercept is ŷ(x0).
      const det = s0 * (s2 * s4 - s3 * s3) - s1 * (s1 * s4 - s3 * s2) + s2 * (s1 * s3 - s2 * s2);
      value = (t0 * (s2 * s4 - s3 * s3) - s1 * (t1 * s4 - s3 * t2) + s2 * (t1 * s3 - s2 * t2)) / det;
    }
    fitted[order[i]] = value;
  }
  return fitted;
}
