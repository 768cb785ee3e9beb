/**
 * One evaluation split end to end: the model trained with early stopping on the split's validation pairs, scored on
 * its test pairs, beside the trivial baselines fitted on the same training pairs — pooled PCC, SCC, RMSE and the
 * median per-drug PCC (pooled PCC mostly measures which drug it is).
 */
import { type BaselineRow, baselineTable } from "../../drugs/baselines.js";
import { type DrugPcc, scorePairs } from "../../drugs/metrics.js";
import { type SplitKind, splitPairs } from "../../drugs/splits.js";
import type { DrugHyper } from "../../models/drug-hyper.js";
import { DrugEvaluator } from "../../models/drug-model.js";
import { subsetPairs, type TrainedDrugModel, trainDrugModel } from "../../models/drug-train.js";
import type { Progress } from "../../train/fit.js";
import type { DrugTrainingSet } from "./training-set.js";

export const MODEL_METHOD = "DeepCDR (GCN + omics)";

/** The model's row: DeepCDR's head on the measured omics, or on scPaLM's h_C of the expression (the paper's §4.3). */
export const modelMethod = (kinds: readonly string[]): string =>
  kinds.includes("scpalm") ? `DeepCDR head on scPaLM h_C${kinds.length > 1 ? " + omics" : ""}` : MODEL_METHOD;

export interface SplitEvaluation {
  split: SplitKind;
  seed: number;
  pairs: { train: number; val: number; test: number };
  /** The model first, then the baselines. */
  rows: BaselineRow[];
  /** The model's PCC per test drug (drugs with ≥ 10 test pairs). */
  perDrug: DrugPcc[];
  trained: TrainedDrugModel;
}

export async function evaluateSplit(
  set: DrugTrainingSet,
  split: SplitKind,
  seed: number,
  hyper: DrugHyper,
  hooks: { onProgress?: (p: Progress) => void; shouldStop?: () => boolean } = {},
): Promise<SplitEvaluation> {
  const pairs = set.data.pairs;
  const s = splitPairs(pairs, split, seed);
  const trained = await trainDrugModel(
    { config: set.config, drugs: set.drugs, omics: set.omics, pairs, train: s.train, val: s.val },
    { hyper, seed, ...hooks },
  );
  const test = subsetPairs(pairs, s.test);
  const evaluator = await DrugEvaluator.open(set.config, { predict: set.drugs });
  const yhat = await evaluator.predict(trained.params, set.omics, test).finally(() => evaluator.close());
  const scores = scorePairs(
    Float64Array.from(s.test, (i) => pairs.y[i]!),
    yhat,
    test.drug,
  );
  const model: BaselineRow = {
    method: modelMethod(set.omicsKinds),
    pcc: scores.pcc,
    scc: scores.scc,
    rmse: scores.rmse,
    medianDrugPcc: scores.medianDrugPcc,
    drugs: scores.perDrug.length,
  };
  return {
    split,
    seed,
    pairs: { train: s.train.length, val: s.val.length, test: s.test.length },
    rows: [model, ...baselineTable(pairs, set.data.omics.expression, s)],
    perDrug: scores.perDrug,
    trained,
  };
}
