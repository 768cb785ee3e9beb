/**
 * Pre-trains the CCLE scPaLM (resources/scpalm-ccle/): the drug model's scPaLM cell-line representation, on the 580
 * GDSC2 lines' CCLE expression (per-gene z-scores over 706 census genes, TGSA's table). No drug response is read.
 *
 *   npm run derive:scpalm-ccle [-- --out <folder>] [--seed N] [--epochs N]
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CCLE_SCPALM, pretrainCcleScPaLM } from "../main/analyses/drugs/scpalm-lines.js";
import { trainingHyper } from "../main/analyses/scpalm/settings.js";
import { readDrugResponse } from "../main/drugs/tables.js";
import { APP_ROOT } from "../main/version.js";
import { printSummary, progressEvery10s } from "./scpalm-log.js";

const { values: v } = parseArgs({
  options: {
    out: { type: "string", default: join(APP_ROOT, "resources", "scpalm-ccle") },
    seed: { type: "string", default: "0" },
    epochs: { type: "string" },
  },
});
const hyper = trainingHyper(CCLE_SCPALM, { epochs: v.epochs !== undefined ? Number(v.epochs) : undefined });
const data = await readDrugResponse(join(APP_ROOT, "..", "shared", "data", "drug_response"));
const { result } = await pretrainCcleScPaLM(data.omics.expression, {
  out: v.out,
  hyper,
  seed: Number(v.seed),
  workDir: join(v.out, ".checkpoints"),
  onProgress: progressEvery10s("lines"),
});
printSummary(result, hyper.codes);
