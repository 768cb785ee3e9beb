/**
 * The drug-response model that ships with the app (`resources/drug-model/`, made by `npm run derive:drug-model`):
 * an ensemble of models trained on every GDSC2 pair with different seeds (their spread is the uncertainty), and the
 * CCLE reference the predictions are read against — the 580 lines' inputs and annotations, their measured ln IC50,
 * the drugs with targets and pathways, and the held-out accuracy of each drug from the evaluation splits.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { TypedArray } from "../../../native-models/index.js";
import type { BaselineRow } from "../../drugs/baselines.js";
import { type DrugGraph, featurize } from "../../drugs/featurize.js";
import { type DrugTensors, packDrugs } from "../../drugs/pack.js";
import type { Drug, DrugResponseData, OmicsSet } from "../../drugs/tables.js";
import { DrugEvaluator, type OmicsTensors, type Pairs } from "../../models/drug-model.js";
import { resourcePath } from "../../resources.js";
import { readCheckpoint, writeCheckpoint } from "../../train/checkpoint.js";
import { type DrugModelMeta, loadDrugModel } from "./model-files.js";
import type { OmicsKind } from "./settings.js";

/** The omics the reference keeps for the CCLE lines: those measured (scPaLM's h_C is computed from expression). */
type MeasuredOmics = keyof OmicsSet;

export const REFERENCE_FILE = "ccle-reference.safetensors";
export const MEMBER_PREFIX = "member-";

export interface ReferenceDrug extends Drug {
  targets: string[];
  pathway: string | null;
  /** Held-out PCC of this drug's predictions per evaluation split (null: fewer than 10 test pairs). */
  heldOutPcc: Partial<Record<string, number | null>>;
}

export interface CcleReference {
  lines: { id: string; name: string | null; tcga: string | null; site: string | null }[];
  /** Entrez ids of the omics columns, and their symbols. */
  genes: string[];
  symbols: Array<string | null>;
  /** The inputs the members read, lines × genes each. */
  omics: Partial<Record<OmicsKind, Float32Array>>;
  drugs: ReferenceDrug[];
  /** Measured pairs: line and drug indices, ln IC50. */
  pairs: { cell: Int32Array; drug: Int32Array; y: Float32Array };
  /** The evaluation tables (model and baselines) per split. */
  metrics: Record<string, BaselineRow[]>;
}

interface ReferenceMeta extends Omit<CcleReference, "omics" | "pairs"> {
  format: 1;
  kinds: MeasuredOmics[];
}

export function writeReference(
  path: string,
  data: DrugResponseData,
  omics: readonly MeasuredOmics[],
  evaluation: Pick<CcleReference, "metrics"> & { perDrug: Record<string, Map<number, number>> },
): void {
  const lines = data.pairs.cellLines.map((id) => {
    const info = data.cellLineInfo.get(id);
    return { id, name: info?.name ?? null, tcga: info?.tcga ?? null, site: info?.site ?? null };
  });
  const drugs: ReferenceDrug[] = data.pairs.drugs.map((d, i) => ({
    ...d,
    targets: data.targets[i]!.targets,
    pathway: data.targets[i]!.pathway,
    heldOutPcc: Object.fromEntries(Object.entries(evaluation.perDrug).map(([split, m]) => [split, m.get(i) ?? null])),
  }));
  const meta: ReferenceMeta = {
    format: 1,
    lines,
    genes: data.omics.expression.genes,
    symbols: data.symbols,
    drugs,
    metrics: evaluation.metrics,
    kinds: [...omics],
  };
  const n = data.pairs.cellLines.length;
  const g = data.omics.expression.genes.length;
  const tensors = new Map<string, { dtype: "float32" | "int64"; shape: number[]; data: TypedArray }>(
    omics.map((k) => [`omics.${k}`, { dtype: "float32", shape: [n, g], data: data.omics[k].values }]),
  );
  const m = data.pairs.y.length;
  tensors.set("pairs.cell", { dtype: "int64", shape: [m], data: BigInt64Array.from(data.pairs.cell, (v) => BigInt(v)) });
  tensors.set("pairs.drug", { dtype: "int64", shape: [m], data: BigInt64Array.from(data.pairs.drug, (v) => BigInt(v)) });
  tensors.set("pairs.y", { dtype: "float32", shape: [m], data: data.pairs.y });
  writeCheckpoint(path, tensors, meta);
}

export function readReference(path: string): CcleReference {
  const { tensors, meta } = readCheckpoint(path);
  const m = meta as ReferenceMeta;
  if (m?.format !== 1) throw new Error(`${path} is not a drug-response reference`);
  const t = (k: string) => {
    const v = tensors.get(k);
    if (!v) throw new Error(`${path} lacks ${k}; run 'npm run derive:drug-model' again`);
    return v.data;
  };
  const int = (k: string) => Int32Array.from(t(k) as BigInt64Array, (v) => Number(v));
  return {
    lines: m.lines,
    genes: m.genes,
    symbols: m.symbols,
    drugs: m.drugs,
    metrics: m.metrics,
    omics: Object.fromEntries(m.kinds.map((k) => [k, t(`omics.${k}`) as Float32Array])),
    pairs: { cell: int("pairs.cell"), drug: int("pairs.drug"), y: t("pairs.y") as Float32Array },
  };
}

export interface DrugBundle {
  dir: string;
  members: { params: Map<string, TypedArray>; meta: DrugModelMeta }[];
  reference: CcleReference;
  /** The reference drugs featurized and packed, in the reference's order (the members' training order). */
  graphs: DrugGraph[];
  drugs: DrugTensors;
}

let cached: Promise<DrugBundle> | null = null;

/** The bundled model (loaded once per process), or one in `dir`. */
export function loadBundle(dir?: string): Promise<DrugBundle> {
  if (dir) return readBundle(dir);
  cached ??= readBundle(resourcePath("drug-model")).catch((e) => {
    cached = null;
    throw e;
  });
  return cached;
}

const noModel = (dir: string) => new Error(`no drug-response model in ${dir}; run 'npm run derive:drug-model'`);

const references = new Map<string, CcleReference>();

/** The CCLE reference alone, without the model (what a plan or a check reads), once per process and folder. */
export function loadReference(dir = resourcePath("drug-model")): CcleReference {
  let r = references.get(dir);
  if (!r) {
    if (!existsSync(join(dir, REFERENCE_FILE))) throw noModel(dir);
    r = readReference(join(dir, REFERENCE_FILE));
    references.set(dir, r);
  }
  return r;
}

async function readBundle(dir: string): Promise<DrugBundle> {
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.startsWith(MEMBER_PREFIX) && f.endsWith(".safetensors"))
        .sort()
    : [];
  if (!files.length) throw noModel(dir);
  const members = files.map((f) => loadDrugModel(join(dir, f)));
  const reference = readReference(join(dir, REFERENCE_FILE));
  const graphs: DrugGraph[] = [];
  for (const d of reference.drugs) graphs.push(await featurize(d.smiles));
  return { dir, members, reference, graphs, drugs: packDrugs(graphs) };
}

/** The bundle's cell-line inputs for some reference lines, in the members' omics order. */
export function referenceOmics(b: DrugBundle, lines: readonly number[]): OmicsTensors {
  const g = b.reference.genes.length;
  return {
    lines: lines.length,
    values: b.members[0]!.meta.omics.map((k) => {
      const out = new Float32Array(lines.length * g);
      lines.forEach((l, i) => {
        out.set(b.reference.omics[k]!.subarray(l * g, (l + 1) * g), i * g);
      });
      return out;
    }),
  };
}

/** Every member's prediction of each pair; the ensemble's mean and standard deviation. */
export async function predictEnsemble(
  b: DrugBundle,
  omics: OmicsTensors,
  drugs: DrugTensors,
  pairs: Pairs,
): Promise<{ mean: Float32Array; sd: Float32Array }> {
  const config = b.members[0]!.meta.config;
  const evaluator = await DrugEvaluator.open(config, { predict: drugs });
  try {
    const each: Float32Array[] = [];
    for (const m of b.members) each.push(await evaluator.predict(m.params, omics, pairs));
    const n = pairs.cell.length;
    const mean = new Float32Array(n);
    const sd = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (const y of each) s += y[i]!;
      const mu = s / each.length;
      let ss = 0;
      for (const y of each) ss += (y[i]! - mu) ** 2;
      mean[i] = mu;
      sd[i] = each.length > 1 ? Math.sqrt(ss / (each.length - 1)) : 0;
    }
    return { mean, sd };
  } finally {
    await evaluator.close();
  }
}
