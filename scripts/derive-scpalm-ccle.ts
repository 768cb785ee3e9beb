/**
 * Pre-trains the CCLE scPaLM (resources/scpalm-ccle/): the drug model's scPaLM cell-line representation, on the 580
 * GDSC2 lines' CCLE expression (per-gene z-scores over 706 census genes, TGSA's table). No drug response is read.
 *
 *   npm run derive:scpalm-ccle [-- --out <folder>] [--seed N] [--epochs N]
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CCLE_SCPALM, pretrainCcleScPaLM } from "../main/analyses/drugs/scpalm-lines.js";
import { readDrugResponse } from "../main/drugs/tables.js";
import { APP_ROOT } from "../main/version.js";

const { values: v } = parseArgs({
  options: {
    out: { type: "string", default: join(APP_ROOT, "resources", "scpalm-ccle") },
    seed: { type: "string", default: "0" },
    epochs: { type: "string" },
  },
});
const epochs = v.epochs ? Number(v.epochs) : null;
const hyper = epochs
  ? { ...CCLE_SCPALM, stage1: { ...CCLE_SCPALM.stage1, epochs }, stage2: { ...CCLE_SCPALM.stage2, epochs } }
  : CCLE_SCPALM;
const data = await readDrugResponse(join(APP_ROOT, "..", "shared", "data", "drug_response"));
let last = 0;
const { result } = await pretrainCcleScPaLM(data.omics.expression, {
  out: v.out,
  hyper,
  seed: Number(v.seed),
  workDir: join(v.out, ".checkpoints"),
  onProgress: (p, stage) => {
    if (performance.now() - last < 10_000) return;
    last = performance.now();
    console.log(`stage ${stage} epoch ${p.epoch + 1}/${p.epochs} ${JSON.stringify(p.losses)} ${p.cellsPerSec.toFixed(0)} lines/s`);
  },
});
for (const s of result.stages)
  console.log(`stage ${s.stage}: ${s.epochs} epochs in ${s.seconds.toFixed(0)} s; last ${JSON.stringify(s.history.at(-1))}`);
console.log(`codes used ${result.codesUsed} of ${hyper.codes}; ${result.seconds.toFixed(0)} s in all`);
