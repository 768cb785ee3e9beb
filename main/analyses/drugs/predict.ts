/**
 * Drug response of a user's samples: the dataset's groups put on the training scale (samples.ts), every chosen drug
 * (the 170 GDSC2 drugs, or the user's own molecules) predicted by the bundled ensemble, then read against CCLE — each
 * prediction's rank within its group, its place among the measured lines of a cancer type, and the group's nearest
 * CCLE lines.
 */
import type { DrugIdentity } from "../../api/contract.js";
import type { Dataset } from "../../data/dataset.js";
import { type DrugGraph, featurize } from "../../drugs/featurize.js";
import { packDrugs } from "../../drugs/pack.js";
import { MoleculeTooLarge, SmilesError } from "../../drugs/rdkit.js";
import { DataError } from "../../io/errors.js";
import { readDataset } from "../../io/read.js";
import { SettingError } from "../../isomorphic/limits.js";
import { expressionOf } from "../../pp/expression.js";
import { type CcleReference, type DrugBundle, predictEnsemble } from "./bundle.js";
import { cellGroups } from "./grouping.js";
import { type GroupProfiles, groupProfiles, nearestLines } from "./samples.js";

/** Said beside every result: what the model was trained on. */
export const CELL_LINE_WARNING =
  "The model was trained on cancer cell lines (GDSC2 × CCLE), not on tumours or primary cells: read the predictions as how the groups compare, not as clinical response.";

export interface CustomMolecule {
  name: string;
  smiles: string;
}

export interface DrugPredictOptions {
  file: string;
  groupby: string;
  /** Names of bundled drugs (case-insensitive); all of them when absent. */
  drugs?: readonly string[];
  molecules?: readonly CustomMolecule[];
  /** TCGA code whose measured lines the predictions are placed among (null: all lines). */
  cancerType?: string | null;
  nearest?: number;
}

export interface PredictedDrug extends DrugIdentity {
  /** Median measured ln IC50 over all CCLE lines (null for new molecules). */
  ccleMedian: number | null;
  /** Measured ln IC50 of the cancer type's lines (all lines without a type), sorted, for the percentile and the drug page. */
  measured: number[];
}

export interface DrugPrediction {
  groups: string[];
  sizes: number[];
  drugs: PredictedDrug[];
  /** groups × drugs, row-major. */
  pred: Float32Array;
  sd: Float32Array;
  /** 1 = the drug predicted most potent (lowest ln IC50) in the group. */
  rank: Int32Array;
  /** Percent of the measured lines (of the cancer type) with a lower ln IC50 than predicted; NaN without any. */
  percentile: Float32Array;
  nearest: { id: string; name: string | null; tcga: string | null; r: number }[][];
  coverage: { matched: number; total: number; missing: string[] };
  /** Cells left out of every group: the grouping column has no value (NA) for them. */
  leftOut: number;
  cancerType: string | null;
  warning: string;
}

export function cancerTypes(ref: CcleReference): string[] {
  return [...new Set(ref.lines.map((l) => l.tcga).filter((t): t is string => Boolean(t)))].sort();
}

/** The bundled drugs asked for, by name (case-insensitive); unknown names refused with the closest known ones. */
function chooseDrugs(ref: CcleReference, names: readonly string[] | undefined): number[] {
  if (!names) return ref.drugs.map((_, i) => i);
  const byName = new Map(ref.drugs.map((d, i) => [d.name.toLowerCase(), i]));
  const unknown = names.filter((n) => !byName.has(n.toLowerCase()));
  if (unknown.length)
    throw new DataError(
      "--drugs",
      "names of drugs in the model (GDSC2)",
      `${unknown.length} unknown: ${unknown.slice(0, 5).join(", ")}`,
      "Give a new compound as a SMILES string instead, or list the model's drugs in the app.",
    );
  return names.map((n) => byName.get(n.toLowerCase())!);
}

/** The molecules' graphs; a SMILES RDKit cannot read is a DataError, one too large for the model (counted before RDKit
 *  reads it) a SettingError when the molecules are settings (`settings`: the user typed them), else a DataError. */
export async function featurizeMolecules(
  molecules: readonly CustomMolecule[],
  where: (i: number) => string,
  settings = false,
): Promise<DrugGraph[]> {
  const out: DrugGraph[] = [];
  for (const [i, m] of molecules.entries()) {
    try {
      out.push(await featurize(m.smiles));
    } catch (e) {
      if (e instanceof MoleculeTooLarge && settings)
        throw new SettingError(`${where(i)}: ${e.message}; the model cannot predict a molecule this large`);
      if (e instanceof SmilesError) throw new DataError(where(i), "a valid SMILES string", quoted(m.smiles), e.message);
      throw e;
    }
  }
  return out;
}

/** A SMILES as a message quotes it: a long one by its start and length. */
const quoted = (smiles: string) => (smiles.length > 80 ? `'${smiles.slice(0, 60)}…' (${smiles.length} characters)` : `'${smiles}'`);

/** What a prediction reads and refuses before the model runs: the drugs, the molecules' graphs, the cancer type, the
 *  grouping and the model's genes in the dataset. The analysis checks a run with it before the run is recorded. */
export interface PreparedPrediction {
  chosen: number[];
  molecules: readonly CustomMolecule[];
  custom: DrugGraph[];
  cancerType: string | null;
  dataset: Dataset;
  /** Each cell's group, in the dataset's order (null: no value in the grouping column; left out). */
  labels: (string | null)[];
  /** Cells left out because the grouping column has no value for them. */
  leftOut: number;
  profiles: GroupProfiles;
}

export async function preparePrediction(ref: CcleReference, o: DrugPredictOptions): Promise<PreparedPrediction> {
  const chosen = chooseDrugs(ref, o.drugs);
  const molecules = o.molecules ?? [];
  const custom = await featurizeMolecules(molecules, (i) => `molecule ${molecules[i]!.name}`, true);
  if (chosen.length + custom.length === 0) throw new DataError("--drugs", "at least one drug or molecule", "none");
  const types = cancerTypes(ref);
  const cancerType = o.cancerType ?? null;
  if (cancerType && !types.includes(cancerType))
    throw new DataError("cancer type", `one of the CCLE TCGA codes (${types.join(", ")})`, `'${cancerType}'`);

  const { dataset } = await readDataset(o.file);
  const column = dataset.obs.columns.get(o.groupby);
  if (!column)
    throw new DataError(
      o.file,
      `a cell annotation column '${o.groupby}'`,
      `only ${[...dataset.obs.columns.keys()].join(", ") || "no columns"}`,
    );
  const labels = cellGroups(column);
  const leftOut = labels.filter((l) => l === null).length;
  if (leftOut === labels.length)
    throw new DataError(
      o.file,
      `cells with a value in the grouping column '${o.groupby}'`,
      `none: every one of its ${labels.length.toLocaleString("en")} cells is missing (NA)`,
      "Choose a column that assigns the cells to groups.",
    );
  const e = expressionOf(dataset, o.file);
  const profiles = groupProfiles(o.file, e, labels, ref.genes, ref.symbols);
  return { chosen, molecules, custom, cancerType, dataset, labels, leftOut, profiles };
}

export async function predictDataset(b: DrugBundle, o: DrugPredictOptions): Promise<DrugPrediction> {
  return predictPrepared(b, await preparePrediction(b.reference, o), o.nearest);
}

/** The ensemble's predictions for a prepared dataset, read against CCLE. */
export async function predictPrepared(b: DrugBundle, prepared: PreparedPrediction, nearest = 5): Promise<DrugPrediction> {
  const { chosen, molecules, custom, cancerType, profiles } = prepared;
  const ref = b.reference;
  const graphs = [...chosen.map((i) => b.graphs[i]!), ...custom];
  const nGroups = profiles.groups.length;
  const nDrugs = graphs.length;
  const cell = new Int32Array(nGroups * nDrugs);
  const drug = new Int32Array(nGroups * nDrugs);
  for (let g = 0; g < nGroups; g++)
    for (let d = 0; d < nDrugs; d++) {
      cell[g * nDrugs + d] = g;
      drug[g * nDrugs + d] = d;
    }
  const omicsKinds = b.members[0]!.meta.omics;
  if (omicsKinds.some((k) => k !== "expression"))
    throw new Error(`the bundled model reads ${omicsKinds.join(", ")}; a dataset gives expression only`);
  const { mean, sd } = await predictEnsemble(b, { lines: nGroups, values: [profiles.values] }, packDrugs(graphs), { cell, drug });

  const lineOk = (l: number) => !cancerType || ref.lines[l]!.tcga === cancerType;
  const measuredOf = (d: number) => {
    const all: number[] = [];
    const typed: number[] = [];
    ref.pairs.drug.forEach((x, k) => {
      if (x !== d) return;
      all.push(ref.pairs.y[k]!);
      if (lineOk(ref.pairs.cell[k]!)) typed.push(ref.pairs.y[k]!);
    });
    all.sort((a, c) => a - c);
    return { median: all.length ? all[Math.floor(all.length / 2)]! : null, typed: typed.sort((a, c) => a - c) };
  };
  const drugs: PredictedDrug[] = [
    ...chosen.map((i) => {
      const d = ref.drugs[i]!;
      const m = measuredOf(i);
      return {
        name: d.name,
        cid: d.cid,
        smiles: d.smiles,
        targets: d.targets,
        pathway: d.pathway,
        custom: false,
        heldOutPcc: d.heldOutPcc,
        ccleMedian: m.median,
        measured: m.typed,
      };
    }),
    ...molecules.map((m, i) => ({
      name: m.name,
      cid: null,
      smiles: custom[i]!.smiles,
      targets: [],
      pathway: null,
      custom: true,
      heldOutPcc: {},
      ccleMedian: null,
      measured: [],
    })),
  ];
  const rank = new Int32Array(nGroups * nDrugs);
  const percentile = new Float32Array(nGroups * nDrugs);
  for (let g = 0; g < nGroups; g++) {
    const order = [...Array(nDrugs).keys()].sort((a, c) => mean[g * nDrugs + a]! - mean[g * nDrugs + c]!);
    order.forEach((d, r) => {
      rank[g * nDrugs + d] = r + 1;
    });
    for (let d = 0; d < nDrugs; d++) {
      const v = drugs[d]!.measured;
      const p = mean[g * nDrugs + d]!;
      percentile[g * nDrugs + d] = v.length ? (100 * v.filter((x) => x < p).length) / v.length : Number.NaN;
    }
  }
  const near = nearestLines(profiles, ref.omics.expression!, ref.lines.length, nearest);
  return {
    groups: profiles.groups,
    sizes: profiles.sizes,
    drugs,
    pred: mean,
    sd,
    rank,
    percentile,
    nearest: near.map((list) => list.map(({ line, r }) => ({ ...ref.lines[line]!, r }))),
    coverage: {
      matched: profiles.matched,
      total: ref.genes.length,
      missing: [...profiles.column.keys()].filter((i) => profiles.column[i]! < 0).map((i) => ref.symbols[i] ?? ref.genes[i]!),
    },
    leftOut: prepared.leftOut,
    cancerType,
    warning: CELL_LINE_WARNING,
  };
}
