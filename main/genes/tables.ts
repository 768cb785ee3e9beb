/**
 * The gene tables shipped in resources/genes (derived by scripts/derive-gene-tables.ts), loaded once. A gene's record
 * is parsed from its line when a lookup returns it. Lookups binary-search orders shipped beside the tables
 * (human_genes.index.tsv.gz: each index's entries sorted by key; mouse_orthologs.tsv.gz is itself sorted by mouse
 * symbol) rather than building maps: building a 77,000-key map per index cost ~0.05 s of CPU each, most of
 * `scilama inspect`'s time, while a dataset asks a few hundred or thousand keys.
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
  /** Every key, in sorted order. */
  keys(): Iterable<string>;
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
  mouseToHuman: Lookup<string[]>;
}

/** The data lines of a gzipped TSV (its header dropped). */
export function tableLines(file: string): string[] {
  const all = gunzipSync(readFileSync(resourcePath("genes", file)))
    .toString("utf8")
    .split("\n");
  return all.slice(1).filter((l) => l.length > 0);
}

/** One column of a line, found by scanning for tabs (no split: that allocated every field of every line). */
function field(row: string, column: number): string {
  let start = 0;
  for (let k = 0; k < column; k++) {
    const tab = row.indexOf("\t", start);
    if (tab < 0) return "";
    start = tab + 1;
  }
  const end = row.indexOf("\t", start);
  return row.slice(start, end < 0 ? row.length : end);
}

/** An index of human_genes.tsv.gz: which column it keys on, and how a key is normalised. */
export interface IndexSpec {
  name: "symbol" | "symbolUpper" | "entrez" | "ensembl" | "alias";
  column: number;
  /** The column holds `|`-separated lists; each element is a key. */
  list: boolean;
  upper: boolean;
}

export const HUMAN_INDEXES: readonly IndexSpec[] = [
  { name: "entrez", column: 0, list: false, upper: false },
  { name: "symbol", column: 1, list: false, upper: false },
  { name: "symbolUpper", column: 1, list: false, upper: true },
  { name: "ensembl", column: 4, list: true, upper: false },
  { name: "alias", column: 5, list: true, upper: true },
];
export const HUMAN_INDEX_FILE = "human_genes.index.tsv.gz";

/** A list column's entry is line × LIST_SLOTS + position in the list (the tables' longest list has 43). */
export const LIST_SLOTS = 64;

const lineOf = (spec: IndexSpec, entry: number) => (spec.list ? Math.floor(entry / LIST_SLOTS) : entry);

/** The key an index entry stands for. */
function keyOf(rows: readonly string[], spec: IndexSpec, entry: number): string {
  const value = field(rows[lineOf(spec, entry)]!, spec.column);
  const key = spec.list ? value.split("|")[entry % LIST_SLOTS]! : value;
  return spec.upper ? key.toUpperCase() : key;
}

/** An index's entries sorted by key (code-unit order), then line: what the derive script ships (the genes test checks
 *  the lookups on it against maps built from the table). */
export function sortedEntries(rows: readonly string[], spec: IndexSpec): number[] {
  const entries: number[] = [];
  rows.forEach((row, i) => {
    const v = field(row, spec.column);
    if (!v) return;
    if (!spec.list) entries.push(i);
    else
      v.split("|").forEach((_, k) => {
        if (k >= LIST_SLOTS) throw new Error(`line ${i + 2}: more than ${LIST_SLOTS} entries in column ${spec.column}`);
        entries.push(i * LIST_SLOTS + k);
      });
  });
  const keys = new Map(entries.map((e) => [e, keyOf(rows, spec, e)]));
  return entries.sort((a, b) => {
    const ka = keys.get(a)!;
    const kb = keys.get(b)!;
    return ka < kb ? -1 : ka > kb ? 1 : a - b;
  });
}

/** Binary search over entries sorted by key; equal keys are neighbours, so a key's lines come out in line order. */
class SortedLookup<V> implements Lookup<V> {
  constructor(
    private readonly entries: ArrayLike<number>,
    private readonly keyAt: (entry: number) => string,
    private readonly lineAt: (entry: number) => number,
    private readonly value: (lines: readonly number[]) => V,
  ) {}
  private first(key: string): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keyAt(this.entries[mid]!) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  get(key: string): V | undefined {
    const lines: number[] = [];
    for (let i = this.first(key); i < this.entries.length && this.keyAt(this.entries[i]!) === key; i++)
      lines.push(this.lineAt(this.entries[i]!));
    return lines.length ? this.value(lines) : undefined;
  }
  has(key: string): boolean {
    const i = this.first(key);
    return i < this.entries.length && this.keyAt(this.entries[i]!) === key;
  }
  *keys(): Iterable<string> {
    let last: string | undefined;
    for (let i = 0; i < this.entries.length; i++) {
      const k = this.keyAt(this.entries[i]!);
      if (k !== last) yield k;
      last = k;
    }
  }
}

/** The shipped sorted entries of every human index, by name, each parsed when first asked for. */
function shippedIndexes(count: number): (name: string) => Int32Array | undefined {
  const text = new Map<string, string>();
  for (const line of tableLines(HUMAN_INDEX_FILE)) {
    const [name, rows, list] = line.split("\t");
    if (Number(rows) !== count)
      throw new Error(`${HUMAN_INDEX_FILE} was derived from a table of ${rows} genes, not ${count}; run 'npm run derive:resources'`);
    text.set(name!, list!);
  }
  return (name) => {
    const list = text.get(name);
    return list === undefined ? undefined : parseIntList(list);
  };
}

/** "3,17,5" → [3, 17, 5], by char codes (splitting 100,000 numbers into strings first cost ~30 ms an index). */
function parseIntList(list: string): Int32Array {
  let count = 1;
  for (let i = 0; i < list.length; i++) if (list.charCodeAt(i) === 44) count++;
  const out = new Int32Array(count);
  let n = 0;
  let v = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list.charCodeAt(i);
    if (c === 44) {
      out[n++] = v;
      v = 0;
    } else v = v * 10 + (c - 48);
  }
  out[n] = v;
  return out;
}

class Tables implements GeneTables {
  private readonly rows = tableLines("human_genes.tsv.gz");
  private readonly genes = new Array<HumanGene | undefined>(this.rows.length);
  private readonly built = new Map<string, unknown>();

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

  private index<V>(name: IndexSpec["name"], value: (lines: readonly number[]) => V): Lookup<V> {
    return this.once(name, () => {
      const spec = HUMAN_INDEXES.find((s) => s.name === name)!;
      const entries = this.once("shipped", () => shippedIndexes(this.rows.length))(name);
      if (!entries) throw new Error(`${HUMAN_INDEX_FILE} has no '${name}' index; run 'npm run derive:resources'`);
      return new SortedLookup(
        entries,
        (e) => keyOf(this.rows, spec, e),
        (e) => lineOf(spec, e),
        value,
      );
    });
  }

  /** One gene per key: the last line wins. */
  private readonly last = (at: readonly number[]) => this.gene(at[at.length - 1]!);

  get human(): readonly HumanGene[] {
    return this.once("human", () => this.rows.map((_, i) => this.gene(i)));
  }
  get bySymbol() {
    return this.index("symbol", this.last);
  }
  get bySymbolUpper() {
    return this.index("symbolUpper", this.last);
  }
  get byEntrez() {
    return this.index("entrez", this.last);
  }
  get byEnsembl() {
    return this.index("ensembl", this.last);
  }
  get byAlias(): Lookup<HumanGene[]> {
    return this.index("alias", (at) => at.map((i) => this.gene(i)));
  }
  /** mouse_orthologs.tsv.gz is sorted by mouse symbol, then best first (see the derive script): its lines are the order. */
  get mouseToHuman(): Lookup<string[]> {
    return this.once("mouse", () => {
      const orth = tableLines("mouse_orthologs.tsv.gz");
      return new SortedLookup(
        Int32Array.from(orth, (_, i) => i),
        (i) => field(orth[i]!, 0),
        (i) => i,
        (at) => [...new Set(at.map((i) => field(orth[i]!, 2)))],
      );
    });
  }
}

let cache: GeneTables | null = null;

export function geneTables(): GeneTables {
  cache ??= new Tables();
  return cache;
}
