/**
 * How the accuracy of a panel imputation is estimated without the genes the target did not measure: panel genes are
 * hidden from the cell encoder in turn and predicted. Leave-one-gene-out (the sciLaMA paper's protocol for osmFISH,
 * one model per panel gene) is the thorough option; k-fold over the panel genes (k models) the default. Each gene is
 * held out exactly once; folds are seeded and differ in size by at most one gene.
 */
import { Rng } from "../../../native-models/random.js";

export type Evaluation = { kind: "kfold"; k: number } | { kind: "logo" } | { kind: "none" };

/** Indices into the panel of the genes each fold holds out (ascending within a fold). */
export function panelFolds(panelSize: number, evaluation: Evaluation, seed: number): Int32Array[] {
  if (evaluation.kind === "none") return [];
  if (evaluation.kind === "logo") return Array.from({ length: panelSize }, (_, g) => Int32Array.of(g));
  const k = Math.min(evaluation.k, panelSize);
  const order = new Rng(seed, 0x464f4c44).permutation(panelSize);
  const folds = Array.from({ length: k }, () => [] as number[]);
  order.forEach((g, i) => {
    folds[i % k]!.push(g);
  });
  return folds.map((f) => Int32Array.from(f.sort((a, b) => a - b)));
}
