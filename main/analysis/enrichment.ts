/**
 * Over-representation of a gene list (a module, a marker list) in gene-set collections: the one-sided hypergeometric
 * test P(X ≥ overlap) (scran.js), restricted to a background — the genes of the analysis, as the set sizes are —
 * and Benjamini–Hochberg within each collection. Collections are GMT files: the bundled ones in
 * `resources/gene_sets/` (GO BP/CC/MF, Reactome, hallmark; human and mouse) or the user's own `.gmt`.
 */

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { DataError } from "../io/errors.js";
import { checkInputs, TEXT_LIMITS } from "../io/inputs.js";
import { resourcePath } from "../resources.js";
import { scran } from "./scran.js";
import { benjaminiHochberg } from "./stats.js";

export interface GeneSet {
  name: string;
  description: string;
  genes: string[];
}

export interface Collection {
  id: string;
  species: "human" | "mouse" | "any";
  sets: GeneSet[];
}

export interface EnrichmentRow {
  collection: string;
  term: string;
  description: string;
  /** Genes of the list that are in the set. */
  overlap: string[];
  /** Size of the set within the background. */
  setSize: number;
  /** Size of the list within the background. */
  listSize: number;
  background: number;
  p: number;
  q: number;
}

/** What a result view keeps of a term (the statistics behind q stay in the CSV). */
export const termCard = (e: EnrichmentRow): Pick<EnrichmentRow, "term" | "description" | "collection" | "q" | "overlap" | "setSize"> => ({
  term: e.term,
  description: e.description,
  collection: e.collection,
  q: e.q,
  overlap: e.overlap,
  setSize: e.setSize,
});

export interface EnrichOptions {
  /** Sets with fewer (more) genes in the background are not tested (default 5 and 1,000). */
  minSize?: number;
  maxSize?: number;
}

/** Parses GMT text (name, description, genes; tab-separated). A line that is not a gene set is a DataError. */
export function parseGmt(text: string, file: string): GeneSet[] {
  const sets: GeneSet[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const f = line.split("\t");
    const genes = f
      .slice(2)
      .map((g) => g.trim())
      .filter(Boolean);
    if (f.length < 3 || !f[0]!.trim() || !genes.length)
      throw new DataError(
        file,
        "a GMT gene-set file (per line: set name, description, then genes, separated by tabs)",
        `line ${i + 1}: ${JSON.stringify(line.slice(0, 60))}`,
        "Export the gene sets as .gmt (e.g. from MSigDB); check that the columns are tab-separated.",
      );
    sets.push({ name: f[0]!.trim(), description: f[1]!.trim(), genes: [...new Set(genes)] });
  });
  if (!sets.length) throw new DataError(file, "at least one gene set", "an empty file");
  return sets;
}

/** A user's `.gmt` (or `.gmt.gz`). */
export function readGmt(path: string): Collection {
  if (!existsSync(path)) throw new DataError(path, "a .gmt file", "nothing at this path", "Check the path.");
  checkInputs([{ path, what: "the gene-set file", kind: "file", maxBytes: TEXT_LIMITS.geneSets }]);
  const raw = readFileSync(path);
  const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
  return { id: basename(path).replace(/\.gmt(\.gz)?$/i, ""), species: "any", sets: parseGmt(text, path) };
}

/** The collections shipped in `resources/gene_sets/<species>/` (see its README). */
export function bundledCollections(species: "human" | "mouse"): Collection[] {
  const dir = resourcePath("gene_sets", species);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".gmt.gz"))
    .sort()
    .map((f) => ({
      id: f.replace(/\.gmt\.gz$/, ""),
      species,
      sets: parseGmt(gunzipSync(readFileSync(join(dir, f))).toString("utf8"), join(dir, f)),
    }));
}

/**
 * Tests `list` against every set of each collection. Gene names are compared case-insensitively (some mouse
 * collections are written in upper case). Rows come sorted by collection, then p.
 */
export async function enrich(
  list: readonly string[],
  background: readonly string[],
  collections: readonly Collection[],
  o: EnrichOptions = {},
): Promise<EnrichmentRow[]> {
  const minSize = o.minSize ?? 5;
  const maxSize = o.maxSize ?? 1000;
  const universe = new Map(background.map((g) => [g.toUpperCase(), g]));
  const query = new Set(list.map((g) => g.toUpperCase()).filter((g) => universe.has(g)));
  const s = await scran();
  const rows: EnrichmentRow[] = [];
  for (const c of collections) {
    const tested: { set: GeneSet; size: number; overlap: string[] }[] = [];
    for (const set of c.sets) {
      const inBg = set.genes.map((g) => g.toUpperCase()).filter((g) => universe.has(g));
      const unique = new Set(inBg);
      if (unique.size < minSize || unique.size > maxSize) continue;
      tested.push({ set, size: unique.size, overlap: [...unique].filter((g) => query.has(g)).map((g) => universe.get(g)!) });
    }
    if (!tested.length || !query.size) continue;
    const p = s.hypergeometricTest(
      Int32Array.from(tested, (t) => t.overlap.length),
      query.size,
      Int32Array.from(tested, (t) => t.size),
      universe.size,
    );
    const q = benjaminiHochberg(p);
    const part = tested.map((t, i) => ({
      collection: c.id,
      term: t.set.name,
      description: t.set.description,
      overlap: t.overlap.sort(),
      setSize: t.size,
      listSize: query.size,
      background: universe.size,
      p: p[i]!,
      q: q[i]!,
    }));
    rows.push(...part.sort((a, b) => a.p - b.p));
  }
  return rows;
}
