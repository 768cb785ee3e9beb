/**
 * Derives the gene-set collections that ship in resources/gene_sets/ (enrichment of gene modules and markers) from
 * ../shared/data/gene_sets. Run: npx tsx scripts/derive-gene-sets.ts
 *
 * Each collection is written as a gzipped GMT (set name, description, genes), sets of 5–1,000 genes, duplicates
 * removed, sorted by name; `index.json` lists sources, licenses and counts. See resources/gene_sets/README.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { parseGmt } from "../main/analysis/enrichment.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "..", "shared", "data", "gene_sets");
const out = join(root, "resources", "gene_sets");

interface Source {
  species: "human" | "mouse";
  id: string;
  file: string;
  name: string;
  license: string;
}

const SOURCES: Source[] = [
  {
    species: "human",
    id: "go_bp",
    file: "human_GO_BP_propagated_org.Hs.eg.db_2022-09_size5-1000.gmt",
    name: "GO biological process (org.Hs.eg.db 2022-09, propagated)",
    license: "Bioconductor org.Hs.eg.db, Artistic-2.0; GO CC-BY-4.0",
  },
  {
    species: "human",
    id: "go_cc",
    file: "human_GO_CC_propagated_org.Hs.eg.db_2022-09_size5-1000.gmt",
    name: "GO cellular component (org.Hs.eg.db 2022-09, propagated)",
    license: "Bioconductor org.Hs.eg.db, Artistic-2.0; GO CC-BY-4.0",
  },
  {
    species: "human",
    id: "go_mf",
    file: "human_GO_MF_propagated_org.Hs.eg.db_2022-09_size5-1000.gmt",
    name: "GO molecular function (org.Hs.eg.db 2022-09, propagated)",
    license: "Bioconductor org.Hs.eg.db, Artistic-2.0; GO CC-BY-4.0",
  },
  {
    species: "human",
    id: "reactome",
    file: "c2.cp.reactome.v6.2.symbols.gmt.gz",
    name: "Reactome (MSigDB c2.cp.reactome v6.2)",
    license: "MSigDB, CC-BY-4.0",
  },
  { species: "human", id: "hallmark", file: "h.all.v7.0.symbols.gmt", name: "Hallmark (MSigDB h.all v7.0)", license: "MSigDB, CC-BY-4.0" },
  {
    species: "mouse",
    id: "go_bp",
    file: "mouse_go_bp_go2msig_2015/Mus_musculus_GSEA_GO_sets_bp_symbols_highquality_April_2015.gmt",
    name: "GO biological process (GO2MSIG mouse, 2015)",
    license: "GO2MSIG, CC-BY-4.0",
  },
  {
    species: "mouse",
    id: "go_cc",
    file: "mouse_msigdb_v7.0_from_Mouse-GEM/c5.cc.v7.0.symbols.mouse.gmt",
    name: "GO cellular component (MSigDB c5.cc v7.0 via mouse orthologs, Mouse-GEM)",
    license: "MSigDB, CC-BY-4.0",
  },
  {
    species: "mouse",
    id: "go_mf",
    file: "mouse_msigdb_v7.0_from_Mouse-GEM/c5.mf.v7.0.symbols.mouse.gmt",
    name: "GO molecular function (MSigDB c5.mf v7.0 via mouse orthologs, Mouse-GEM)",
    license: "MSigDB, CC-BY-4.0",
  },
  {
    species: "mouse",
    id: "reactome",
    file: "mouse_msigdb_v7.0_from_Mouse-GEM/c2.cp.reactome.v7.0.symbols.mouse.gmt",
    name: "Reactome (MSigDB c2.cp.reactome v7.0 via mouse orthologs, Mouse-GEM)",
    license: "MSigDB, CC-BY-4.0",
  },
  {
    species: "mouse",
    id: "hallmark",
    file: "mouse_msigdb_v7.0_from_Mouse-GEM/h.all.v7.0.symbols.mouse.gmt",
    name: "Hallmark (MSigDB h.all v7.0 via mouse orthologs, Mouse-GEM)",
    license: "MSigDB, CC-BY-4.0",
  },
];

const index: unknown[] = [];
for (const s of SOURCES) {
  const raw = readFileSync(join(src, s.file));
  const text = s.file.endsWith(".gz") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
  const sets = parseGmt(text, s.file)
    .filter((g) => g.genes.length >= 5 && g.genes.length <= 1000)
    .sort((a, b) => a.name.localeCompare(b.name));
  const gmt = sets.map((g) => [g.name, g.description.startsWith("http") ? "" : g.description, ...g.genes].join("\t")).join("\n");
  mkdirSync(join(out, s.species), { recursive: true });
  const file = join(s.species, `${s.id}.gmt.gz`);
  writeFileSync(join(out, file), gzipSync(`${gmt}\n`, { level: 9 }));
  const genes = new Set(sets.flatMap((g) => g.genes)).size;
  index.push({ species: s.species, id: s.id, file, name: s.name, source: s.file, license: s.license, sets: sets.length, genes });
  console.log(`${file}: ${sets.length} sets, ${genes} genes`);
}
writeFileSync(join(out, "index.json"), `${JSON.stringify(index, null, 1)}\n`);
