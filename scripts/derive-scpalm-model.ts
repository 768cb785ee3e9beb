/**
 * Pre-trains the bundled scPaLM desktop model (resources/scpalm-model/): the desktop configuration on the human
 * datasets of the shared data that are NOT used to test it zero-shot — Kang 2018's PBMCs (2,000 cells, control and
 * IFN-β), the pancreas studies (528 cells, three technologies) and HSMM myoblasts (271 cells, FPKM). PBMC 3k and
 * CellBench stay out of pre-training: they are the zero-shot tests. The vocabulary is each corpus dataset's 2,000 most
 * variable genes, united.
 *
 *   npm run derive:scpalm-model [-- --out <folder>] [--seed N] [--epochs N] [--no-contrastive --stage1-from <folder>]
 *
 * --no-contrastive with --stage1-from <the model> trains the Table 5 ablation into another folder: the same stage 1,
 * stage 2 from the same initialisation without Eq. 2.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pretrainFromFiles } from "../main/analyses/scpalm/pretrain.js";
import { trainingHyper } from "../main/analyses/scpalm/settings.js";
import { SCPALM_DESKTOP } from "../main/models/scpalm-hyper.js";
import { APP_ROOT } from "../main/version.js";
import { printSummary, progressEvery10s } from "./scpalm-log.js";

const DATA = join(APP_ROOT, "..", "shared", "data");
export const CORPUS = [
  join(DATA, "kang_ifnb", "kang_ifnb_2000cells_ctrl_stim.h5ad"),
  join(DATA, "pancreas", "cepo_sce_pancreas_528cells_1403genes_3batches.h5ad"),
  join(DATA, "hsmm", "hsmm_271cells_fpkm.h5ad"),
];

const { values: v } = parseArgs({
  options: {
    out: { type: "string", default: join(APP_ROOT, "resources", "scpalm-model") },
    seed: { type: "string", default: "0" },
    epochs: { type: "string" },
    "no-contrastive": { type: "boolean", default: false },
    "stage1-from": { type: "string" },
    threads: { type: "string" },
  },
});
const base = v["no-contrastive"] ? { ...SCPALM_DESKTOP, contrastive: { ...SCPALM_DESKTOP.contrastive, weight: 0 } } : SCPALM_DESKTOP;
const hyper = trainingHyper(base, { epochs: v.epochs !== undefined ? Number(v.epochs) : undefined });
const { result } = await pretrainFromFiles({
  files: CORPUS,
  out: v.out,
  hyper,
  seed: Number(v.seed),
  ...(v["stage1-from"] ? { stage1From: v["stage1-from"] } : {}),
  ...(v.threads ? { threads: Number(v.threads) } : {}),
  workDir: join(v.out, ".checkpoints"),
  say: (line) => console.log(line),
  onProgress: progressEvery10s("cells"),
});
printSummary(result, hyper.codes);
