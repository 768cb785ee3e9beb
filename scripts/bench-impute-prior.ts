/**
 * npm run bench:impute-prior — what the gene prior buys, on real data (pbmc3k → Kang's control cells): a 30-gene
 * panel of pbmc3k's cell-type markers; the reference's 300 most expressed genes that Kang measured, each left out of
 * the model in one of five folds and placed by its prior alone (the sciLaMA paper's Table S6 protocol), with the
 * bundled prior, random vectors and the shuffled prior; Quick, seed 1 (`--genes N`, `--folds K`, `--seed N`). Prints
 * the table and the paired gains (mean ± s.e.m. over the genes, and how many genes the bundled prior predicts better).
 * ~20 min on 2 cores. Last line: BENCH impute_prior pcc_bundled=… pcc_random=… pcc_shuffled=… gain_random=…
 * gain_random_sem=… gain_shuffled=… gain_shuffled_sem=… total_s=…
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { imputePanel } from "../main/analyses/impute/panel.js";
import { GeneInputs } from "../main/analyses/integrate/gene-inputs.js";
import { readDataset } from "../main/io/read.js";
import { log1p, normalizeTotal } from "../main/pp/normalize.js";
import { geneMoments } from "../main/pp/stats.js";
import { PBMC3K } from "../main/test/helpers.js";
import { kangControls, markerPanel } from "../main/test/impute-data.js";

const { values } = parseArgs({
  options: { genes: { type: "string", default: "300" }, folds: { type: "string", default: "5" }, seed: { type: "string", default: "1" } },
});
const started = performance.now();
const target = await kangControls(mkdtempSync(join(tmpdir(), "bench-impute-prior-")));
const targetGenes = (await readDataset(target)).dataset.var.index;
const inputs = await GeneInputs.load({ priors: ["bundled"] }, false);
const panel = await markerPanel(
  PBMC3K,
  "seurat_annotation",
  Array.from(inputs.coverage(targetGenes).covered, (i) => targetGenes[i]!),
  30,
);
const ref = (await readDataset(PBMC3K)).dataset;
const covered = new Set(inputs.coverage(ref.var.index).covered);
const measured = new Set(targetGenes);
const { mean } = geneMoments(log1p(normalizeTotal(ref.X)));
const genes = [...ref.var.index.keys()]
  .filter((i) => covered.has(i) && measured.has(ref.var.index[i]!) && !panel.includes(ref.var.index[i]!))
  .sort((a, b) => mean[b]! - mean[a]!)
  .slice(0, Number(values.genes))
  .map((i) => ref.var.index[i]!);
const r = await imputePanel(
  {
    reference: PBMC3K,
    target,
    panel,
    genes,
    evaluation: { kind: "none" },
    unseenFolds: Number(values.folds),
    prior: { priors: ["bundled"] },
    preset: "quick",
    seed: Number(values.seed),
    baselines: ["random", "shuffled"],
  },
  { emit: (e) => e.type === "stage" && console.log(`  · ${e.stage}`) },
);
for (const m of r.methods)
  console.log(`${m.set.padEnd(8)} ${m.method.padEnd(44)} PCC ${m.pcc.toFixed(3)} ± ${m.pccSem.toFixed(3)} (${m.genes} genes)`);
const unseen = (prefix: string) =>
  new Map(r.perGene.filter((g) => g.set === "unseen" && g.method.startsWith(prefix)).map((g) => [g.gene, g.pcc]));
const ours = unseen("sciLaMA (GO");
const gain = (prefix: string) => {
  const theirs = unseen(prefix);
  const d = [...ours].filter(([g]) => theirs.has(g)).map(([g, v]) => v - theirs.get(g)!);
  const m = d.reduce((a, b) => a + b, 0) / d.length;
  const sem = Math.sqrt(d.reduce((a, b) => a + (b - m) ** 2, 0) / (d.length - 1) / d.length);
  console.log(`bundled − ${prefix}: ${m.toFixed(3)} ± ${sem.toFixed(3)}; better on ${d.filter((x) => x > 0).length} of ${d.length} genes`);
  return { m, sem };
};
const pcc = (prefix: string) => r.methods.find((m) => m.set === "unseen" && m.method.startsWith(prefix))!.pcc.toFixed(3);
const random = gain("sciLaMA (random");
const shuffled = gain("sciLaMA (shuffled");
console.log(
  `BENCH impute_prior pcc_bundled=${pcc("sciLaMA (GO")} pcc_random=${pcc("sciLaMA (random")} pcc_shuffled=${pcc("sciLaMA (shuffled")} gain_random=${random.m.toFixed(3)} gain_random_sem=${random.sem.toFixed(3)} gain_shuffled=${shuffled.m.toFixed(3)} gain_shuffled_sem=${shuffled.sem.toFixed(3)} total_s=${((performance.now() - started) / 1000).toFixed(0)}`,
);
