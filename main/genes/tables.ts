/**
 * The gene tables shipped in resources/genes (derived by scripts/derive-gene-tables.ts), loaded once. A gene's record
 * is parsed from its line when a lookup returns it, and each index is built the first time it is asked for: building
 * 77,000 records and every index up front took ~0.7 s of CPU (half of it garbage collection) — most of
 * `scilama inspect`'s time — while a dataset's lookups need one or two indexes (symbols, then aliases for the misses).
 */
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

/** What an index answers (a Map's reading half). */
export interface Lookup<V> {
  get(key: string): V | undefined;
  has(key: string): boolean;
}

export interface GeneTables {
  human: readonly HumanGene[];
  bySymbol: Lookup<HumanGene>;
  /** Upper-cased symbol → gene, for case-insensitive matching. */
  bySymbolUpper: Lookup<HumanGene>;
  byEnsembl: Lookup<HumanGene>;
  byEntrez: Lookup<HumanGene>;
  /** Upper-cased alias → all genes that use it (an alias can be shared). */
  byAlias: Lookup<HumanGene[]>;
  /** Mouse symbol → human symbols of its orthologs (best first). */
  mouseToHuman: Map<string, string[]>;
}

/** The data lines of a gzipped TSV (its header dropped). */
function lines(file: string): string[] {
  const all = gunzipSync(readFileSync(resourcePath("genes", file)))
    .toString("utf8")
    .split("\n");
  return all.slice(1).filter((l) => l.length > 0);
}

/** Columns of human_genes.tsv.gz. */
const ENTREZ = 0;
const SYMBOL = 1;
const ENSEMBL = 4;
const ALIASES = 5;

/** Index of keys → line numbers (a key may name several lines). */
class LineIndex<V> implements Lookup<V> {
  private readonly map = new Map<string, number | number[]>();
  constructor(
    count: number,
    keysOf: (line: number) => readonly string[],
    private readonly value: (lines: readonly number[]) => V,
  ) {
    for (let i = 0; i < count; i++)
      for (const k of keysOf(i)) {
        const at = this.map.get(k);
        if (at === undefined) this.map.set(k, i);
        else if (typeof at === "number") this.map.set(k, [at, i]);
        else at.push(i);
      }
  }
  get(key: string): V | undefined {
    const at = this.map.get(key);
    return at === undefined ? undefined : this.value(typeof at === "number" ? [at] : at);
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
}

class Tables implements GeneTables {
  private readonly rows = lines("human_genes.tsv.gz");
  private readonly genes = new Array<HumanGene | undefined>(this.rows.length);
  private readonly built = new Map<string, unknown>();

  /** One column of a line, found by scanning for tabs (no split: that allocated every field of every line). */
  private field(line: number, column: number): string {
    const row = this.rows[line]!;
    let start = 0;
    for (let k = 0; k < column; k++) {
      const tab = row.indexOf("\t", start);
      if (tab < 0) return "";
      start = tab + 1;
    }
    const end = row.indexOf("\t", start);
    return row.slice(start, end < 0 ? row.length : end);
  }

  private gene(line: number): HumanGene {
    let g = this.genes[line];
    if (!g) {
      const [entrez, symbol, type, chromosome, ens, aliases] = this.rows[line]!.split("\t");
      g = {
        entrez: entrez!,
        symbol: symbol!,
        type: type!,
        chromosome: chromosome!,
        ensembl: ens ? ens.split("|") : [],
        aliases: aliases ? aliases.split("|") : [],
      };
      this.genes[line] = g;
    }
    return g;
  }

  private once<T>(name: string, build: () => T): T {
    if (!this.built.has(name)) this.built.set(name, build());
    return this.built.get(name) as T;
  }

  /** An index of one column's values (its `|`-separated lists split, each key `normalize`d), built once. */
  private index<V>(name: string, column: number, value: (lines: readonly number[]) => V, normalize = (k: string) => k): Lookup<V> {
    return this.once(
      name,
      () =>
        new LineIndex(
          this.rows.length,
          (i) => {
            const v = this.field(i, column);
            return v ? v.split("|").map(normalize) : [];
          },
          value,
        ),
    );
  }

  /** One gene per key: the last line wins. */
  private readonly last = (at: readonly number[]) => this.gene(at[at.length - 1]!);

  get human(): readonly HumanGene[] {
    return this.once("human", () => this.rows.map((_, i) => this.gene(i)));
  }
  get bySymbol() {
    return this.index("symbol", SYMBOL, this.last);
  }
  get bySymbolUpper() {
    return this.index("symbolUpper", SYMBOL, this.last, (k) => k.toUpperCase());
  }
  get byEntrez() {
    return this.index("entrez", ENTREZ, this.last);
  }
  get byEnsembl() {
    return this.index("ensembl", ENSEMBL, this.last);
  }
  get byAlias(): Lookup<HumanGene[]> {
    return this.index(
      "alias",
      ALIASES,
      (at) => at.map((i) => this.gene(i)),
      (k) => k.toUpperCase(),
    );
  }
  get mouseToHuman() {
    return this.once("mouse", () => {
      const m = new Map<string, string[]>();
      const orth = lines("mouse_orthologs.tsv.gz").map((l) => l.split("\t"));
      orth.sort((a, b) => Number(b[3]) - Number(a[3]));
      for (const [mouse, , humanSymbol] of orth) {
        const list = m.get(mouse!);
        if (!list) m.set(mouse!, [humanSymbol!]);
        else if (!list.includes(humanSymbol!)) list.push(humanSymbol!);
      }
      return m;
    });
  }
}

let cache: GeneTables | null = null;

export function geneTables(): GeneTables {
  cache ??= new Tables();
  return cache;
}
