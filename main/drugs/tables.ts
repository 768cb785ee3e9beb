/**
 * The drug-response data (shared/data/drug_response): GDSC2 ln IC50 of (drug, cell line) pairs as TGSA prepared
 * them, the CCLE omics of the 580 cell lines over 706 COSMIC-census genes, CCLE cell-line annotations and GDSC1 drug
 * targets. Every loader takes the folder holding the files.
 */
import { join } from "node:path";
import { geneTables } from "../genes/tables.js";
import { DataError } from "../io/errors.js";
import { readRows } from "../io/table.js";

export const FILES = {
  pairs: "tgsa_ln_ic50_long_with_smiles.csv",
  expression: "tgsa_ccle_expression_zscored_580x706.csv",
  copyNumber: "tgsa_ccle_copynumber_zscored_580x706.csv",
  mutation: "tgsa_ccle_mutation_580x706.csv",
  cellLines: "ccle_cell_lines_annotations_20181226.txt",
  targets: "gdsc1_drug_list_targets_pathways.csv",
} as const;

export interface Drug {
  name: string;
  /** PubChem compound id. */
  cid: string;
  smiles: string;
}

/** The screened pairs: pair i is cell line cellLines[cell[i]] under drugs[drug[i]], with ln IC50 y[i] (file order). */
export interface Pairs {
  /** Sorted by name. */
  drugs: Drug[];
  /** DepMap ids, sorted. */
  cellLines: string[];
  cell: Int32Array;
  drug: Int32Array;
  y: Float32Array;
}

/** One omics layer: lines × genes, row-major. */
export interface Omics {
  /** Entrez ids, as strings. */
  genes: string[];
  /** DepMap ids, in the pairs' cellLines order. */
  lines: string[];
  values: Float32Array;
}

export interface OmicsSet {
  expression: Omics;
  copyNumber: Omics;
  mutation: Omics;
}

export interface CellLineInfo {
  name: string;
  /** TCGA cancer type (`tcga_code`); null where CCLE gives none. */
  tcga: string | null;
  site: string | null;
  disease: string | null;
}

export interface DrugTargets {
  targets: string[];
  pathway: string | null;
  /** GDSC1 drug ids of the rows matched (a drug screened twice in GDSC1 has two). */
  gdscIds: string[];
  by: "pubchem" | "name" | null;
}

/** Index of each named column of a header, or a DataError naming the first one missing. */
function columns<const K extends string>(path: string, header: string[], names: readonly K[]): Record<K, number> {
  const at = {} as Record<K, number>;
  for (const n of names) {
    const j = header.indexOf(n);
    if (j < 0) throw new DataError(path, `a column '${n}'`, `the columns ${header.join(", ")}`);
    at[n] = j;
  }
  return at;
}

const number = (path: string, s: string, where: string): number => {
  const v = s === "" ? Number.NaN : Number(s);
  if (!Number.isFinite(v)) throw new DataError(path, "a number", `'${s}' at ${where}`);
  return v;
};

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

export async function readPairs(dir: string): Promise<Pairs> {
  const path = join(dir, FILES.pairs);
  const { header, rows } = await readRows(path);
  const c = columns(path, header, ["drug_name", "DepMap_ID", "ln_IC50", "CID", "CanonicalSMILES"]);
  const byName = new Map<string, Drug>();
  for (const r of rows) {
    const d = { name: r[c.drug_name]!, cid: r[c.CID]!, smiles: r[c.CanonicalSMILES]! };
    const seen = byName.get(d.name);
    if (!seen) byName.set(d.name, d);
    else if (seen.cid !== d.cid || seen.smiles !== d.smiles)
      throw new DataError(path, `one PubChem id and SMILES per drug`, `two for '${d.name}' (CID ${seen.cid} and ${d.cid})`);
  }
  const drugs = sorted(byName.keys()).map((n) => byName.get(n)!);
  const cellLines = sorted(rows.map((r) => r[c.DepMap_ID]!));
  const drugAt = new Map(drugs.map((d, i) => [d.name, i]));
  const cellAt = new Map(cellLines.map((l, i) => [l, i]));
  return {
    drugs,
    cellLines,
    cell: Int32Array.from(rows, (r) => cellAt.get(r[c.DepMap_ID]!)!),
    drug: Int32Array.from(rows, (r) => drugAt.get(r[c.drug_name]!)!),
    y: Float32Array.from(rows, (r, i) => number(path, r[c.ln_IC50]!, `line ${i + 2}`)),
  };
}

/** One omics file: its genes and lines as written, values in the order of `lines` (each must be in the file). */
async function readLayer(path: string, lines: readonly string[]): Promise<Omics & { fileLines: string[] }> {
  const { header, names, rows } = await readRows(path);
  const genes = header.slice(1).map((h) => {
    const m = /^\((\d+)\)$/.exec(h);
    if (!m) throw new DataError(path, "Entrez ids written '(10000)' as column names", `'${h}'`);
    return m[1]!;
  });
  const rowOf = new Map(names.map((n, i) => [n, i]));
  const values = new Float32Array(lines.length * genes.length);
  lines.forEach((line, i) => {
    const r = rowOf.get(line);
    if (r === undefined) throw new DataError(path, `a row for every screened cell line`, `none for ${line}`);
    const f = rows[r]!;
    for (let g = 0; g < genes.length; g++) values[i * genes.length + g] = number(path, f[g + 1]!, `row ${line}, gene ${genes[g]}`);
  });
  return { genes, lines: [...lines], values, fileLines: names };
}

/** The three CCLE layers, rows in `cellLines` order; the files must share genes (in order) and cell lines. */
export async function readOmics(dir: string, cellLines: readonly string[]): Promise<OmicsSet> {
  const [expression, copyNumber, mutation] = await Promise.all(
    [FILES.expression, FILES.copyNumber, FILES.mutation].map((f) => readLayer(join(dir, f), cellLines)),
  );
  const ref = expression!;
  for (const [file, layer] of [
    [FILES.copyNumber, copyNumber!],
    [FILES.mutation, mutation!],
  ] as const) {
    if (layer.genes.join() !== ref.genes.join())
      throw new DataError(join(dir, file), `the genes of ${FILES.expression}, in the same order`, "other genes or another order");
    if (sorted(layer.fileLines).join() !== sorted(ref.fileLines).join())
      throw new DataError(join(dir, file), `the cell lines of ${FILES.expression}`, "other cell lines");
  }
  const strip = ({ genes, lines, values }: Omics): Omics => ({ genes, lines, values });
  return { expression: strip(ref), copyNumber: strip(copyNumber!), mutation: strip(mutation!) };
}

/**
 * NCBI symbols of Entrez ids from the shipped gene tables (null where they know none), for display. A user's dataset
 * is joined to these genes by genes/keys.ts `matchGenes(genes, datasetGenes)`, which keys both sides by Entrez id.
 */
export function entrezSymbols(genes: readonly string[]): { symbols: Array<string | null>; known: number } {
  const byEntrez = geneTables().byEntrez;
  const symbols = genes.map((g) => byEntrez.get(g)?.symbol ?? null);
  return { symbols, known: symbols.filter((s) => s !== null).length };
}

/** CCLE's annotations by DepMap id ("NA" and empty fields as null). */
export async function readCellLineInfo(dir: string): Promise<Map<string, CellLineInfo>> {
  const path = join(dir, FILES.cellLines);
  const { header, rows } = await readRows(path);
  const c = columns(path, header, ["depMapID", "Name", "tcga_code", "Site_Primary", "Disease"]);
  const value = (s: string | undefined) => (s === undefined || s === "" || s === "NA" ? null : s);
  const out = new Map<string, CellLineInfo>();
  for (const r of rows) {
    const id = value(r[c.depMapID]);
    if (id === null) continue;
    if (out.has(id)) throw new DataError(path, "one row per DepMap id", `two for ${id}`);
    out.set(id, {
      name: r[c.Name]!,
      tcga: value(r[c.tcga_code]),
      site: value(r[c.Site_Primary]),
      disease: value(r[c.Disease]),
    });
  }
  return out;
}

/** A drug name as matched: lower case, letters and digits only ("PFI-3" is "pfi3"). */
export const drugNameKey = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, "");

/**
 * GDSC1 targets and pathway of each drug (aligned with `drugs`): the GDSC1 rows with the drug's PubChem id, else
 * those whose name or a synonym is the drug's name (drugNameKey). GDSC1 lists some drugs twice (two screens); their
 * targets are merged, and a pathway "Unclassified" gives way to the other row's.
 */
export async function readDrugTargets(dir: string, drugs: readonly Drug[]): Promise<DrugTargets[]> {
  const path = join(dir, FILES.targets);
  const { header, rows } = await readRows(path);
  const c = columns(path, header, ["drug_id", "Name", "Synonyms", "Targets", "Target pathway", "PubCHEM"]);
  const list = (s: string) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter((x) => x !== "");
  // PubCHEM holds one id, several ("123, 456"), or words ("several", "none").
  const cids = rows.map((r) => list(r[c.PubCHEM]!).filter((x) => /^\d+$/.test(x)));
  const names = rows.map((r) => [r[c.Name]!, ...list(r[c.Synonyms]!)].map(drugNameKey));
  return drugs.map((d) => {
    let by: DrugTargets["by"] = "pubchem";
    let hits = rows.filter((_, i) => cids[i]!.includes(d.cid));
    if (hits.length === 0) {
      by = "name";
      hits = rows.filter((_, i) => names[i]!.includes(drugNameKey(d.name)));
    }
    if (hits.length === 0) return { targets: [], pathway: null, gdscIds: [], by: null };
    const pathways = sorted(hits.map((r) => r[c["Target pathway"]]!).filter((p) => p !== ""));
    const named = pathways.filter((p) => p !== "Unclassified");
    return {
      targets: [...new Set(hits.flatMap((r) => list(r[c.Targets]!)))],
      pathway: (named.length ? named : pathways).join("; ") || null,
      gdscIds: hits.map((r) => r[c.drug_id]!),
      by,
    };
  });
}

export interface DrugResponseData {
  pairs: Pairs;
  omics: OmicsSet;
  /** NCBI symbols of omics.expression.genes. */
  symbols: Array<string | null>;
  cellLineInfo: Map<string, CellLineInfo>;
  /** Aligned with pairs.drugs. */
  targets: DrugTargets[];
}

export async function readDrugResponse(dir: string): Promise<DrugResponseData> {
  const pairs = await readPairs(dir);
  const [omics, cellLineInfo, targets] = await Promise.all([
    readOmics(dir, pairs.cellLines),
    readCellLineInfo(dir),
    readDrugTargets(dir, pairs.drugs),
  ]);
  return { pairs, omics, symbols: entrezSymbols(omics.expression.genes).symbols, cellLineInfo, targets };
}
