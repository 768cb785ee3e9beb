/**
 * A trained drug-response model on disk: its weights and BatchNorm statistics in safetensors (readable by Python's
 * `safetensors`), and in the header what it needs to be applied — the architecture, the cell-line inputs and their
 * genes in order, the drugs it was trained on, how it was trained and scored.
 */
import type { DeepCdrConfig, TypedArray } from "../../../native-models/index.js";
import type { BaselineRow } from "../../drugs/baselines.js";
import type { Drug } from "../../drugs/tables.js";
import { DataError } from "../../io/errors.js";
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

/** What to do about a model file that cannot be read. */
export const DAMAGED_MODEL_HINT =
  "The file is damaged (cut short, overwritten) or is not a sciLaMA Studio model: copy the model folder again, or make it again ('scilama drugs train', 'npm run derive:drug-model').";

/** A safetensors file's tensors and header, or a DataError saying why it cannot be read (never a parser's crash). */
export function readModelFile(path: string, what: string): ReturnType<typeof readCheckpoint> {
  try {
    return readCheckpoint(path);
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(`${path} `, "").replace(`${path}: `, "") : String(e);
    throw new DataError(path, what, `a file that cannot be read (${why})`, DAMAGED_MODEL_HINT);
  }
}

/** A model's weights and header, every parameter checked against the shape its architecture gives it: a damaged or
 *  foreign file is a DataError naming it, before anything is computed with it. */
export function loadDrugModel(path: string): { params: Map<string, TypedArray>; meta: DrugModelMeta } {
  const what = "a drug-response model (safetensors)";
  const { tensors, meta } = readModelFile(path, what);
  const m = meta as DrugModelMeta | null;
  if (m?.format !== 1 || !m.config || !Array.isArray(m.omics) || !Array.isArray(m.genes))
    throw new DataError(path, what, "a file without a drug-response model's header", DAMAGED_MODEL_HINT);
  let shapes: Map<string, number[]>;
  try {
    shapes = drugParamShapes(m.config);
  } catch {
    throw new DataError(path, what, "a header whose architecture cannot be built", DAMAGED_MODEL_HINT);
  }
  const params = new Map<string, TypedArray>();
  for (const [name, shape] of shapes) {
    const t = tensors.get(name);
    const size = shape.reduce((a, b) => a * b, 1);
    if (!t) throw new DataError(path, what, `no parameter ${name}`, DAMAGED_MODEL_HINT);
    if (!(t.data instanceof Float32Array) || t.data.length !== size)
      throw new DataError(path, what, `the parameter ${name} with ${t.data.length} values instead of ${size}`, DAMAGED_MODEL_HINT);
    for (const v of t.data)
      if (!Number.isFinite(v)) throw new DataError(path, what, `a value ${v} in the parameter ${name}`, DAMAGED_MODEL_HINT);
    params.set(name, t.data);
  }
  return { params, meta: m };
}
