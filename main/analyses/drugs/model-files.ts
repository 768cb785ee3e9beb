/**
 * A trained drug-response model on disk: its weights and BatchNorm statistics in safetensors (readable by Python's
 * `safetensors`), and in the header what it needs to be applied — the architecture, the cell-line inputs and their
 * genes in order, the drugs it was trained on, how it was trained and scored.
 */
import type { DeepCdrConfig, TypedArray } from "../../../native-models/index.js";
import type { BaselineRow } from "../../drugs/baselines.js";
import type { Drug } from "../../drugs/tables.js";
import { drugParamShapes } from "../../models/drug-model.js";
import { readCheckpoint, writeCheckpoint } from "../../train/checkpoint.js";
import type { OmicsKind } from "./settings.js";

export interface DrugModelMeta {
  format: 1;
  config: DeepCdrConfig;
  omics: OmicsKind[];
  /** Entrez ids of the omics columns, in order (every omics input shares them), and their symbols. */
  genes: string[];
  symbols: Array<string | null>;
  /** The drugs of the training table, in the order the model's training indices used. */
  drugs: Drug[];
  /** What it was trained on: the split ("all" for every pair), its seed, the best epoch, the pairs. */
  trained: { split: string; seed: number; bestEpoch: number; pairs: number; seconds: number; preset: string };
  /** Held-out scores of the split, model and baselines, when it was evaluated. */
  metrics: BaselineRow[] | null;
}

export function saveDrugModel(path: string, params: ReadonlyMap<string, TypedArray>, meta: DrugModelMeta): void {
  const shapes = drugParamShapes(meta.config);
  const tensors = new Map(
    [...shapes].map(([name, shape]) => {
      const data = params.get(name);
      if (!data) throw new Error(`the trained model lacks ${name}`);
      return [name, { dtype: "float32" as const, shape, data }];
    }),
  );
  writeCheckpoint(path, tensors, meta);
}

export function loadDrugModel(path: string): { params: Map<string, TypedArray>; meta: DrugModelMeta } {
  const { tensors, meta } = readCheckpoint(path);
  const m = meta as DrugModelMeta;
  if (m?.format !== 1 || !m.config) throw new Error(`${path} is not a sciLaMA Studio drug-response model`);
  const params = new Map([...tensors].map(([k, t]) => [k, t.data]));
  for (const name of drugParamShapes(m.config).keys())
    if (!params.has(name)) throw new Error(`${path} lacks the parameter ${name}; it is damaged or from another version`);
  return { params, meta: m };
}
