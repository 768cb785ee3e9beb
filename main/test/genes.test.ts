import assert from "node:assert/strict";
import { test } from "node:test";
import { guessGeneIdType } from "../genes/detect.js";
import { isMitochondrial, mapGenes } from "../genes/map.js";
import { geneTables, HUMAN_INDEXES, type Lookup, tableLines } from "../genes/tables.js";
import { readH5ad } from "../io/h5ad/read.js";
import { CELLBENCH, data, PBMC3K } from "./helpers.js";

test("gene id types of the shared datasets are recognised", async () => {
  const cases: Array<[string, string, string]> = [
    [PBMC3K, "symbol", "human"],
    [CELLBENCH, "ensembl", "human"],
    [data("hsmm", "hsmm_271cells_fpkm.h5ad"), "ensembl", "human"],
    [data("osmfish", "osmfish_gimvi_4530cells_33genes.h5ad"), "symbol", "mouse"],
  ];
  for (const [file, type, species] of cases) {
    const d = await readH5ad(file);
    const g = guessGeneIdType(d.var.index);
    assert.equal(g.type, type, file);
    assert.equal(g.species, species, file);
  }
  assert.equal(guessGeneIdType(["7157", "672", "675", "1956"]).type, "entrez");
  assert.equal(guessGeneIdType(["AAACATACAACCAC-1", "AAACATTGAGCTAC-1"]).type, "unknown");
});

test("mapping: symbols, versioned Ensembl ids, Entrez ids, aliases and mouse orthologs; problems are reported", () => {
  const r = mapGenes(["TP53", "ENSG00000141510.16", "7157", "p53", "CD3E", "NOT_A_GENE_X1"]);
  const by = r.matches.map((m) => m && `${m.symbol}:${m.by}`);
  assert.deepEqual(by.slice(0, 3), ["TP53:symbol", "TP53:ensembl", "TP53:entrez"]);
  assert.equal(by[3], "TP53:alias");
  assert.deepEqual(r.unmapped, ["NOT_A_GENE_X1"]);
  assert.deepEqual(r.duplicated, [{ symbol: "TP53", inputs: ["TP53", "ENSG00000141510.16", "7157", "p53"] }]);
  const mouse = mapGenes(["Actb", "Gapdh", "Cd3e", "Sox10", "Unknownthing1"]);
  assert.equal(mouse.guess.species, "mouse");
  assert.equal(mouse.matches[0]?.by, "ortholog");
  assert.equal(mouse.matches[0]?.entrez, "60"); // ACTB
  assert.deepEqual(mouse.unmapped, ["Unknownthing1"]);
});

test("ambiguous aliases are reported, not guessed", () => {
  const r = mapGenes(["CD3E", "MS4A1", "CD19", "SARS"]);
  assert.equal(r.matches[3], null);
  assert.ok(
    r.ambiguous.some((a) => a.input === "SARS" && a.candidates.length > 1),
    JSON.stringify(r.ambiguous),
  );
});

test("mitochondrial genes: by name prefix and by chromosome MT in the gene table", () => {
  assert.ok(isMitochondrial("MT-CO1"));
  assert.ok(isMitochondrial("mt-Nd1"));
  assert.ok(isMitochondrial("ENSG00000198804")); // COX1 / MT-CO1
  assert.ok(!isMitochondrial("CD3E"));
});

/** Key → line numbers, built the plain way from the table's own lines (what the shipped sorted indexes replace). */
function plainIndex(rows: string[], column: number, list: boolean, upper: boolean): Map<string, number[]> {
  const m = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const v = row.split("\t")[column] ?? "";
    for (const k of v ? (list ? v.split("|") : [v]) : []) {
      const key = upper ? k.toUpperCase() : k;
      m.set(key, [...(m.get(key) ?? []), i]);
    }
  });
  return m;
}

test("the shipped sorted gene indexes answer exactly what maps built from the tables would", () => {
  const t = geneTables();
  const rows = tableLines("human_genes.tsv.gz");
  const lookups: Record<string, Lookup<unknown>> = {
    symbol: t.bySymbol,
    symbolUpper: t.bySymbolUpper,
    entrez: t.byEntrez,
    ensembl: t.byEnsembl,
    alias: t.byAlias,
  };
  for (const spec of HUMAN_INDEXES) {
    const plain = plainIndex(rows, spec.column, spec.list, spec.upper);
    const lookup = lookups[spec.name]!;
    const keys = [...plain.keys()].sort(); // code-unit order, as the index is sorted
    assert.deepEqual([...lookup.keys()], keys, spec.name);
    for (const key of keys) {
      const lines = plain.get(key)!;
      const got = lookup.get(key);
      // One gene per key (the last line wins), except aliases, which list every gene that uses them.
      const want = spec.name === "alias" ? lines.map((i) => t.human[i]) : t.human[lines[lines.length - 1]!];
      if (got !== want) assert.deepEqual(got, want, `${spec.name} ${key}`);
    }
    assert.equal(lookup.get("NOT_A_GENE_X1"), undefined);
    assert.equal(lookup.has(""), false);
  }
  const orth = tableLines("mouse_orthologs.tsv.gz").map((l) => l.split("\t"));
  for (let i = 1; i < orth.length; i++) {
    const [a, b] = [orth[i - 1]!, orth[i]!];
    assert.ok(a[0]! < b[0]! || (a[0] === b[0] && a[3]! >= b[3]!), `mouse_orthologs line ${i + 2} is out of order`);
  }
  const humansOf = new Map<string, string[]>();
  for (const [mouse, , human] of orth) {
    const list = humansOf.get(mouse!) ?? [];
    if (!list.includes(human!)) list.push(human!);
    humansOf.set(mouse!, list);
  }
  assert.deepEqual([...t.mouseToHuman.keys()], [...humansOf.keys()]);
  for (const [mouse, humans] of humansOf) assert.deepEqual(t.mouseToHuman.get(mouse), humans, mouse);
  assert.deepEqual(t.mouseToHuman.get("Lyz2"), ["LYZ"]);
});
