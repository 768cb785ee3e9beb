/**
 * Adjusted Rand index (Hubert & Arabie 1985) between two labelings, from their contingency table:
 * ARI = (Σᵢⱼ C(nᵢⱼ,2) − E) / (½(Σᵢ C(aᵢ,2) + Σⱼ C(bⱼ,2)) − E), E = Σᵢ C(aᵢ,2)·Σⱼ C(bⱼ,2) / C(n,2).
 */
export function adjustedRandIndex(a: ArrayLike<string | number>, b: ArrayLike<string | number>): number {
  if (a.length !== b.length) throw new Error(`ARI: labelings have different lengths (${a.length} and ${b.length})`);
  const n = a.length;
  const pairs = (k: number) => (k * (k - 1)) / 2;
  const table = new Map<string, number>();
  const rows = new Map<string | number, number>();
  const cols = new Map<string | number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]}\u0000${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rows.set(a[i]!, (rows.get(a[i]!) ?? 0) + 1);
    cols.set(b[i]!, (cols.get(b[i]!) ?? 0) + 1);
  }
  let index = 0;
  for (const v of table.values()) index += pairs(v);
  let sa = 0;
  let sb = 0;
  for (const v of rows.values()) sa += pairs(v);
  for (const v of cols.values()) sb += pairs(v);
  const expected = (sa * sb) / pairs(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}
