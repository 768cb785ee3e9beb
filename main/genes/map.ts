/**
 * Maps a dataset's gene names to canonical genes (human: NCBI symbol + Entrez id; mouse: the symbol, linked to
 * human orthologs) and says what could not be mapped or maps twice, so nothing is dropped silently.
 */
import { guessGeneIdType, type IdTypeGuess, stripEnsemblVersion } from "./detect.js";
import { geneTables, type HumanGene } from "./tables.js";

export type MatchedBy = "symbol" | "symbol-case" | "ensembl" | "entrez" | "alias" | "ortholog";

export interface GeneMatch {
  input: string;
  /** Canonical symbol (human NCBI symbol, or the mouse symbol itself for mouse data). */
  symbol: string;
  /** Human Entrez id (for mouse: of the best human ortholog), if known. */
  entrez: string | null;
  by: MatchedBy;
}

export interface GeneMappingReport {
  guess: IdTypeGuess;
  total: number;
  mapped: number;
  /** One entry per input gene; null where unmapped. */
  matches: Array<GeneMatch | null>;
  unmapped: string[];
  /** Aliases that name several genes: reported, not guessed. */
  ambiguous: Array<{ input: string; candidates: string[] }>;
  /** Canonical genes hit by more than one input name. */
  duplicated: Array<{ symbol: string; inputs: string[] }>;
}

function humanMatch(name: string, species: string): { gene: HumanGene; by: MatchedBy } | { ambiguous: string[] } | null {
  const t = geneTables();
  const direct = t.bySymbol.get(name);
  if (direct) return { gene: direct, by: "symbol" };
  if (/^ENS/.test(name)) {
    const g = t.byEnsembl.get(stripEnsemblVersion(name));
    return g ? { gene: g, by: "ensembl" } : null;
  }
  if (/^\d+$/.test(name)) {
    const g = t.byEntrez.get(name);
    return g ? { gene: g, by: "entrez" } : null;
  }
  if (species === "mouse") return null;
  const upper = name.toUpperCase();
  const ci = t.bySymbolUpper.get(upper);
  if (ci) return { gene: ci, by: "symbol-case" };
  const aliases = t.byAlias.get(upper);
  if (aliases?.length === 1) return { gene: aliases[0], by: "alias" };
  if (aliases && aliases.length > 1) return { ambiguous: aliases.map((g) => g.symbol) };
  return null;
}

export function mapGenes(names: string[]): GeneMappingReport {
  const guess = guessGeneIdType(names);
  const t = geneTables();
  const matches: Array<GeneMatch | null> = [];
  const unmapped: string[] = [];
  const ambiguous: GeneMappingReport["ambiguous"] = [];
  for (const name of names) {
    let m: GeneMatch | null = null;
    if (guess.species === "mouse" && !/^ENS/.test(name)) {
      const humans = t.mouseToHuman.get(name);
      if (humans) m = { input: name, symbol: name, entrez: t.bySymbol.get(humans[0])?.entrez ?? null, by: "ortholog" };
    } else {
      const h = humanMatch(name, guess.species);
      if (h && "gene" in h) m = { input: name, symbol: h.gene.symbol, entrez: h.gene.entrez, by: h.by };
      else if (h) ambiguous.push({ input: name, candidates: h.ambiguous });
    }
    if (!m) unmapped.push(name);
    matches.push(m);
  }
  const bySymbol = new Map<string, string[]>();
  for (const m of matches) {
    if (!m) continue;
    const list = bySymbol.get(m.symbol);
    if (list) list.push(m.input);
    else bySymbol.set(m.symbol, [m.input]);
  }
  const duplicated = [...bySymbol].filter(([, inputs]) => inputs.length > 1).map(([symbol, inputs]) => ({ symbol, inputs }));
  return { guess, total: names.length, mapped: names.length - unmapped.length, matches, unmapped, ambiguous, duplicated };
}

/** True for mitochondrially encoded genes: on chromosome MT in the table, or named MT-… / mt-…. */
export function isMitochondrial(name: string): boolean {
  if (/^mt-/i.test(name)) return true;
  const t = geneTables();
  // Only Ensembl-looking names can be Ensembl ids (asking the index otherwise would build it for nothing).
  const g = t.bySymbol.get(name) ?? (/^ENS/.test(name) ? t.byEnsembl.get(stripEnsemblVersion(name)) : undefined);
  return g?.chromosome === "MT";
}
