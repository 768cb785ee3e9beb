/**
 * A pre-trained scPaLM model on disk: one safetensors file (readable by Python's `safetensors`) holding every
 * parameter of both stages, with in its header what it needs to be applied and how it was made — the configuration,
 * the gene vocabulary in model order, the corpus and its coverage, the training log of both stages.
 */
import type { TypedArray } from "../../native-models/index.js";
import { readCheckpoint, writeCheckpoint } from "../train/checkpoint.js";
import { scPaLMArchitecture, scPaLMParamShapes } from "./scpalm.js";
import type { CorpusCoverage } from "./scpalm-corpus.js";
import { type ScPaLMHyper, validateScPaLMHyper } from "./scpalm-hyper.js";
import type { StageReport } from "./scpalm-train.js";

export interface ScPaLMModelMeta {
  format: "scpalm/1";
  hyper: ScPaLMHyper;
  /** The vocabulary (gene symbols, matched to datasets by id) in model order. */
  genes: string[];
  /** What it was pre-trained on. */
  corpus: CorpusCoverage[];
  trained: { seed: number; seconds: number; codesUsed: number; stages: StageReport[]; provider: string; date: string };
}

export interface ScPaLMModel {
  params: Map<string, TypedArray>;
  meta: ScPaLMModelMeta;
}

export function saveScPaLMModel(path: string, m: ScPaLMModel): void {
  const shapes = scPaLMParamShapes(scPaLMArchitecture(m.meta.hyper, m.meta.genes.length), m.meta.hyper);
  const tensors = new Map(
    [...shapes].map(([name, shape]) => {
      const data = m.params.get(name);
      if (!data) throw new Error(`the trained model lacks ${name}`);
      return [name, { dtype: "float32" as const, shape, data }];
    }),
  );
  writeCheckpoint(path, tensors, m.meta);
}

export function loadScPaLMModel(path: string): ScPaLMModel {
  const { tensors, meta } = readCheckpoint(path);
  const m = meta as ScPaLMModelMeta;
  if (m?.format !== "scpalm/1" || !m.hyper || !Array.isArray(m.genes)) throw new Error(`${path} is not a sciLaMA Studio scPaLM model`);
  validateScPaLMHyper(m.hyper);
  const params = new Map([...tensors].map(([k, t]) => [k, t.data]));
  for (const [name, shape] of scPaLMParamShapes(scPaLMArchitecture(m.hyper, m.genes.length), m.hyper)) {
    const t = tensors.get(name);
    if (!t || t.data.length !== shape.reduce((a, b) => a * b, 1))
      throw new Error(`${path} lacks the parameter ${name} or has it in another shape; it is damaged or from another version`);
  }
  return { params, meta: m };
}
