/**
 * Aligns a gene prior to a dataset's genes BY GENE ID. Both sides go through the same gene mapping
 * (main/genes/map.ts: exact symbols, case, Ensembl ids with or without version, Entrez ids, unique aliases, and
 * mouse symbols → their best human ortholog) to a canonical key — the human Entrez id when known, else the
 * canonical symbol — and are joined on it. Names the gene tables do not know are joined verbatim.
 *
 * The result is explicit about order: row i of `matrix` is ALWAYS the prior vector of dataset gene `covered[i]`
 * (the public sciLaMA code lets prior rows and data columns drift into different orders; this cannot).
 *
 * Mouse data: a mouse dataset (symbols such as `Actb`) aligns to a human prior through the ortholog table —
 * each mouse gene gets the vector of its best human ortholog. That is how the "mouse prior" is provided: there
 * is no separate mouse file. A mouse prior (mouse symbols) aligns to mouse or human data the same way.
 */

import { keysOf } from "../genes/keys.js";
import { mapGenes } from "../genes/map.js";
import { DataError } from "../io/errors.js";
import type { GenePrior } from "./types.js";

export interface PriorCoverage {
  /** Number of genes in the dataset. */
  datasetGenes: number;
  /** Number of dataset genes that have a prior vector. */
  covered: number;
  /** covered / datasetGenes. */
  fraction: number;
  /** Dataset genes without a prior vector, in dataset order. */
  dropped: string[];
  /**
   * How the covered dataset genes were recognised: symbol, symbol-case, ensembl, entrez, alias, ortholog
   * (mouse → human), mitochondrial (MT-ND6 → ND6), or exact (a name the gene tables do not know, found verbatim
   * in the prior).
   */
  byMatch: Record<string, number>;
  /** Prior genes that no dataset gene uses. */
  priorGenesUnused: number;
  /** Prior ids naming the same gene (e.g. a symbol and its alias): only one vector is used, chosen as documented. */
  priorDuplicates: Array<{ gene: string; ids: string[] }>;
}

export interface PriorAlignment {
  name: string;
  dim: number;
  /** Dataset gene indices that have a prior, ascending. */
  covered: Int32Array;
  /** covered.length × dim, row-major: row i = prior vector of dataset gene covered[i]. */
  matrix: Float32Array;
  coverage: PriorCoverage;
}

export interface MultiPriorAlignment {
  /** Dataset gene indices that have a vector in EVERY prior, ascending. */
  covered: Int32Array;
  /** One matrix per prior (in the order given), each covered.length × dim with the same row order. */
  priors: Array<{ name: string; dim: number; matrix: Float32Array }>;
  coverage: Omit<PriorCoverage, "priorGenesUnused" | "priorDuplicates"> & { perPrior: PriorCoverage[] };
}

/** Preference among several prior rows for the same gene: direct identifiers before case/alias matches. */
const RANK: Record<string, number> = { symbol: 0, entrez: 0, ensembl: 1, "symbol-case": 2, ortholog: 2, mitochondrial: 2, alias: 3 };

interface Join {
  /** For each dataset gene: the chosen prior row, or −1. */
  row: Int32Array;
  by: string[];
  priorDuplicates: PriorCoverage["priorDuplicates"];
}

function join(prior: GenePrior, datasetGenes: string[]): Join {
  const pk = keysOf(prior.genes);
  const byKey = new Map<string, number[]>();
  const byRaw = new Map<string, number>();
  prior.genes.forEach((g, i) => {
    byRaw.set(g, i);
    const k = pk.key[i];
    if (!k) return;
    const list = byKey.get(k);
    if (list) list.push(i);
    else byKey.set(k, [i]);
  });
  const priorDuplicates: PriorCoverage["priorDuplicates"] = [];
  for (const [, rows] of byKey) {
    if (rows.length < 2) continue;
    rows.sort((a, b) => (RANK[pk.by[a]] ?? 9) - (RANK[pk.by[b]] ?? 9) || a - b);
    priorDuplicates.push({ gene: pk.symbol[rows[0]], ids: rows.map((r) => prior.genes[r]) });
  }
  const dk = keysOf(datasetGenes);
  const row = new Int32Array(datasetGenes.length).fill(-1);
  const by: string[] = new Array(datasetGenes.length).fill("");
  datasetGenes.forEach((name, j) => {
    const k = dk.key[j];
    const candidates = k ? byKey.get(k) : undefined;
    // The prior row with the identical id wins; else the best-ranked (sorted above); else the identical id alone.
    const chosen = candidates ? (candidates.find((r) => prior.genes[r] === name) ?? candidates[0]) : byRaw.get(name);
    if (chosen === undefined) return;
    row[j] = chosen;
    by[j] = dk.by[j];
  });
  return { row, by, priorDuplicates };
}

/** Aligns one prior to the dataset's genes (see the module comment). Throws a DataError when no gene matches. */
export function alignPrior(prior: GenePrior, datasetGenes: string[]): PriorAlignment {
  return alignOne(prior, datasetGenes).alignment;
}

function alignOne(prior: GenePrior, datasetGenes: string[]): { alignment: PriorAlignment; by: string[] } {
  const { row, by, priorDuplicates } = join(prior, datasetGenes);
  const coveredList: number[] = [];
  const dropped: string[] = [];
  const byMatch: Record<string, number> = {};
  const used = new Uint8Array(prior.genes.length);
  for (let j = 0; j < datasetGenes.length; j++) {
    if (row[j] < 0) {
      dropped.push(datasetGenes[j]);
      continue;
    }
    coveredList.push(j);
    byMatch[by[j]] = (byMatch[by[j]] ?? 0) + 1;
    used[row[j]] = 1;
  }
  if (coveredList.length === 0) throw noOverlap(prior, datasetGenes);
  const covered = Int32Array.from(coveredList);
  const d = prior.dim;
  const matrix = new Float32Array(covered.length * d);
  for (let i = 0; i < covered.length; i++) {
    const r = row[covered[i]];
    matrix.set(prior.values.subarray(r * d, (r + 1) * d), i * d);
  }
  let usedCount = 0;
  for (const u of used) usedCount += u;
  const alignment: PriorAlignment = {
    name: prior.name,
    dim: d,
    covered,
    matrix,
    coverage: {
      datasetGenes: datasetGenes.length,
      covered: covered.length,
      fraction: datasetGenes.length ? covered.length / datasetGenes.length : 0,
      dropped,
      byMatch,
      priorGenesUnused: prior.genes.length - usedCount,
      priorDuplicates,
    },
  };
  return { alignment, by };
}

function noOverlap(prior: GenePrior, datasetGenes: string[]): DataError {
  const p = mapGenes(prior.genes.slice(0, 2000)).guess;
  const dg = mapGenes(datasetGenes.slice(0, 2000)).guess;
  const show = (a: string[]) => a.slice(0, 3).join(", ");
  return new DataError(
    prior.source,
    "gene ids that match the dataset's genes",
    `no gene in common: the prior has ${p.species === "unknown" ? "unrecognised ids" : `${p.species} ${p.type} ids`} (${show(prior.genes)} …), the dataset ${dg.species === "unknown" ? "unrecognised ids" : `${dg.species} ${dg.type} ids`} (${show(datasetGenes)} …)`,
    "Use a prior keyed by gene symbols, Ensembl or Entrez ids of a species the app knows (human or mouse).",
  );
}

/**
 * Aligns several priors at once: the covered genes are those with a vector in every prior, and each prior's
 * matrix has the same row order (row i = dataset gene covered[i]).
 */
export function alignPriors(priors: GenePrior[], datasetGenes: string[]): MultiPriorAlignment {
  if (priors.length === 0) throw new Error("alignPriors needs at least one prior");
  const results = priors.map((p) => alignOne(p, datasetGenes));
  const each = results.map((r) => r.alignment);
  const inAll = new Uint8Array(datasetGenes.length).fill(1);
  for (const a of each) {
    const has = new Uint8Array(datasetGenes.length);
    for (const j of a.covered) has[j] = 1;
    for (let j = 0; j < inAll.length; j++) inAll[j] &= has[j];
  }
  const coveredList: number[] = [];
  const dropped: string[] = [];
  for (let j = 0; j < inAll.length; j++) {
    if (inAll[j]) coveredList.push(j);
    else dropped.push(datasetGenes[j]);
  }
  const covered = Int32Array.from(coveredList);
  if (covered.length === 0) {
    throw new DataError(
      priors.map((p) => p.source).join(" + "),
      "dataset genes that have a vector in every prior",
      `none (per prior: ${each.map((a) => `${a.name} ${a.coverage.covered}`).join(", ")})`,
      "Use fewer priors, or priors keyed by the same kind of gene ids.",
    );
  }
  const byMatch: Record<string, number> = {};
  const firstBy = results[0].by;
  for (const j of covered) byMatch[firstBy[j]] = (byMatch[firstBy[j]] ?? 0) + 1;
  const out = each.map((a) => {
    const where = new Map<number, number>();
    a.covered.forEach((j, i) => {
      where.set(j, i);
    });
    const m = new Float32Array(covered.length * a.dim);
    covered.forEach((j, i) => {
      const r = where.get(j)!;
      m.set(a.matrix.subarray(r * a.dim, (r + 1) * a.dim), i * a.dim);
    });
    return { name: a.name, dim: a.dim, matrix: m };
  });
  return {
    covered,
    priors: out,
    coverage: {
      datasetGenes: datasetGenes.length,
      covered: covered.length,
      fraction: datasetGenes.length ? covered.length / datasetGenes.length : 0,
      dropped,
      byMatch,
      perPrior: each.map((a) => a.coverage),
    },
  };
}
