/**
 * The drug-response training set as the model reads it: TGSA's GDSC2 pairs, every drug featurized and packed, the
 * chosen CCLE inputs as one matrix each (lines in the pairs' order).
 */
import type { DeepCdrConfig } from "../../../native-models/index.js";
import { type DrugGraph, featurize } from "../../drugs/featurize.js";
import { type DrugTensors, packDrugs } from "../../drugs/pack.js";
import { type DrugResponseData, readDrugResponse } from "../../drugs/tables.js";
import { drugModelConfig, type OmicsTensors } from "../../models/drug-model.js";
import type { DrugModelMeta } from "./model-files.js";
import { scPaLMLineFeatures } from "./scpalm-lines.js";
import type { OmicsKind } from "./settings.js";

export interface DrugTrainingSet {
  data: DrugResponseData;
  /** Aligned with data.pairs.drugs. */
  graphs: DrugGraph[];
  drugs: DrugTensors;
  omicsKinds: OmicsKind[];
  omics: OmicsTensors;
  config: DeepCdrConfig;
}

export async function loadTrainingSet(dir: string, omicsKinds: readonly OmicsKind[]): Promise<DrugTrainingSet> {
  if (omicsKinds.length === 0) throw new Error("the model needs at least one cell-line input (expression, mutation or copy number)");
  const data = await readDrugResponse(dir);
  const graphs: DrugGraph[] = [];
  for (const d of data.pairs.drugs) graphs.push(await featurize(d.smiles));
  const matrices = await Promise.all(omicsKinds.map((k) => (k === "scpalm" ? scPaLMLineFeatures(data.omics.expression) : data.omics[k])));
  return {
    data,
    graphs,
    drugs: packDrugs(graphs),
    omicsKinds: [...omicsKinds],
    omics: { lines: data.pairs.cellLines.length, values: matrices.map((m) => m.values) },
    config: drugModelConfig(omicsKinds.map((k, i) => ({ name: k, features: matrices[i]!.genes.length }))),
  };
}

/**
 * The same set restricted to every `step`-th drug (by name order) and their pairs, for tests and quick benchmarks:
 * the drug branch's cost per step is proportional to the drugs' atoms.
 */
export function everyNthDrug(set: DrugTrainingSet, step: number): DrugTrainingSet {
  const keep = set.data.pairs.drugs.map((_, i) => i).filter((i) => i % step === 0);
  const newIndex = new Map(keep.map((d, k) => [d, k]));
  const p = set.data.pairs;
  const pairs = [...p.drug.keys()].filter((i) => newIndex.has(p.drug[i]!));
  const graphs = keep.map((d) => set.graphs[d]!);
  return {
    ...set,
    data: {
      ...set.data,
      pairs: {
        ...p,
        drugs: keep.map((d) => p.drugs[d]!),
        cell: Int32Array.from(pairs, (i) => p.cell[i]!),
        drug: Int32Array.from(pairs, (i) => newIndex.get(p.drug[i]!)!),
        y: Float32Array.from(pairs, (i) => p.y[i]!),
      },
      targets: keep.map((d) => set.data.targets[d]!),
    },
    graphs,
    drugs: packDrugs(graphs),
  };
}

/** What a model trained on `set` records about its inputs (architecture, omics, genes, drugs) beside how it was trained. */
export function trainedModelMeta(
  set: DrugTrainingSet,
  trained: DrugModelMeta["trained"],
  metrics: DrugModelMeta["metrics"],
): DrugModelMeta {
  return {
    format: 1,
    config: set.config,
    omics: set.omicsKinds,
    genes: set.data.omics.expression.genes,
    symbols: set.data.symbols,
    drugs: set.data.pairs.drugs,
    trained,
    metrics,
  };
}
