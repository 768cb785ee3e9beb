/**
 * Trains the drug-response model on pairs of (cell line, drug) → ln IC50: Adam, MSE, early stopping on a validation
 * split that is never the test set (DeepCDR stopped on its test set), the best epoch's weights kept, then BatchNorm's
 * population statistics measured over training pairs.
 */
import { adamw, type DeepCdrConfig, Rng, type TypedArray } from "../../native-models/index.js";
import { type DrugTensors, selectDrugs } from "../drugs/pack.js";
import { denseSource } from "../train/data.js";
import { type EpochRecord, fit, type Progress } from "../train/fit.js";
import type { ProviderChoice } from "../train/providers.js";
import { scheduleFrom } from "../train/schedule.js";
import type { DrugHyper } from "./drug-hyper.js";
import { DRUG_MODEL_THREADS, DrugEvaluator, drugInitialParams, drugTrainProgram, type OmicsTensors, type Pairs } from "./drug-model.js";

export interface DrugTrainingData {
  config: DeepCdrConfig;
  /** The drugs the pairs index. */
  drugs: DrugTensors;
  omics: OmicsTensors;
  /** All pairs; `train` and `val` index into them. */
  pairs: Pairs & { y: Float32Array };
  train: Int32Array;
  val: Int32Array;
}

/**
 * The drugs of the training pairs as their own packed table (pairs re-indexed): only they run through the drug branch
 * at every step, so held-out drugs never touch training, not even BatchNorm's statistics.
 */
function trainingDrugs(d: DrugTrainingData): { table: DrugTensors; drugOf: Int32Array } {
  const used = [...new Set(Array.from(d.train, (p) => d.pairs.drug[p]!))].sort((a, b) => a - b);
  const drugOf = new Int32Array(d.drugs.drugs).fill(-1);
  used.forEach((drug, k) => {
    drugOf[drug] = k;
  });
  return { table: used.length === d.drugs.drugs ? d.drugs : selectDrugs(d.drugs, used), drugOf };
}

export interface DrugTrainOptions {
  hyper: DrugHyper;
  seed: number;
  provider?: ProviderChoice;
  shouldStop?: () => boolean;
  onProgress?: (p: Progress) => void;
}

export interface TrainedDrugModel {
  /** Trained weights and BatchNorm population statistics, by parameter name. */
  params: Map<string, TypedArray>;
  status: "completed" | "early" | "stopped";
  bestEpoch: number;
  history: EpochRecord[];
  seconds: number;
}

export const subsetPairs = (p: Pairs, idx: Int32Array): Pairs => ({
  cell: Int32Array.from(idx, (i) => p.cell[i]!),
  drug: Int32Array.from(idx, (i) => p.drug[i]!),
});

export async function trainDrugModel(d: DrugTrainingData, o: DrugTrainOptions): Promise<TrainedDrugModel> {
  const h = o.hyper;
  if (d.train.length < h.batch) throw new Error(`training needs at least one batch of ${h.batch} pairs, got ${d.train.length}`);
  if (d.val.length === 0) throw new Error("training needs validation pairs for early stopping");
  const started = performance.now();
  const { table, drugOf } = trainingDrugs(d);
  const rows = new Float32Array(d.train.length * 3);
  for (const [i, p] of d.train.entries()) rows.set([d.pairs.cell[p]!, drugOf[d.pairs.drug[p]!]!, d.pairs.y[p]!], i * 3);
  // BatchNorm statistics from a fixed, seeded sample of training pairs (the same one every epoch).
  const order = new Rng(o.seed, 0x424e).permutation(d.train.length);
  const sample = order.subarray(0, Math.min(h.statsPairs, d.train.length));
  const statsPairs = {
    cell: Int32Array.from(sample, (i) => d.pairs.cell[d.train[i]!]!),
    drug: Int32Array.from(sample, (i) => drugOf[d.pairs.drug[d.train[i]!]!]!),
  };
  const valPairs = subsetPairs(d.pairs, d.val);
  const evaluator = await DrugEvaluator.open(d.config, { train: table, predict: d.drugs });
  try {
    const r = await fit({
      phase: "drug response",
      program: drugTrainProgram(d.config, table, adamw(), h.batch),
      params: drugInitialParams(d.config, o.seed),
      data: denseSource(rows, d.train.length, 3),
      constants: Object.fromEntries(d.config.omics.map((m, i) => [`omics.${m.name}`, d.omics.values[i]!])),
      batch: h.batch,
      epochs: h.maxEpochs,
      schedule: scheduleFrom({ lr: h.lr }),
      seed: o.seed,
      ...(o.provider ? { provider: o.provider } : {}),
      threads: DRUG_MODEL_THREADS,
      ...(o.shouldStop ? { shouldStop: o.shouldStop } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      validate: async (params) => {
        const all = new Map([...params, ...(await evaluator.populationStats(params, d.omics, statsPairs))]);
        const y = await evaluator.predict(all, d.omics, valPairs);
        let se = 0;
        d.val.forEach((p, i) => {
          se += (y[i]! - d.pairs.y[p]!) ** 2;
        });
        return se / d.val.length;
      },
      earlyStopping: { patience: h.patience, startEpoch: 0 },
    });
    const stats = await evaluator.populationStats(r.params, d.omics, statsPairs);
    return {
      params: new Map([...r.params, ...stats]),
      status: r.status,
      bestEpoch: r.bestEpoch,
      history: r.history,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await evaluator.close();
  }
}
