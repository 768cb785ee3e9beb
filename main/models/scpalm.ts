/**
 * scPaLM's compiled pieces: the two stages' training programs, an in-process encoder (expression → pathway codes,
 * encoder outputs, h_C, token mean) with the parameters as inputs, and the exported inference model. The graphs live
 * in native-models/models/scpalm.ts.
 *
 * A training row is the cell's log-normalised expression over the model's vocabulary, then its dataset's index (the
 * dataset says which genes were measured, through the `presence` table), then for stage 2 its N pathway codes.
 */
import * as ort from "onnxruntime-node";
import {
  adamw,
  compileTrainProgram,
  embedCells,
  exportInference,
  Graph,
  initParams,
  ORT_TYPE,
  ops,
  SCPALM,
  type ScPaLMArchitecture,
  stage1,
  stage2,
  type TrainProgram,
  type TypedArray,
  toOnnx,
  type Value,
} from "../../native-models/index.js";
import { openSession, type ProviderChoice } from "../train/providers.js";
import { architectureOf, keptTokens, type ScPaLMHyper } from "./scpalm-hyper.js";

export function scPaLMArchitecture(h: ScPaLMHyper, genes: number): ScPaLMArchitecture {
  return { ...architectureOf(h), genes };
}

/** Minibatch rows gathered from the data block; x, the measured-genes mask and the row weights. */
function trainRows(g: Graph, a: ScPaLMArchitecture, batch: number, extra: number) {
  const data = g.input("data", "float32", ["rows", a.genes + 1 + extra]);
  const presence = g.input("presence", "float32", ["datasets", a.genes]);
  const rows = ops.gather(data, g.input("batch", "int64", [batch]));
  const rowWeight = g.input("rowWeight", "float32", [batch]);
  const column = (from: number, to: number) => ops.slice(rows, [from], [to], [1]);
  const dataset = ops.cast(ops.reshape(column(a.genes, a.genes + 1), [batch]), "int64");
  return {
    data,
    presence,
    rowWeight,
    x: column(0, a.genes),
    present: ops.gather(presence, dataset),
    extra: extra ? column(a.genes + 1, a.genes + 1 + extra) : null,
  };
}

function stage1Graph(a: ScPaLMArchitecture, h: ScPaLMHyper) {
  const g = new Graph();
  const r = trainRows(g, a, h.batch, 0);
  return { g, r, s: stage1(r.x, r.present, r.rowWeight, a, h.codebookWeight) };
}

/** Stage 1's Loop: embedding, pathway encoder, codebook and decoder, by reconstruction plus the commitment loss. */
export function stage1Program(a: ScPaLMArchitecture, h: ScPaLMHyper): TrainProgram {
  const { g, r, s } = stage1Graph(a, h);
  return compileTrainProgram({
    graph: g,
    loss: s.loss,
    report: { mse: s.mse, commitment: s.commitment },
    trainable: [SCPALM.embed, SCPALM.pathway, SCPALM.decoder],
    optimizer: adamw({ weightDecay: h.weightDecay }),
    constants: [r.data, r.presence],
  });
}

function stage2Graph(a: ScPaLMArchitecture, h: ScPaLMHyper) {
  const g = new Graph();
  const r = trainRows(g, a, h.batch, a.tokens);
  const kept = keptTokens(h);
  const subset = (name: string) => g.random(name, "int64", [h.batch, kept], { kind: "subset", of: a.tokens });
  const c = h.contrastive;
  const centroids = c.weight > 0 ? g.input("centroids", "float32", [c.clusters, a.hidden]) : null;
  const s = stage2(
    {
      x: r.x,
      present: ops.mul(r.present, ops.reshape(r.rowWeight, [h.batch, 1])),
      codes: ops.cast(r.extra!, "int64"),
      keep: subset("keep"),
      ...(centroids
        ? { contrast: { keep: subset("keep2"), centroids, weight: g.input("clWeight", "float32", []), tau: c.tau, negatives: c.negatives } }
        : {}),
    },
    a,
  );
  return { g, r, s, centroids };
}

/**
 * Stage 2's Loop: the cell encoder and decoder over random token subsets (drawn by the runtime per step); with the
 * contrastive term, a second view, the k-means centroids (a once-per-run input `centroids`) and its weight (a
 * per-step input `clWeight`, 0 until the first centroids exist).
 */
export function stage2Program(a: ScPaLMArchitecture, h: ScPaLMHyper): TrainProgram {
  const { g, r, s, centroids } = stage2Graph(a, h);
  return compileTrainProgram({
    graph: g,
    loss: s.loss,
    report: s.contrastive ? { mse: s.mse, contrastive: s.contrastive } : { mse: s.mse },
    trainable: [SCPALM.cell],
    optimizer: adamw({ weightDecay: h.weightDecay }),
    constants: [r.data, r.presence, ...(centroids ? [centroids] : [])],
  });
}

/** Every parameter of both stages. */
function allParams(a: ScPaLMArchitecture, h: ScPaLMHyper) {
  const small = { ...h, batch: 2, contrastive: { ...h.contrastive, weight: 0 } };
  return new Map([...stage1Graph(a, small).g.params, ...stage2Graph(a, small).g.params]);
}

/** Initial values of every parameter of both stages. */
export function scPaLMInitialParams(a: ScPaLMArchitecture, h: ScPaLMHyper, seed: number): Map<string, TypedArray> {
  return initParams([...allParams(a, h).values()], seed);
}

/** Every parameter's shape, by name. */
export function scPaLMParamShapes(a: ScPaLMArchitecture, h: ScPaLMHyper): Map<string, number[]> {
  return new Map([...allParams(a, h)].map(([k, p]) => [k, p.value.shape as number[]]));
}

/** Cells per encoder call: inputs are padded to it (the graph's shapes are static). */
export const ENCODE_CHUNK = 256;

export interface Encoded {
  /** h_C [cells, h]. */
  cell: Float32Array;
  /** Mean of the quantised pathway tokens [cells, h]. */
  tokenMean: Float32Array;
  /** Pathway code of each token [cells, N]. */
  codes: Int32Array;
  /** The pathway encoder's outputs before quantisation [cells, N, h] (only when asked: dead-code replacement). */
  encoded: Float32Array | null;
  /** Stage 1's reconstruction over the vocabulary [cells, G] (only from an encoder exported with it). */
  reconstruction: Float32Array | null;
}

function encoderGraph(a: ScPaLMArchitecture, chunk: number, reconstruct = false) {
  const g = new Graph();
  const x = g.input("x", "float32", [chunk, a.genes]);
  const present = g.input("present", "float32", [chunk, a.genes]);
  const e = embedCells(x, present, a, reconstruct);
  return { g, x, present, e };
}

const encoderDocs = (a: ScPaLMArchitecture) => ({
  x: `float32 [${ENCODE_CHUNK}, ${a.genes}]: log-normalised expression (library size 1e4, log1p) over the model's vocabulary, 0 where not measured`,
  present: `float32 [${ENCODE_CHUNK}, ${a.genes}]: 1 where the cell's dataset measured the vocabulary gene, else 0`,
  cell: `float32 [${ENCODE_CHUNK}, ${a.hidden}]: the cell token h_C, scPaLM's cell embedding`,
  tokenMean: `float32 [${ENCODE_CHUNK}, ${a.hidden}]: mean of the quantised pathway tokens (the paper's "Mean" ablation)`,
  codes: `int64 [${ENCODE_CHUNK}, ${a.tokens}]: pathway code (0…${a.codes - 1}) of each of the ${a.tokens} tokens`,
  reconstruction: `float32 [${ENCODE_CHUNK}, ${a.genes}]: stage 1's log-normalised expression decoded from the pathway tokens`,
});

/**
 * The shipped inference model: weights baked in, documented inputs and outputs; with `reconstruct`, stage 1's decoder
 * too (it doubles the cost, so only imputation asks for it).
 */
export function exportScPaLMEncoder(
  a: ScPaLMArchitecture,
  params: ReadonlyMap<string, TypedArray>,
  meta: Record<string, string>,
  reconstruct = false,
): Uint8Array {
  const { x, present, e } = encoderGraph(a, ENCODE_CHUNK, reconstruct);
  return exportInference({
    inputs: [x, present],
    outputs: { cell: e.cell, tokenMean: e.tokenMean, codes: e.codes, ...(e.reconstruction ? { reconstruction: e.reconstruction } : {}) },
    params,
    docs: encoderDocs(a),
    meta: { producer: "sciLaMA Studio", doc: "scPaLM encoder: expression → pathway codes → cell token", metadata: meta },
  });
}

/**
 * Runs the encoder in fixed chunks, either with the parameters as inputs (during training: one session serves every
 * epoch) or from an exported model.
 */
export class ScPaLMEncoder {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly a: ScPaLMArchitecture,
    private readonly params: Value[],
    readonly provider: string,
  ) {}

  /** With the parameters fed on every call. */
  static async forTraining(a: ScPaLMArchitecture, threads?: number): Promise<ScPaLMEncoder> {
    const { g, x, present, e } = encoderGraph(a, ENCODE_CHUNK);
    const params = [...g.params.values()].map((p) => p.value);
    const model = toOnnx({
      inputs: [x, present, ...params],
      outputs: { cell: e.cell, tokenMean: e.tokenMean, codes: e.codes, encoded: e.encoded },
    });
    const opened = await openSession(model, "cpu", threads);
    return new ScPaLMEncoder(opened.session, a, params, opened.provider);
  }

  static async fromModel(
    a: ScPaLMArchitecture,
    model: Uint8Array,
    provider: ProviderChoice = "auto",
    threads?: number,
  ): Promise<ScPaLMEncoder> {
    const opened = await openSession(model, provider, threads);
    return new ScPaLMEncoder(opened.session, a, [], opened.provider);
  }

  /**
   * Encodes `cells` rows of x (row-major over the vocabulary) with per-row measured-gene masks from `presentOf(row)`.
   * `params` is needed for a training encoder.
   */
  async encode(
    x: Float32Array,
    cells: number,
    presentOf: (row: number) => Float32Array,
    opts: { params?: ReadonlyMap<string, TypedArray>; encoded?: boolean } = {},
  ): Promise<Encoded> {
    const { genes, hidden, tokens } = this.a;
    const out: Encoded = {
      cell: new Float32Array(cells * hidden),
      tokenMean: new Float32Array(cells * hidden),
      codes: new Int32Array(cells * tokens),
      encoded: opts.encoded ? new Float32Array(cells * tokens * hidden) : null,
      reconstruction: this.session.outputNames.includes("reconstruction") ? new Float32Array(cells * genes) : null,
    };
    const feeds: Record<string, ort.Tensor> = {};
    for (const p of this.params) {
      const v = opts.params?.get(p.name);
      if (!v) throw new Error(`scPaLM encoder: no value for parameter ${p.name}`);
      feeds[p.name] = new ort.Tensor(ORT_TYPE[p.dtype], v, p.shape as number[]);
    }
    const fetch = ["cell", "tokenMean", "codes", ...(opts.encoded ? ["encoded"] : []), ...(out.reconstruction ? ["reconstruction"] : [])];
    for (let r = 0; r < cells; r += ENCODE_CHUNK) {
      const m = Math.min(ENCODE_CHUNK, cells - r);
      const xb = new Float32Array(ENCODE_CHUNK * genes);
      xb.set(x.subarray(r * genes, (r + m) * genes));
      const pb = new Float32Array(ENCODE_CHUNK * genes);
      for (let i = 0; i < m; i++) pb.set(presentOf(r + i), i * genes);
      feeds.x = new ort.Tensor("float32", xb, [ENCODE_CHUNK, genes]);
      feeds.present = new ort.Tensor("float32", pb, [ENCODE_CHUNK, genes]);
      const res = await this.session.run(feeds, fetch);
      out.cell.set((res.cell!.data as Float32Array).subarray(0, m * hidden), r * hidden);
      out.tokenMean.set((res.tokenMean!.data as Float32Array).subarray(0, m * hidden), r * hidden);
      const codes = res.codes!.data as BigInt64Array;
      for (let i = 0; i < m * tokens; i++) out.codes[r * tokens + i] = Number(codes[i]);
      out.encoded?.set((res.encoded!.data as Float32Array).subarray(0, m * tokens * hidden), r * tokens * hidden);
      out.reconstruction?.set((res.reconstruction!.data as Float32Array).subarray(0, m * genes), r * genes);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
