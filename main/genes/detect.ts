/**
 * Recognises what kind of gene identifiers a dataset uses — symbols (human or mouse), Ensembl or Entrez ids —
 * from the names themselves and the shipped gene tables.
 */
import { geneTables } from "./tables.js";

export type GeneIdType = "symbol" | "ensembl" | "entrez" | "mixed" | "unknown";
export type Species = "human" | "mouse" | "unknown";

const ENSEMBL = /^ENS([A-Z]{3})?G\d{11}(\.\d+)?$/;
const ENTREZ = /^\d+$/;

export function stripEnsemblVersion(id: string): string {
  return id.replace(/\.\d+$/, "");
}

export interface IdTypeGuess {
  type: GeneIdType;
  species: Species;
  /** Fraction of names recognised as the chosen type. */
  fraction: number;
}

function classify(names: string[]) {
  const t = geneTables();
  let ens = 0;
  let ensMouse = 0;
  let entrez = 0;
  let human = 0;
  let mouse = 0;
  for (const n of names) {
    if (ENSEMBL.test(n)) {
      ens++;
      if (n.startsWith("ENSMUSG")) ensMouse++;
    } else if (ENTREZ.test(n)) {
      if (t.byEntrez.has(n)) entrez++;
    } else if (/[a-z]/.test(n.slice(1)) && (t.mouseToHuman.has(n) || /^mt-/.test(n))) mouse++;
    else if (t.bySymbol.has(n) || t.byAlias.has(n.toUpperCase()) || /^MT-/.test(n)) human++;
  }
  return { ens, ensMouse, entrez, human, mouse };
}

export function guessGeneIdType(names: string[]): IdTypeGuess {
  const n = Math.max(1, names.length);
  const c = classify(names);
  // Mouse symbols capitalise only the first letter (Actb vs ACTB): a name with lower-case letters that the
  // ortholog table knows counts as mouse, before the case-insensitive human alias lookup could claim it.
  const candidates: Array<[GeneIdType, Species, number]> = [
    ["ensembl", c.ensMouse > c.ens / 2 ? "mouse" : "human", c.ens],
    ["entrez", "human", c.entrez],
    ["symbol", c.mouse > c.human ? "mouse" : "human", c.human + c.mouse],
  ];
  candidates.sort((a, b) => b[2] - a[2]);
  const [type, species, count] = candidates[0];
  const fraction = count / n;
  if (fraction < 0.3) return { type: "unknown", species: "unknown", fraction };
  const second = candidates[1][2] / n;
  if (second > 0.2) return { type: "mixed", species, fraction };
  return { type, species, fraction };
}

/** Fraction of names that look like gene identifiers of any kind (used to orient tables). */
export function looksLikeGeneIds(names: string[]): number {
  const c = classify(names);
  return (c.ens + c.entrez + c.human + c.mouse) / Math.max(1, names.length);
}
