// Appendix D's association of genes with pathway tokens, on a case worked by hand, and the token table with
// enrichment on real genes (Reactome's interferon genes as one token's list).
import assert from "node:assert/strict";
import { test } from "node:test";
import { pathwayTokens, tokenGeneAssociation } from "../analyses/scpalm/pathways.js";
import { bundledCollections } from "../analysis/enrichment.js";

test("each cell adds its expression to its codes by their share of its tokens; each gene's column sums to 1", () => {
  // Cell 0: tokens on codes 0, 0, 1, 2 (shares ½, ¼, ¼), x = (4, 0, 2). Cell 1: codes 1, 1, 1, 1, x = (0, 8, 2).
  const codes = Int32Array.of(0, 0, 1, 2, 1, 1, 1, 1);
  const x = Float32Array.of(4, 0, 2, 0, 8, 2);
  const m = tokenGeneAssociation(codes, x, 2, 4, 3, 3);
  // Gene 0: code 0 gets ½·4, code 1 ¼·4, code 2 ¼·4 → ½, ¼, ¼. Gene 1: only cell 1 → code 1. Gene 2: code 0 ½·2 = 1,
  // code 1 ¼·2 + 2 = 2.5, code 2 ¼·2 = 0.5; total 4.
  const expected = [0.5, 0, 0.25, 0.25, 1, 0.625, 0.25, 0, 0.125];
  for (const [i, v] of m.entries()) assert.ok(Math.abs(v - expected[i]!) < 1e-12, `entry ${i}: ${v}`);
});

test("the token table: used codes only, top genes by prevalence, their enriched terms", async () => {
  const vocabulary = ["IFIT1", "IFIT3", "ISG15", "MX1", "OAS1", "IFI6", "RSAD2", "CD3E", "MS4A1", "LYZ", "GAPDH", "ACTB"];
  const cells = 6;
  const tokens = 2;
  // Cells 0–2 put a token on code 5 and express the interferon genes; cells 3–5 use codes 1 and 2 with the rest.
  const codes = Int32Array.of(5, 1, 5, 1, 5, 2, 1, 2, 1, 2, 2, 1);
  const x = new Float32Array(cells * vocabulary.length);
  for (let c = 0; c < cells; c++)
    for (let g = 0; g < vocabulary.length; g++) x[c * vocabulary.length + g] = c < 3 ? (g < 7 ? 3 : 0.1) : g < 7 ? 0 : 2;
  const reactome = bundledCollections("human").filter((c) => c.id === "reactome");
  const rows = await pathwayTokens(codes, x, cells, tokens, vocabulary, new Float32Array(vocabulary.length).fill(1), 8, {
    top: 7,
    q: 1,
    collections: reactome,
  });
  assert.deepEqual(rows.map((r) => r.code).sort(), [1, 2, 5]);
  const ifn = rows.find((r) => r.code === 5)!;
  assert.equal(ifn.cells, 3);
  assert.deepEqual([...ifn.genes].sort(), vocabulary.slice(0, 7).sort());
  assert.ok(
    ifn.terms.some((t) => /INTERFERON/i.test(t.term)),
    ifn.terms.map((t) => t.term).join("; "),
  );
});
