/** The gene tables shipped in resources/genes (derived by scripts/derive-gene-tables.ts), loaded once. */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { resourcePath } from "../resources.js";

export interface HumanGene {
  entrez: string;
  symbol: string;
  type: string;
  chromosome: string;
  ensembl: string[];
  aliases: string[];
}

export interface GeneTables {
  human: HumanGene[];
  bySymbol: Map<string, HumanGene>;
  /** Upper-cased symbol → gene, for case-insensitive matching. */
  bySymbolUpper: Map<string, HumanGene>;
  byEnsembl: Map<string, HumanGene>;
  byEntrez: Map<string, HumanGene>;
  /** Upper-cased alias → all genes that use it (an alias can be shared). */
  byAlias: Map<string, HumanGene[]>;
  /** Mouse symbol → human symbols of its orthologs (best first). */
  mouseToHuman: Map<string, string[]>;
}

function rows(file: string): string[][] {
  const text = gunzipSync(readFileSync(resourcePath("genes", file))).toString("utf8");
  return text
    .split("\n")
    .slice(1)
    .filter((l) => l.length > 0)
    .map((l) => l.split("\t"));
}

let cache: GeneTables | null = null;

export function geneTables(): GeneTables {
  if (cache) return cache;
  const human: HumanGene[] = rows("human_genes.tsv.gz").map(([entrez, symbol, type, chromosome, ens, aliases]) => ({
    entrez,
    symbol,
    type,
    chromosome,
    ensembl: ens ? ens.split("|") : [],
    aliases: aliases ? aliases.split("|") : [],
  }));
  const t: GeneTables = {
    human,
    bySymbol: new Map(),
    bySymbolUpper: new Map(),
    byEnsembl: new Map(),
    byEntrez: new Map(),
    byAlias: new Map(),
    mouseToHuman: new Map(),
  };
  for (const g of human) {
    t.bySymbol.set(g.symbol, g);
    t.bySymbolUpper.set(g.symbol.toUpperCase(), g);
    t.byEntrez.set(g.entrez, g);
    for (const e of g.ensembl) t.byEnsembl.set(e, g);
    for (const a of g.aliases) {
      const k = a.toUpperCase();
      const list = t.byAlias.get(k);
      if (list) list.push(g);
      else t.byAlias.set(k, [g]);
    }
  }
  const orth = rows("mouse_orthologs.tsv.gz");
  orth.sort((a, b) => Number(b[3]) - Number(a[3]));
  for (const [mouse, , humanSymbol] of orth) {
    const list = t.mouseToHuman.get(mouse);
    if (!list) t.mouseToHuman.set(mouse, [humanSymbol]);
    else if (!list.includes(humanSymbol)) list.push(humanSymbol);
  }
  cache = t;
  return t;
}
