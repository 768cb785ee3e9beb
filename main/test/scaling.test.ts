/**
 * Scaling genes within batches, on the real pancreas studies: each batch's genes come out with mean 0 and variance 1
 * (as scaling that batch alone), the wizard's advice sees a batch lacking a cell type and batches that are the cell
 * types, and the overall score is scib's weighting of the table's metrics.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { groupCodes } from "../analyses/columns.js";
import type { MetricRow } from "../analyses/integrate/evaluate.js";
import { cramersV, scalingAdvice } from "../analyses/integrate/scaling-advice.js";
import { matrixRows, subset } from "../data/subset.js";
import { readDataset } from "../io/read.js";
import { bestOverall, overallScore } from "../isomorphic/overall.js";
import { log1p, normalizeTotal } from "../pp/normalize.js";
import { scale, scaleWithinGroups } from "../pp/scale.js";
import { PANCREAS } from "./helpers.js";

const pancreas = await readDataset(PANCREAS).then((r) => r.dataset);
const batch = groupCodes(pancreas.obs.columns.get("batch")!);
const label = groupCodes(pancreas.obs.columns.get("cellTypes")!);

test("within each batch, every gene is z-scored as if that batch were alone", () => {
  const lognorm = log1p(normalizeTotal(pancreas.X));
  const scaled = scaleWithinGroups(lognorm, batch.codes, 10);
  const G = lognorm.nCols;
  for (let b = 0; b < batch.categories.length; b++) {
    const rows = [...batch.codes.keys()].filter((i) => batch.codes[i] === b);
    const alone = scale(matrixRows(lognorm, rows), 10).scaled.values;
    rows.forEach((r, i) => {
      for (let g = 0; g < G; g += 97) assert.equal(scaled.values[r * G + g], alone[i * G + g], `batch ${b}, cell ${r}, gene ${g}`);
    });
    // Mean 0 and variance 1 per gene within the batch (genes expressed in it, before the ±10 clip bites).
    for (let g = 0; g < G; g += 53) {
      const v = rows.map((r) => scaled.values[r * G + g]!);
      const mean = v.reduce((a, x) => a + x, 0) / v.length;
      const variance = v.reduce((a, x) => a + (x - mean) ** 2, 0) / (v.length - 1);
      assert.ok(Math.abs(mean) < 1e-4, `gene ${g} mean ${mean} in batch ${b}`);
      if (variance > 0 && Math.max(...v.map(Math.abs)) < 10) assert.ok(Math.abs(variance - 1) < 1e-3, `gene ${g} variance ${variance}`);
    }
  }
});

test("scaling advice: balanced studies are safe; a study without ductal cells, or batches that are the cell types, are not", () => {
  const balanced = scalingAdvice(batch, label);
  assert.equal(balanced.recommended, "batch");
  assert.deepEqual(balanced.warnings, []);
  assert.ok(balanced.confounding! < 0.3, `Cramér's V ${balanced.confounding}`);

  const keep = [...batch.codes.keys()].filter(
    (i) => !(batch.categories[batch.codes[i]!] === "batch 1" && label.categories[label.codes[i]!] === "ductal"),
  );
  const d = subset(pancreas, keep);
  const lacking = scalingAdvice(groupCodes(d.obs.columns.get("batch")!), groupCodes(d.obs.columns.get("cellTypes")!));
  assert.equal(lacking.recommended, "global");
  assert.deepEqual(lacking.warnings, ["batch 'batch 1' has no 'ductal' cells, which other batches have ('batch 4' 100, 'batch 5' 28)"]);

  // Each study its own cell type: batch and label are one and the same.
  const confounded = scalingAdvice(batch, { codes: batch.codes, categories: ["alpha", "beta", "delta"] });
  assert.equal(confounded.recommended, "global");
  assert.ok(confounded.warnings.some((w) => /nearly confounded \(Cramér's V 1\.00\)/.test(w)));
  // Without labels nothing can be said, and the default stands.
  assert.deepEqual(scalingAdvice(batch, null), { recommended: "batch", warnings: [], confounding: null });
});

test("Cramér's V: 0 for independent labelings, 1 for identical ones, and a hand-computed 2 × 2 table", () => {
  const a = Int32Array.of(0, 0, 1, 1);
  assert.equal(cramersV(a, Int32Array.of(0, 1, 0, 1)), 0);
  assert.equal(cramersV(a, a), 1);
  // [[3, 1], [1, 3]]: χ² = 2, n = 8 → V = √(2 / 8) = 0.5.
  const x = Int32Array.of(0, 0, 0, 0, 1, 1, 1, 1);
  const y = Int32Array.of(0, 0, 0, 1, 1, 1, 1, 0);
  assert.ok(Math.abs(cramersV(x, y) - 0.5) < 1e-12);
});

test("the overall score is 0.6 × mean(ARI, NMI, ASW, cLISI) + 0.4 × mean(batch ASW, iLISI); the best row is named", () => {
  const m = { ari: 0.9, nmi: 0.8, asw: 0.7, clisi: 1, batchAsw: 0.85, ilisi: 0.45 };
  assert.ok(Math.abs(overallScore(m)! - (0.6 * 0.85 + 0.4 * 0.65)) < 1e-12);
  assert.equal(overallScore({ ...m, batchAsw: null, ilisi: null }), null, "no batches: no overall score");
  assert.equal(overallScore({ ...m, ari: null, nmi: null, asw: null, clisi: null }), null, "no labels: no overall score");
  const row = (method: string, overall: number | null) => ({ method, overall }) as MetricRow;
  assert.equal(bestOverall([row("PCA", 0.6), row("sciLaMA", 0.7), row("MNN", null)])?.method, "sciLaMA");
  assert.equal(bestOverall([row("PCA", null)]), null);
});
