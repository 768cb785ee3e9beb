/**
 * Derives the compact gene tables and the demo dataset that ship in resources/ from the real data in
 * ../shared/data (an installed app has no shared/ folder). Run: npm run derive:resources
 *
 * resources/genes/human_genes.tsv.gz   entrez, symbol, type, chromosome, ensembl ids (|), aliases (|)
 *   from org.Hs.eg.db 2022-09 (Bioconductor, Artistic-2.0); aliases equal to the symbol are dropped.
 * resources/genes/human_genes.index.tsv.gz   per index of the table (main/genes/tables.ts HUMAN_INDEXES): its name,
 *   the table's row count, and its entries sorted by key, so that a lookup is a binary search, not a map built per run.
 * resources/genes/mouse_orthologs.tsv.gz   mouse symbol, MGI id, human symbol, best (1/0), sorted by mouse symbol
 *   (code-unit order), then best first; from the Alliance of Genome Resources human→mouse ortholog table (via
 *   shared/data/gene_sets).
 * resources/demo/pbmc3k.h5ad   the Seurat-tutorial PBMC 3k (2,638 cells × 2,000 genes, counts, cell types),
 *   copied unchanged from shared/data/pbmc3k (10x Genomics data via rnabioco/clustifyr, MIT).
 */
import { chmodSync, copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { HUMAN_INDEX_FILE, HUMAN_INDEXES, sortedEntries, tableLines } from "../main/genes/tables.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const shared = join(root, "..", "shared", "data");

function tsv(path: string): string[][] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => l.split("\t"));
}

function write(rel: string, header: string[], rows: string[][]) {
  const text = [header, ...rows].map((r) => r.join("\t")).join("\n") + "\n";
  const gz = gzipSync(text, { level: 9 });
  writeFileSync(join(root, rel), gz);
  console.log(`${rel}: ${rows.length} rows, ${(gz.length / 1024).toFixed(0)} KiB`);
}

const human = tsv(join(shared, "gene_annotations", "human_genes_org.Hs.eg.db_2022-09.tsv"));
const hHeader = human[0];
const col = (name: string) => hHeader.indexOf(name);
const [iEntrez, iSymbol, iType, iChr, iEns, iAlias] = ["entrez_id", "symbol", "gene_type", "chromosome", "ensembl_ids", "aliases"].map(col);
write(
  "resources/genes/human_genes.tsv.gz",
  ["entrez", "symbol", "type", "chromosome", "ensembl", "aliases"],
  human.slice(1).map((r) => {
    const aliases = (r[iAlias] ?? "").split("|").filter((a) => a && a !== r[iSymbol]);
    return [r[iEntrez], r[iSymbol], r[iType], r[iChr], r[iEns] ?? "", aliases.join("|")];
  }),
);

const rows = tableLines("human_genes.tsv.gz");
write(
  `resources/genes/${HUMAN_INDEX_FILE}`,
  ["index", "rows", "entries"],
  HUMAN_INDEXES.map((spec) => [spec.name, String(rows.length), sortedEntries(rows, spec).join(",")]),
);

const orth = tsv(join(shared, "gene_sets", "human2MouseOrthologs_AllianceGenome.tsv"));
const oh = orth[0];
const [oFromSym, oToId, oToSym, oBest] = ["fromSymbol", "toGeneId", "toSymbol", "best"].map((n) => oh.indexOf(n));
write(
  "resources/genes/mouse_orthologs.tsv.gz",
  ["mouse_symbol", "mgi", "human_symbol", "best"],
  orth
    .slice(1)
    .map((r) => [r[oToSym], r[oToId], r[oFromSym], r[oBest] === "Yes" ? "1" : "0"])
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (a.r[0] < b.r[0] ? -1 : a.r[0] > b.r[0] ? 1 : Number(b.r[3]) - Number(a.r[3]) || a.i - b.i))
    .map(({ r }) => r),
);

const demo = join(root, "resources", "demo", "pbmc3k.h5ad");
rmSync(demo, { force: true });
copyFileSync(join(shared, "pbmc3k", "pbmc3k_seurat_tutorial_2638cells_2000hvg_counts.h5ad"), demo);
chmodSync(demo, 0o644); // shared/ is read-only; the copy must not be
console.log("resources/demo/pbmc3k.h5ad: copied");
