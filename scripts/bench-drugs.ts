/**
 * Drug-response benchmark: SMILES featurization per drug (RDKit WASM), one training epoch over the random split's
 * training pairs (66,170) at batch 64 and 256, ensemble-free inference throughput of one model, peak memory.
 * Run: npm run bench:drugs
 * Last line: BENCH drugs featurize_ms=… epoch_s_b64=… epoch_s_b256=… pairs_s=… peak_mb=…
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { loadTrainingSet } from "../main/analyses/drugs/training-set.js";
import { featurize } from "../main/drugs/featurize.js";
import { splitPairs } from "../main/drugs/splits.js";
import { DRUG_MODEL_THREADS, DrugEvaluator, drugInitialParams, drugTrainProgram } from "../main/models/drug-model.js";
import { subsetPairs } from "../main/models/drug-train.js";
import { denseSource } from "../main/train/data.js";
import { fit } from "../main/train/fit.js";
import { scheduleFrom } from "../main/train/schedule.js";
import { APP_ROOT } from "../main/version.js";
import { adamw } from "../native-models/index.js";

const dir = join(APP_ROOT, "..", "shared", "data", "drug_response");
const set = await loadTrainingSet(dir, ["expression"]);
const say = (s: string) => process.stdout.write(`${s}\n`);
say(`${set.data.pairs.y.length} pairs, ${set.data.pairs.drugs.length} drugs (${set.drugs.atoms} atoms), ${availableParallelism()} cores`);

// Featurization: every drug's SMILES, RDKit already loaded (the first call above loaded it).
const reps = 5;
let t = performance.now();
for (let r = 0; r < reps; r++) for (const d of set.data.pairs.drugs) await featurize(d.smiles);
const featurizeMs = (performance.now() - t) / (reps * set.data.pairs.drugs.length);
say(`featurize: ${featurizeMs.toFixed(2)} ms per drug`);

const split = splitPairs(set.data.pairs, "random", 0);
const rows = new Float32Array(split.train.length * 3);
for (const [i, p] of split.train.entries()) rows.set([set.data.pairs.cell[p]!, set.data.pairs.drug[p]!, set.data.pairs.y[p]!], i * 3);
const epoch: Record<number, number> = {};
let params = drugInitialParams(set.config, 0);
for (const batch of [64, 256]) {
  t = performance.now();
  const r = await fit({
    program: drugTrainProgram(set.config, set.drugs, adamw(), batch),
    params: drugInitialParams(set.config, 0),
    data: denseSource(rows, split.train.length, 3),
    constants: { "omics.expression": set.omics.values[0]! },
    batch,
    epochs: 1,
    schedule: scheduleFrom({ lr: 1e-3 }),
    seed: 0,
    threads: DRUG_MODEL_THREADS,
  });
  epoch[batch] = (performance.now() - t) / 1000;
  params = r.params;
  say(
    `epoch at batch ${batch}: ${epoch[batch]!.toFixed(1)} s (${(split.train.length / epoch[batch]!).toFixed(0)} pairs/s, train MSE ${r.history[0]?.losses.loss?.toFixed(3)})`,
  );
}

// Inference: the test pairs, repeated to 50k, with population statistics from 8,192 training pairs.
const ev = await DrugEvaluator.open(set.config, { train: set.drugs, predict: set.drugs });
const stats = await ev.populationStats(params, set.omics, subsetPairs(set.data.pairs, split.train.subarray(0, 8192)));
const all = new Map([...params, ...stats]);
const idx = Int32Array.from({ length: 50_000 }, (_, i) => split.test[i % split.test.length]!);
t = performance.now();
await ev.predict(all, set.omics, subsetPairs(set.data.pairs, idx));
const pairsPerSec = idx.length / ((performance.now() - t) / 1000);
await ev.close();
say(`inference: ${pairsPerSec.toFixed(0)} pairs/s (one model; the bundled ensemble runs each member)`);

const peakMb = process.resourceUsage().maxRSS / 1024;
say(`peak memory ${peakMb.toFixed(0)} MB`);
say(
  `BENCH drugs featurize_ms=${featurizeMs.toFixed(2)} epoch_s_b64=${epoch[64]!.toFixed(1)} epoch_s_b256=${epoch[256]!.toFixed(1)} pairs_s=${pairsPerSec.toFixed(0)} peak_mb=${peakMb.toFixed(0)}`,
);
