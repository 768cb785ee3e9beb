/**
 * DeepCDR's drug-response network (Liu et al., Bioinformatics 2020; the public Keras code's `createMaster`), the
 * regression head scPaLM and scFoundation reuse: a graph network over the drug's atoms, one dense branch per omics
 * input of the cell line, a fusion head of 1-D convolutions, one output (ln IC50).
 *
 * Drug branch: 4 × [GraphConv → ReLU → BatchNorm → Dropout 0.1] with 256-256-256-100 units, then global average
 * pooling over the atoms. GraphConv (keras-gcn) is Âᵀ(HW + b)/(rowsum Â + ε) with Â = D^-½(A + I)D^-½; the host
 * folds both normalisations into one weight per edge, so here it is a gather and a scatter-add over edges.
 * Omics branch (DeepCDR's expression branch, used for every omics input here): Dense 256 → tanh → BatchNorm →
 * Dropout → Dense 100 → ReLU.
 * Fusion: concat → Dense 300 → tanh → Dropout → Conv(30, k150) → ReLU → MaxPool 2 → Conv(10, k5) → ReLU → MaxPool 3
 * → Conv(5, k5) → ReLU → MaxPool 3 → Dropout 0.1 → Flatten → Dropout 0.2 → Dense 1.
 *
 * Deliberate departures: the drugs' atoms are packed without padding, so padding never enters the BatchNorm
 * statistics or the pooling (DeepCDR padded every drug to 100 atoms and averaged over them all); the drug branch runs
 * once per step over every drug in the table (its BatchNorm statistics are the drugs' atoms, each drug counted once,
 * where DeepCDR counted each pair's copy; one dropout mask per drug and step); and BatchNorm's population statistics
 * are measured after training (see batchnorm.ts). DeepCDR's mutation branch is a convolution over 34,673
 * genomic positions; over 706 census genes a dense branch like the expression one is the natural analogue (TGSA's
 * choice too).
 */
import { allocate, type DType } from "../graph/dtype.js";
import type { Value } from "../graph/value.js";
import { concat, conv1d, div, dropout, gather, maxPool1d, mul, relu, reshape, scatterAddRows, tanh } from "../ops/index.js";
import { type BnMode, batchNorm } from "./batchnorm.js";
import { dense, linearParams } from "./blocks.js";

export interface DeepCdrConfig {
  /** Per-atom features (DeepChem ConvMol: 75). */
  atomFeatures: number;
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
  /**
   * Every drug's atoms packed in one table [atoms, atomFeatures]; `atomDrug` [atoms] (int64) says whose each is.
   * The drug branch runs once per step over all of them (cheaper than once per pair from 64 pairs per batch on,
   * since there are far fewer drugs than pairs); each pair then gathers its drug's embedding.
   */
  atoms: Value;
  atomDrug: Value;
  drugs: number;
  /** GraphConv propagation as weighted edges (self-loops included): h′[dst] += weight · (hW + b)[src]. */
  edgeSrc: Value;
  edgeDst: Value;
  edgeWeight: Value;
  /** Row of each pair's drug [batch] (int64). */
  pairDrug: Value;
  /** One [batch, features] value per omics branch. */
  omics: readonly Value[];
}

export interface DeepCdrOutput {
  /** Predicted ln IC50 [batch]. */
  y: Value;
  /** Every drug's embedding after pooling [drugs, gcn.at(-1)]. */
  drugs: Value;
  /** Each BatchNorm's statistics as used in this pass, by layer name (the minibatch's in "batch" mode). */
  bn: { name: string; mean: Value; variance: Value }[];
}

export function deepCdr(x: DeepCdrInputs, c: DeepCdrConfig, mode: DeepCdrMode): DeepCdrOutput {
  const g = x.atoms.graph;
  const atoms = x.atoms.shape[0] as number;
  const n = x.pairDrug.shape[0] as number;
  const bn: DeepCdrOutput["bn"] = [];
  const drop = (v: Value, name: string, p = c.dropout) =>
    mode.dropout && p > 0 ? dropout(v, g.random(`${name}.mask`, v.dtype, v.shape as number[], { kind: "dropout", p })) : v;
  const norm = (v: Value, name: string) => {
    const out = batchNorm(v, name, DRUG_MODEL, mode.bn);
    bn.push({ name, mean: out.mean, variance: out.variance });
    return out.y;
  };

  const weight = reshape(x.edgeWeight, [x.edgeWeight.shape[0] as number, 1]);
  let h = x.atoms;
  c.gcn.forEach((units, i) => {
    const name = `drug.gcn${i}`;
    const hw = dense(h, name, units, DRUG_MODEL);
    const propagated = scatterAddRows(mul(gather(hw, x.edgeSrc), weight), x.edgeDst, atoms);
    h = drop(norm(relu(propagated), `${name}.bn`), name);
  });
  // Global average pooling: per-drug sums of atom rows over per-drug atom counts.
  const ones = g.constant((allocate(h.dtype, atoms) as Float32Array | Float64Array).fill(1), h.dtype, [atoms, 1]);
  const drugs = div(scatterAddRows(h, x.atomDrug, x.drugs), scatterAddRows(ones, x.atomDrug, x.drugs));
  const drug = gather(drugs, x.pairDrug);

  const branches = x.omics.map((v, i) => {
    const name = `omics.${c.omics[i]!.name}`;
    const hidden = drop(norm(tanh(dense(v, `${name}.h0`, c.omicHidden, DRUG_MODEL)), `${name}.bn`), name);
    return relu(dense(hidden, `${name}.h1`, c.omicOut, DRUG_MODEL));
  });

  let f = drop(tanh(dense(concat([...branches, drug], 1), "fusion", c.fusion, DRUG_MODEL)), "fusion");
  f = reshape(f, [n, c.fusion, 1]);
  c.head.forEach((layer, i) => {
    const lin = linearParams(g, `head.conv${i}`, layer.kernel * (f.shape[2] as number), layer.filters, DRUG_MODEL, f.dtype);
    f = maxPool1d(relu(conv1d(f, lin.w, lin.b, layer.kernel)), layer.pool);
  });
  const flat = drop(reshape(drop(f, "head"), [n, (f.shape[1] as number) * (f.shape[2] as number)]), "head.flat", 0.2);
  const y = reshape(dense(flat, "out", 1, DRUG_MODEL), [n]);
  return { y, drugs, bn };
}
