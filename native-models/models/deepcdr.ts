/**
 * DeepCDR's drug-response network (Liu et al., Bioinformatics 2020; the public Keras code's `createMaster`), the
 * regression head scPaLM and scFoundation reuse: a graph network over the drug's atoms, one dense branch per omics
 * input of the cell line, a fusion head of 1-D convolutions, one output (ln IC50).
 *
 * Drug branch: 4 × [GraphConv → ReLU → BatchNorm → Dropout 0.1] with 256-256-256-100 units, then global average
 * pooling over the atoms. GraphConv (keras-gcn) is Âᵀ(HW + b)/(rowsum Â + ε) with Â = D^-½(A + I)D^-½; the host
 * folds both normalisations into one `propagation` matrix per drug, so here it is one batched product.
 * Omics branch (DeepCDR's expression branch, used for every omics input here): Dense 256 → tanh → BatchNorm →
 * Dropout → Dense 100 → ReLU.
 * Fusion: concat → Dense 300 → tanh → Dropout → Conv(30, k150) → ReLU → MaxPool 2 → Conv(10, k5) → ReLU → MaxPool 3
 * → Conv(5, k5) → ReLU → MaxPool 3 → Dropout 0.1 → Flatten → Dropout 0.2 → Dense 1.
 *
 * Two deliberate departures: padding atoms (drugs are padded to a common atom count) are masked out of the
 * BatchNorm statistics and the pooling, where DeepCDR's padding entered both; and the population statistics of
 * BatchNorm are measured after training (see batchnorm.ts). DeepCDR's mutation branch is a convolution over 34,673
 * genomic positions; over 706 census genes a dense branch like the expression one is the natural analogue (TGSA's
 * choice too).
 */
import type { DType } from "../graph/dtype.js";
import type { Graph, Value } from "../graph/value.js";
import { concat, conv1d, div, dropout, linear, matmul, maxPool1d, mul, reduceSum, relu, reshape, tanh } from "../ops/index.js";
import { type BnMode, batchNorm } from "./batchnorm.js";
import { dense, linearParams } from "./blocks.js";

export interface DeepCdrConfig {
  /** Per-atom features (DeepChem ConvMol: 75). */
  atomFeatures: number;
  /** Atoms per drug after padding. */
  atoms: number;
  /** One dense branch per omics input of the cell line, in this order (e.g. expression over 706 genes). */
  omics: readonly { name: string; features: number }[];
  /** GraphConv widths (DeepCDR: 256, 256, 256, 100). */
  gcn: readonly number[];
  /** Omics branch widths (DeepCDR: 256 then 100). */
  omicHidden: number;
  omicOut: number;
  /** Fusion Dense width (DeepCDR: 300). */
  fusion: number;
  /** The fusion head's convolutions: filters, kernel and the max-pool size after each (DeepCDR: 30/150/2, 10/5/3, 5/5/3). */
  head: readonly { filters: number; kernel: number; pool: number }[];
  /** Dropout after each hidden layer (DeepCDR: 0.1; 0.2 before the output). */
  dropout: number;
  dtype?: DType;
}

export const DEEPCDR_ARCHITECTURE = {
  atomFeatures: 75,
  gcn: [256, 256, 256, 100],
  omicHidden: 256,
  omicOut: 100,
  fusion: 300,
  head: [
    { filters: 30, kernel: 150, pool: 2 },
    { filters: 10, kernel: 5, pool: 3 },
    { filters: 5, kernel: 5, pool: 3 },
  ],
  dropout: 0.1,
} as const;

/** Parameter group of every trained weight (BatchNorm's population statistics are in BN_STATS). */
export const DRUG_MODEL = "deepcdr";

export interface DeepCdrMode {
  /** Dropout masks are random inputs named `<layer>.mask` (training). */
  dropout: boolean;
  bn: BnMode;
}

export interface DeepCdrInputs {
  /** Atom features [batch, atoms, atomFeatures]. */
  atoms: Value;
  /** GraphConv propagation [batch, atoms, atoms] (0 in padding rows and columns). */
  propagation: Value;
  /** 1 for real atoms, 0 for padding [batch, atoms]. */
  atomMask: Value;
  /** One [batch, features] value per omics branch. */
  omics: readonly Value[];
}

export interface DeepCdrOutput {
  /** Predicted ln IC50 [batch]. */
  y: Value;
  /** The drug embedding after pooling [batch, gcn.at(-1)]. */
  drug: Value;
  /** Each BatchNorm's statistics as used in this pass, by layer name (the minibatch's in "batch" mode). */
  bn: { name: string; mean: Value; variance: Value }[];
}

export function deepCdr(x: DeepCdrInputs, c: DeepCdrConfig, mode: DeepCdrMode): DeepCdrOutput {
  const g = x.atoms.graph;
  const [n, a] = x.atoms.shape as number[];
  const bn: DeepCdrOutput["bn"] = [];
  const drop = (v: Value, name: string, p = c.dropout) =>
    mode.dropout && p > 0 ? dropout(v, g.random(`${name}.mask`, v.dtype, v.shape as number[], { kind: "dropout", p })) : v;
  const norm = (v: Value, name: string, weight: Value | null = null) => {
    const out = batchNorm(v, name, DRUG_MODEL, mode.bn, weight);
    bn.push({ name, mean: out.mean, variance: out.variance });
    return out.y;
  };

  let h = x.atoms;
  c.gcn.forEach((units, i) => {
    const name = `drug.gcn${i}`;
    const lin = linearParams(g, name, h.shape[2] as number, units, DRUG_MODEL, h.dtype);
    const hw = reshape(linear(reshape(h, [n! * a!, h.shape[2] as number]), lin.w, lin.b), [n!, a!, units]);
    h = drop(norm(relu(matmul(x.propagation, hw)), `${name}.bn`, x.atomMask), name);
  });
  const maskCol = reshape(x.atomMask, [n!, a!, 1]);
  const drug = div(reduceSum(mul(h, maskCol), [1]), reshape(reduceSum(x.atomMask, [1]), [n!, 1]));

  const branches = x.omics.map((v, i) => {
    const name = `omics.${c.omics[i]!.name}`;
    const hidden = drop(norm(tanh(dense(v, `${name}.h0`, c.omicHidden, DRUG_MODEL)), `${name}.bn`), name);
    return relu(dense(hidden, `${name}.h1`, c.omicOut, DRUG_MODEL));
  });

  let f = drop(tanh(dense(concat([...branches, drug], 1), "fusion", c.fusion, DRUG_MODEL)), "fusion");
  f = reshape(f, [n!, c.fusion, 1]);
  c.head.forEach((layer, i) => {
    const lin = linearParams(g, `head.conv${i}`, layer.kernel * (f.shape[2] as number), layer.filters, DRUG_MODEL, f.dtype);
    f = maxPool1d(relu(conv1d(f, lin.w, lin.b, layer.kernel)), layer.pool);
  });
  const flat = drop(reshape(drop(f, "head"), [n!, (f.shape[1] as number) * (f.shape[2] as number)]), "head.flat", 0.2);
  const y = reshape(dense(flat, "out", 1, DRUG_MODEL), [n!]);
  return { y, drug, bn };
}

/** The inputs of one minibatch, as graph inputs named `atoms`, `propagation`, `atomMask` and `omics.<name>`. */
export function deepCdrInputs(g: Graph, c: DeepCdrConfig, batch: number): DeepCdrInputs {
  const dtype = c.dtype ?? "float32";
  return {
    atoms: g.input("atoms", dtype, [batch, c.atoms, c.atomFeatures]),
    propagation: g.input("propagation", dtype, [batch, c.atoms, c.atoms]),
    atomMask: g.input("atomMask", dtype, [batch, c.atoms]),
    omics: c.omics.map((o) => g.input(`omics.${o.name}`, dtype, [batch, o.features])),
  };
}
