import assert from "node:assert/strict";
import { test } from "node:test";
import { guessGeneIdType } from "../genes/detect.js";
import { isMitochondrial, mapGenes } from "../genes/map.js";
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
