/**
 * scib's overall score of an integration and the row of a metric table that scores best — one definition for the
 * engine (CLI table, report) and the result page in the browser.
 */

const mean = (xs: readonly (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

/** The metrics the overall score is made of (null where the run had no labels or no batches). */
export interface OverallParts {
  ari: number | null;
  nmi: number | null;
  asw: number | null;
  clisi: number | null;
  batchAsw: number | null;
  ilisi: number | null;
}

/**
 * 0.6 × bio conservation + 0.4 × batch correction, from the metrics the table has: bio = mean of ARI, NMI, cell-type
 * ASW and cLISI; batch = mean of batch ASW and iLISI (scib's full set adds isolated-label scores, graph connectivity,
 * PCR and kBET, which are not computed here). Null unless the run has both labels and batches.
 */
export function overallScore(m: OverallParts): number | null {
  const bio = mean([m.ari, m.nmi, m.asw, m.clisi]);
  const batch = mean([m.batchAsw, m.ilisi]);
  return bio === null || batch === null ? null : 0.6 * bio + 0.4 * batch;
}

/** The row with the highest overall score, or null when no row has one. */
export function bestOverall<R extends { overall: number | null }>(rows: readonly R[]): R | null {
  return rows.reduce<R | null>((best, r) => (r.overall !== null && (best === null || r.overall > best.overall!) ? r : best), null);
}
