/**
 * The drug-response model that ships with the app (`resources/drug-model/`, made by `npm run derive:drug-model`):
 * an ensemble of models trained on every GDSC2 pair with different seeds (their spread is the uncertainty), and the
 * CCLE reference the predictions are read against — the 580 lines' inputs and annotations, their measured ln IC50,
 * the drugs with targets and pathways, and the held-out accuracy of each drug from the evaluation splits.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { TypedArray } from "../../../native-models/index.js";
import type { BaselineRow } from "../../drugs/baselines.js";
import { type DrugGraph, featurize } from "../../drugs/featurize.js";
import { type DrugTensors, packDrugs } from "../../drugs/pack.js";
import type { Drug, DrugResponseData, OmicsSet } from "../../drugs/tables.js";
import { DataError } from "../../io/errors.js";
import { SettingError } from "../../isomorphic/limits.js";
import { DrugEvaluator, type OmicsTensors, type Pairs } from "../../models/drug-model.js";
import { resourcePath } from "../../resources.js";
import { writeCheckpoint } from "../../train/checkpoint.js";
import { DAMAGED_MODEL_HINT, type DrugModelMeta, loadDrugModel, readModelFile } from "./model-files.js";
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

/** The CCLE reference of a model folder; a damaged or foreign file is a DataError naming it. */
export function readReference(path: string): CcleReference {
  const what = "the CCLE reference of a drug-response model (safetensors)";
  const { tensors, meta } = readModelFile(path, what);
  const m = meta as ReferenceMeta | null;
  const bad = (found: string) => new DataError(path, what, found, DAMAGED_MODEL_HINT);
  if (m?.format !== 1 || ![m.lines, m.genes, m.symbols, m.drugs, m.kinds].every(Array.isArray) || !m.metrics)
    throw bad("a file without a reference's header");
  const t = <T extends TypedArray>(k: string, type: abstract new (...a: never[]) => T, size?: number): T => {
    const v = tensors.get(k)?.data;
    if (!v) throw bad(`no table ${k}`);
    if (!(v instanceof type) || (size !== undefined && v.length !== size)) throw bad(`the table ${k} damaged (${v.length} values)`);
    return v;
  };
  const y = t("pairs.y", Float32Array);
  const int = (k: string, below: number) => {
    const v = Int32Array.from(t(k, BigInt64Array, y.length), (x) => Number(x));
    if (v.some((x) => x < 0 || x >= below)) throw bad(`the table ${k} pointing past the reference's ${below} entries`);
    return v;
  };
  return {
    // 53 CCLE lines have no name in the annotation table ("NA", read as a name when the bundled model was derived):
    // they are shown by their DepMap id, never as a line called "NA".
    lines: m.lines.map((l) => (l.name === "NA" ? { ...l, name: null } : l)),
    genes: m.genes,
    symbols: m.symbols,
    drugs: m.drugs,
    metrics: m.metrics,
    omics: Object.fromEntries(m.kinds.map((k) => [k, t(`omics.${k}`, Float32Array, m.lines.length * m.genes.length)])),
    pairs: { cell: int("pairs.cell", m.lines.length), drug: int("pairs.drug", m.drugs.length), y },
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

/** The member files of a model folder, or a SettingError saying that the folder holds no model (and what it holds). */
function memberFiles(dir: string, given: boolean): string[] {
  let names: string[] = [];
  try {
    names = statSync(dir).isDirectory() ? readdirSync(dir).sort() : [];
  } catch {}
  const members = names.filter((f) => f.startsWith(MEMBER_PREFIX) && f.endsWith(".safetensors"));
  if (members.length && names.includes(REFERENCE_FILE)) return members;
  if (!given) throw new SettingError(`the bundled drug-response model is not installed in ${dir}; run 'npm run derive:drug-model'`);
  const found = names.length ? `it holds ${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""}` : "it is empty or not a folder";
  const trained = names.some((f) => /^model-.*\.safetensors$/.test(f))
    ? " ('scilama drugs train' writes evaluation models, model-<split>.safetensors; they are not a prediction model)"
    : "";
  throw new SettingError(
    `the model folder ${dir} holds no drug-response model: expected ${REFERENCE_FILE} and ${MEMBER_PREFIX}1.safetensors … as 'npm run derive:drug-model' writes them, but ${found}${trained}. Give the folder of such a model, or leave --model out for the bundled one.`,
  );
}

const references = new Map<string, CcleReference>();

/** The CCLE reference alone, without the model (what a plan reads), once per process and folder. */
export function loadReference(dir = resourcePath("drug-model")): CcleReference {
  let r = references.get(dir);
  if (!r) {
    memberFiles(dir, dir !== resourcePath("drug-model"));
    r = readReference(join(dir, REFERENCE_FILE));
    references.set(dir, r);
  }
  return r;
}

/** A model folder's members and reference, each file checked and the members checked against the reference: what a
 *  run's check reads, so that a wrong folder or a damaged file is refused before any work (and before a run is
 *  recorded). `dir` absent: the bundled model. */
export function readModel(dir?: string): Pick<DrugBundle, "members" | "reference"> {
  const folder = dir ?? resourcePath("drug-model");
  const files = memberFiles(folder, dir !== undefined);
  const members = files.map((f) => loadDrugModel(join(folder, f)));
  const reference = loadReference(folder);
  const first = JSON.stringify(members[0]!.meta.config);
  for (const [i, m] of members.entries()) {
    const problem =
      JSON.stringify(m.meta.config) !== first
        ? `an architecture that differs from ${files[0]}'s`
        : m.meta.genes.length !== reference.genes.length
          ? `${m.meta.genes.length} genes where the reference has ${reference.genes.length}`
          : m.meta.omics.find((k) => !reference.omics[k])
            ? `an input (${m.meta.omics.find((k) => !reference.omics[k])}) the reference does not hold`
            : null;
    if (problem)
      throw new DataError(
        join(folder, files[i]!),
        `a member of the model in ${folder}, made with its ${REFERENCE_FILE}`,
        problem,
        "The folder mixes files of different models: copy the model folder again as a whole.",
      );
  }
  return { members, reference };
}

async function readBundle(dir: string): Promise<DrugBundle> {
  const { members, reference } = readModel(dir === resourcePath("drug-model") ? undefined : dir);
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
