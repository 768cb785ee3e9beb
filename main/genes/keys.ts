/**
 * One canonical key per gene name, so that two lists of genes (a dataset and a prior, a reference and a target) are
 * joined BY GENE ID whatever ids each uses: the human Entrez id when the gene tables know the name (symbols, case,
 * Ensembl ids with or without version, Entrez ids, unique aliases, mouse symbols through their best human ortholog,
 * mitochondrial names), else the canonical symbol; names the tables do not know get no key (joined verbatim).
 */
import { mapGenes } from "./map.js";
import { geneTables } from "./tables.js";

/**
 * Mitochondrially encoded genes are MT-ND6, MT-CO1 … in most data (mouse: mt-Nd6) but ND6, COX1 … in NCBI's
 * table, which lists MTND6, MTCO1 … as aliases: resolved here to the human Entrez id.
 */
function mitoEntrez(name: string): string | null {
  const m = /^mt-(.+)$/i.exec(name);
  if (!m) return null;
  const hits = (geneTables().byAlias.get(`MT${m[1].toUpperCase()}`) ?? []).filter((g) => g.chromosome === "MT");
  return hits.length === 1 ? hits[0].entrez : null;
}

/** Canonical join key and how it was found, for each name (null where the gene tables do not know it). */
export function keysOf(names: string[]): { key: Array<string | null>; by: string[]; symbol: string[] } {
  const r = mapGenes(names);
  const key: Array<string | null> = [];
  const by: string[] = [];
  const symbol: string[] = [];
  names.forEach((name, i) => {
    const m = r.matches[i];
    const mt = m?.entrez ? null : mitoEntrez(name);
    if (mt) {
      key.push(`entrez:${mt}`);
      by.push("mitochondrial");
      symbol.push(name.toUpperCase());
    } else if (m) {
      key.push(m.entrez ? `entrez:${m.entrez}` : `symbol:${m.symbol}`);
      by.push(m.by);
      symbol.push(m.symbol);
    } else {
      key.push(null);
      by.push("exact");
      symbol.push(name);
    }
  });
  return { key, by, symbol };
}

/**
 * For each of `a`'s genes, the index of the same gene in `b` (by key, else the identical name), or −1; where several
 * of `b`'s names share a key, the identical name wins, else the first.
 */
export function matchGenes(a: readonly string[], b: readonly string[]): Int32Array {
  const kb = keysOf([...b]);
  const byKey = new Map<string, number>();
  const byName = new Map<string, number>();
  b.forEach((name, j) => {
    if (!byName.has(name)) byName.set(name, j);
    const k = kb.key[j];
    if (k && !byKey.has(k)) byKey.set(k, j);
  });
  const ka = keysOf([...a]);
  return Int32Array.from(a, (name, i) => {
    const same = byName.get(name);
    if (same !== undefined) return same;
    const k = ka.key[i];
    return (k ? byKey.get(k) : undefined) ?? -1;
  });
}
