/**
 * Derives the bundled drug-response model (resources/drug-model/) from TGSA's GDSC2 × CCLE data in ../shared/data.
 * Run: npm run derive:drug-model [-- --seeds 3 --preset standard --epochs N --eval <folder of 'scilama drugs train --split all'>]
 *        [--scpalm-eval <folder of 'scilama drugs train --omics scpalm'>] [--keep-members]
 *
 *  1. The ensemble: one model per seed 1..K on every pair but a seed's own 10% validation pairs (stratified by cell
 *     line), used for early stopping only. The members' spread is the prediction's uncertainty.
 *  2. Held-out accuracy: the three evaluation splits (seed 0) scored beside the baselines — read from a
 *     `scilama drugs train --split all` output with --eval (same preset and seed; waits for it to finish), else run
 *     here. Their tables and
 *     each drug's held-out PCC go into the reference, so the app can show a drug's accuracy on its page. With
 *     --scpalm-eval, the head trained on scPaLM's h_C (same preset and seed) joins each of its splits' tables, second.
 *     --keep-members keeps the bundled members (and, without --eval, the reference's tables) and writes the reference.
 *  3. The CCLE reference: the 580 lines' inputs and annotations, the measured pairs, drugs with targets and pathways.
 * Written to a temp folder, then swapped in: an interrupted run leaves the previous model.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { MEMBER_PREFIX, REFERENCE_FILE, readReference, writeReference } from "../main/analyses/drugs/bundle.js";
import { evaluateSplit } from "../main/analyses/drugs/evaluate.js";
import { loadDrugModel, saveDrugModel } from "../main/analyses/drugs/model-files.js";
import { DRUG_SPLITS } from "../main/analyses/drugs/settings.js";
import { loadTrainingSet, trainedModelMeta } from "../main/analyses/drugs/training-set.js";
import type { BaselineRow } from "../main/drugs/baselines.js";
import { splitPairs } from "../main/drugs/splits.js";
import { readRows } from "../main/io/table.js";
import { DRUG_PRESETS, type DrugPreset } from "../main/models/drug-hyper.js";
import { trainDrugModel } from "../main/models/drug-train.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: v } = parseArgs({
  options: {
    seeds: { type: "string", default: "3" },
    preset: { type: "string", default: "standard" },
    epochs: { type: "string" },
    eval: { type: "string" },
    "scpalm-eval": { type: "string" },
    "keep-members": { type: "boolean", default: false },
  },
});
const seeds = Number(v.seeds);
const preset = v.preset as DrugPreset;
if (!DRUG_PRESETS[preset]) throw new Error(`--preset must be one of ${Object.keys(DRUG_PRESETS).join(", ")}`);
// --epochs caps the members' schedule (the evaluation keeps the preset's, so its tables describe a model at least as trained).
const hyper = { ...DRUG_PRESETS[preset], ...(v.epochs ? { maxEpochs: Number(v.epochs) } : {}) };
const evalHyper = DRUG_PRESETS[preset];
const data = join(root, "..", "shared", "data", "drug_response");
const out = join(root, "resources", "drug-model");
const tmp = `${out}.tmp-${process.pid}`;
const log = (s: string) => process.stderr.write(`${s}\n`);

const set = await loadTrainingSet(data, ["expression"]);
const names = new Map(set.data.pairs.drugs.map((d, i) => [d.name, i]));

rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
if (v["keep-members"])
  for (const f of readdirSync(out).filter((f) => f.startsWith(MEMBER_PREFIX))) copyFileSync(join(out, f), join(tmp, f));
for (let seed = 1; seed <= (v["keep-members"] ? 0 : seeds); seed++) {
  const s = splitPairs(set.data.pairs, "random", seed);
  const train = Int32Array.from([...s.train, ...s.test]).sort();
  const t = performance.now();
  const r = await trainDrugModel(
    { config: set.config, drugs: set.drugs, omics: set.omics, pairs: set.data.pairs, train, val: s.val },
    { hyper, seed },
  );
  const last = r.history[r.bestEpoch];
  log(
    `member ${seed}: best epoch ${r.bestEpoch + 1} of ${r.history.length}, validation MSE ${last?.val?.toFixed(3)}, ${((performance.now() - t) / 1000).toFixed(0)} s`,
  );
  saveDrugModel(
    join(tmp, `${MEMBER_PREFIX}${seed}.safetensors`),
    r.params,
    trainedModelMeta(
      set,
      {
        split: "all",
        seed,
        bestEpoch: r.bestEpoch,
        pairs: train.length,
        seconds: r.seconds,
        preset: v.epochs ? `${preset}, ≤ ${v.epochs} epochs` : preset,
      },
      null,
    ),
  );
}
const metrics: Record<string, BaselineRow[]> = {};
const perDrug: Record<string, Map<number, number>> = {};
if (v.eval) {
  // The evaluation may still be running beside this script: its metrics.csv is written last.
  while (!existsSync(join(v.eval, "metrics.csv"))) {
    log(`waiting for ${v.eval}/metrics.csv (the evaluation run)…`);
    await new Promise((r) => setTimeout(r, 60_000));
  }
  for (const split of DRUG_SPLITS) {
    const m = loadDrugModel(join(v.eval, `model-${split}.safetensors`)).meta;
    if (m.trained.preset !== preset || m.trained.seed !== 0)
      throw new Error(`${v.eval}: the ${split} model was not trained with --preset ${preset} --seed 0`);
    metrics[split] = m.metrics ?? [];
    perDrug[split] = new Map();
  }
  const { header, names: splits, rows } = await readRows(join(v.eval, "per-drug.csv"));
  const [drugCol, pccCol] = [header.indexOf("drug"), header.indexOf("pcc")];
  for (const [i, r] of rows.entries()) perDrug[splits[i]!]!.set(names.get(r[drugCol]!)!, Number(r[pccCol]));
} else if (v["keep-members"]) {
  // The bundled reference's tables and per-drug accuracy as they are.
  const ref = readReference(join(out, REFERENCE_FILE));
  for (const split of DRUG_SPLITS) {
    metrics[split] = (ref.metrics[split] ?? []).filter((r) => !r.method.includes("scPaLM"));
    perDrug[split] = new Map(ref.drugs.flatMap((d) => (d.heldOutPcc[split] == null ? [] : [[names.get(d.name)!, d.heldOutPcc[split]!]])));
  }
} else {
  for (const split of DRUG_SPLITS) {
    log(`evaluating: ${split}`);
    const r = await evaluateSplit(set, split, 0, evalHyper);
    metrics[split] = r.rows;
    perDrug[split] = new Map(r.perDrug.map((d) => [d.drug, d.pcc]));
  }
}

if (v["scpalm-eval"])
  for (const split of DRUG_SPLITS) {
    const path = join(v["scpalm-eval"], `model-${split}.safetensors`);
    if (!existsSync(path)) continue;
    const m = loadDrugModel(path).meta;
    if (m.trained.preset !== preset || m.trained.seed !== 0 || !m.omics.includes("scpalm"))
      throw new Error(`${path}: not a --omics scpalm model trained with --preset ${preset} --seed 0`);
    metrics[split]!.splice(1, 0, m.metrics![0]!);
  }

writeReference(join(tmp, REFERENCE_FILE), set.data, ["expression"], { metrics, perDrug });
if (existsSync(out)) rmSync(out, { recursive: true });
renameSync(tmp, out);
log(`wrote ${out}`);
