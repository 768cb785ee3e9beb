/**
 * The drug-response model's compiled pieces: the training program, the evaluator (BatchNorm's population statistics
 * and predictions, parameters fed as inputs so one session serves every epoch) and the exported inference model.
 * Every graph reads the same tables — drug graphs and cell-line omics — and gathers the rows of each pair by index,
 * so training, validation, the app's predictions and the exported model share one definition (deepcdr.ts).
 */
import * as ort from "onnxruntime-node";
import {
  compileTrainProgram,
  DEEPCDR_ARCHITECTURE,
  type DeepCdrConfig,
  type DeepCdrMode,
  DRUG_MODEL,
  deepCdr,
  exportInference,
  Graph,
  initParams,
  type Optimizer,
  ops,
  type TrainProgram,
  type TypedArray,
  toOnnx,
  type Value,
} from "../../native-models/index.js";
import type { DrugTensors } from "../drugs/pack.js";
import { openSession } from "../train/providers.js";

/** Cell-line (or sample) omics: one lines × features matrix per branch, in the configuration's order. */
export interface OmicsTensors {
  lines: number;
  values: readonly Float32Array[];
}

export function drugModelConfig(omics: DeepCdrConfig["omics"]): DeepCdrConfig {
  return { ...DEEPCDR_ARCHITECTURE, omics };
}

/**
 * Intra-op threads of every drug-model session. onnxruntime's (1.30) CPU ScatterND with reduction "add" — the GCN's
 * propagation, its pooling, and gather's gradient — loses updates when it runs on several threads: the same
 * parameters predicted the same pair up to 0.54 ln units apart between runs on 2 threads, identically on 1. One thread
 * until the scatter is deterministic.
 */
export const DRUG_MODEL_THREADS = 1;

/** Pairs are evaluated and exported in chunks of this many (graphs have static shapes; the last chunk is padded). */
export const PAIR_CHUNK = 256;

const int64 = (v: Int32Array) => BigInt64Array.from(v, (x) => BigInt(x));

/** The drug set baked into graph `g` as constants; the omics tables as inputs (any number of lines). */
function tables(g: Graph, c: DeepCdrConfig, d: DrugTensors) {
  return {
    drug: {
      atoms: g.constant(d.features, "float32", [d.atoms, c.atomFeatures]),
      atomDrug: g.constant(int64(d.atomDrug), "int64", [d.atoms]),
      drugs: d.drugs,
      edgeSrc: g.constant(int64(d.edgeSrc), "int64", [d.edgeSrc.length]),
      edgeDst: g.constant(int64(d.edgeDst), "int64", [d.edgeDst.length]),
      edgeWeight: g.constant(d.edgeWeight, "float32", [d.edgeWeight.length]),
    },
    omics: c.omics.map((o) => g.input(`omics.${o.name}`, "float32", ["lines", o.features])),
  };
}

/** The network on pairs (cell[i], drug[i]). */
function onPairs(g: Graph, c: DeepCdrConfig, d: DrugTensors, cell: Value, drug: Value, mode: DeepCdrMode) {
  const t = tables(g, c, d);
  const out = deepCdr({ ...t.drug, pairDrug: drug, omics: t.omics.map((o) => ops.gather(o, cell)) }, c, mode);
  return { out, omics: t.omics };
}

/**
 * Training: the data block holds pairs as rows (cell index, drug index, ln IC50); each step gathers `batch` rows,
 * then their features; loss = mean squared error over real rows (padding rows weigh 0).
 */
export function drugTrainProgram(c: DeepCdrConfig, d: DrugTensors, optimizer: Optimizer, batch: number): TrainProgram {
  const g = new Graph();
  const data = g.input("data", "float32", ["rows", 3]);
  const rows = ops.gather(data, g.input("batch", "int64", [batch]));
  const column = (k: number) => ops.reshape(ops.slice(rows, [k], [k + 1], [1]), [batch]);
  const { out, omics } = onPairs(g, c, d, ops.cast(column(0), "int64"), ops.cast(column(1), "int64"), { dropout: true, bn: "batch" });
  const loss = ops.weightedMean(ops.square(ops.sub(out.y, column(2))), g.input("rowWeight", "float32", [batch]));
  return compileTrainProgram({ graph: g, loss, trainable: [DRUG_MODEL], optimizer, constants: [data, ...omics] });
}

/** The parameters of the model (BatchNorm's population statistics included). */
function paramsOf(c: DeepCdrConfig) {
  const g = new Graph();
  const one: DrugTensors = {
    drugs: 1,
    atoms: 1,
    features: new Float32Array(c.atomFeatures),
    atomDrug: new Int32Array(1),
    edgeSrc: new Int32Array(1),
    edgeDst: new Int32Array(1),
    edgeWeight: new Float32Array(1),
  };
  onPairs(g, c, one, g.input("cell", "int64", [1]), g.input("drug", "int64", [1]), { dropout: false, bn: "population" });
  return g.paramsOf();
}

/** Initial values of every trained parameter: Xavier-normal weights, zero biases, BatchNorm γ = 1, β = 0. */
export function drugInitialParams(c: DeepCdrConfig, seed: number): Map<string, TypedArray> {
  return initParams(
    paramsOf(c).filter((p) => p.group === DRUG_MODEL),
    seed,
  );
}

/** Every parameter a trained model carries (weights and BatchNorm statistics) with its shape. */
export function drugParamShapes(c: DeepCdrConfig): Map<string, number[]> {
  return new Map(paramsOf(c).map((p) => [p.value.name, p.value.shape as number[]]));
}

/** The omics tables as feeds. */
export function omicsFeeds(omics: OmicsTensors, c: DeepCdrConfig): Record<string, ort.Tensor> {
  return Object.fromEntries(
    c.omics.map((o, i) => [`omics.${o.name}`, new ort.Tensor("float32", omics.values[i]!, [omics.lines, o.features])]),
  );
}

/** Pairs as index vectors into the tables. */
export interface Pairs {
  cell: Int32Array;
  drug: Int32Array;
}

/** Feeds `cell` and `drug` chunk by chunk (the last one padded with pair 0) and collects each chunk's outputs. */
async function overChunks(pairs: Pairs, run: (feeds: Record<string, ort.Tensor>, real: number) => Promise<void>): Promise<void> {
  for (let at = 0; at < pairs.cell.length; at += PAIR_CHUNK) {
    const real = Math.min(PAIR_CHUNK, pairs.cell.length - at);
    const idx = (v: Int32Array) => {
      const out = new BigInt64Array(PAIR_CHUNK);
      for (let i = 0; i < real; i++) out[i] = BigInt(v[at + i]!);
      return new ort.Tensor("int64", out, [PAIR_CHUNK]);
    };
    await run({ cell: idx(pairs.cell), drug: idx(pairs.drug) }, real);
  }
}

/**
 * Predictions and BatchNorm population statistics, parameters fed as inputs: the graphs are built once and serve
 * every epoch's validation. The statistics are measured over the training drugs; predictions may cover more drugs
 * (held-out or new molecules), each predicted independently of the others with population statistics.
 */
export class DrugEvaluator {
  private constructor(
    private readonly c: DeepCdrConfig,
    private readonly predictSession: ort.InferenceSession,
    private readonly statsSession: ort.InferenceSession | null,
    private readonly bnNames: string[],
    private readonly shapes: ReadonlyMap<string, number[]>,
  ) {}

  /** Without `train` drugs the evaluator only predicts (with statistics the parameters carry). */
  static async open(c: DeepCdrConfig, drugs: { train?: DrugTensors; predict: DrugTensors }): Promise<DrugEvaluator> {
    const threads = DRUG_MODEL_THREADS;
    const build = (bn: DeepCdrMode["bn"], d: DrugTensors) => {
      const g = new Graph();
      const { out } = onPairs(g, c, d, g.input("cell", "int64", [PAIR_CHUNK]), g.input("drug", "int64", [PAIR_CHUNK]), {
        dropout: false,
        bn,
      });
      return { g, out };
    };
    const p = build("population", drugs.predict);
    const s = drugs.train ? build("batch", drugs.train) : null;
    const statsOut: Record<string, Value> = {};
    for (const b of s?.out.bn ?? []) {
      statsOut[`${b.name}.mean`] = b.mean;
      // E[x²] rather than the variance, so chunks pool exactly: Var = E[x²] − E[x]² over all of them.
      statsOut[`${b.name}.sq`] = ops.add(b.variance, ops.square(b.mean));
    }
    const inputsOf = (g: Graph) => [...g.inputs.values(), ...g.paramsOf().map((q) => q.value)];
    const [ps, ss] = await Promise.all([
      openSession(toOnnx({ inputs: inputsOf(p.g), outputs: { y: p.out.y } }), "cpu", threads),
      s ? openSession(toOnnx({ inputs: inputsOf(s.g), outputs: statsOut }), "cpu", threads) : null,
    ]);
    return new DrugEvaluator(
      c,
      ps.session,
      ss?.session ?? null,
      s?.out.bn.map((b) => b.name) ?? [],
      new Map(p.g.paramsOf().map((q) => [q.value.name, q.value.shape as number[]])),
    );
  }

  private feeds(session: ort.InferenceSession, params: ReadonlyMap<string, TypedArray>, omics: OmicsTensors): Record<string, ort.Tensor> {
    const feeds = omicsFeeds(omics, this.c);
    for (const name of session.inputNames) {
      const v = params.get(name);
      if (v) feeds[name] = new ort.Tensor("float32", v as Float32Array, this.shapes.get(name)!);
    }
    return feeds;
  }

  /**
   * BatchNorm's population statistics (Ioffe & Szegedy 2015, Algorithm 2): each layer's mean and variance over
   * `pairs` (a sample of training pairs, drugs indexing the training table, in full chunks), the network in inference mode but for BatchNorm, which uses
   * each chunk's own statistics as in training. (The drug layers see every drug in each chunk, so theirs are the
   * drug set's exactly.)
   */
  async populationStats(params: ReadonlyMap<string, TypedArray>, omics: OmicsTensors, pairs: Pairs): Promise<Map<string, Float32Array>> {
    const session = this.statsSession;
    if (!session) throw new Error("this evaluator was opened without training drugs; it only predicts");
    const full = Math.floor(pairs.cell.length / PAIR_CHUNK) * PAIR_CHUNK;
    if (full === 0) throw new Error(`BatchNorm statistics need at least ${PAIR_CHUNK} training pairs, got ${pairs.cell.length}`);
    const base = this.feeds(session, params, omics);
    const sums = new Map<string, { mean: Float64Array; sq: Float64Array }>();
    let chunks = 0;
    await overChunks({ cell: pairs.cell.subarray(0, full), drug: pairs.drug.subarray(0, full) }, async (feeds) => {
      const out = await session.run({ ...base, ...feeds });
      chunks++;
      for (const name of this.bnNames) {
        const mean = out[`${name}.mean`]!.data as Float32Array;
        const sq = out[`${name}.sq`]!.data as Float32Array;
        const s = sums.get(name) ?? { mean: new Float64Array(mean.length), sq: new Float64Array(mean.length) };
        mean.forEach((v, k) => {
          s.mean[k]! += v;
          s.sq[k]! += sq[k]!;
        });
        sums.set(name, s);
      }
    });
    const stats = new Map<string, Float32Array>();
    for (const [name, s] of sums) {
      const mean = Float32Array.from(s.mean, (v) => v / chunks);
      stats.set(`${name}.mean`, mean);
      stats.set(
        `${name}.var`,
        Float32Array.from(s.sq, (v, k) => Math.max(0, v / chunks - mean[k]! ** 2)),
      );
    }
    return stats;
  }

  /** ln IC50 of each pair, with trained parameters and population statistics. */
  async predict(params: ReadonlyMap<string, TypedArray>, omics: OmicsTensors, pairs: Pairs): Promise<Float32Array> {
    const out = new Float32Array(pairs.cell.length);
    const base = this.feeds(this.predictSession, params, omics);
    let at = 0;
    await overChunks(pairs, async (feeds, real) => {
      const y = (await this.predictSession.run({ ...base, ...feeds })).y!.data as Float32Array;
      out.set(y.subarray(0, real), at);
      at += real;
    });
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([this.predictSession.release(), this.statsSession?.release()]);
  }
}

/**
 * The inference model for one drug set (baked in with every weight and BatchNorm statistic): omics tables and index
 * vectors in (pairs padded to PAIR_CHUNK), ln IC50 out, documented for any onnxruntime.
 */
export function exportDrugModel(
  c: DeepCdrConfig,
  d: DrugTensors,
  params: ReadonlyMap<string, TypedArray>,
  meta: Record<string, string>,
): Uint8Array {
  const g = new Graph();
  const cell = g.input("cell", "int64", [PAIR_CHUNK]);
  const drug = g.input("drug", "int64", [PAIR_CHUNK]);
  const { out, omics } = onPairs(g, c, d, cell, drug, { dropout: false, bn: "population" });
  const omicsDocs = Object.fromEntries(
    c.omics.map((o) => [
      `omics.${o.name}`,
      `float32 [lines, ${o.features}]: ${o.name} of each cell line or sample on the training scale (per-gene z-scores over CCLE lines), genes in the training order`,
    ]),
  );
  return exportInference({
    inputs: [...omics, cell, drug],
    outputs: { ln_ic50: out.y },
    params,
    docs: {
      ...omicsDocs,
      cell: `int64 [${PAIR_CHUNK}]: row of each pair in the omics tables (pad the last chunk with any valid row)`,
      drug: `int64 [${PAIR_CHUNK}]: the pair's drug, an index into the model's drug list (metadata 'drugs')`,
      ln_ic50: `float32 [${PAIR_CHUNK}]: predicted natural-log IC50 (µM, GDSC2 scale)`,
    },
    meta: { doc: "DeepCDR-style drug-response model (inference only)", metadata: { ...meta, config: JSON.stringify(c) } },
  });
}
