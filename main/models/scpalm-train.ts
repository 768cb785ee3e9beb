/**
 * scPaLM's two-stage pre-training (§3.2–3.3, Algorithm 2): stage 1 trains the embedding, pathway encoder, codebook
 * and decoder by reconstruction, replacing codes no cell used before every epoch (Huh et al. 2023: a dead code is
 * re-initialised at a random encoder output); stage 2 freezes them, reads each cell's pathway codes once, and trains
 * the cell token, cell encoder and decoder on masked views, refitting the k-means pseudo-labels of the contrastive term
 * before every epoch from a queue of h_C. Checkpoints per stage; a second call with the same folder resumes.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Rng, type ScPaLMArchitecture, type TypedArray } from "../../native-models/index.js";
import { kmeans } from "../analysis/kmeans.js";
import { readCheckpoint, writeCheckpoint } from "../train/checkpoint.js";
import { denseSource } from "../train/data.js";
import { type EpochRecord, type EpochState, fit, type Progress } from "../train/fit.js";
import type { Provider, ProviderChoice } from "../train/providers.js";
import { type Encoded, ScPaLMEncoder, scPaLMArchitecture, scPaLMInitialParams, stage1Program, stage2Program } from "./scpalm.js";
import type { ScPaLMCorpus } from "./scpalm-corpus.js";
import { type ScPaLMHyper, validateScPaLMHyper } from "./scpalm-hyper.js";

export type Stage = 1 | 2;

export interface ScPaLMTrainOptions {
  hyper: ScPaLMHyper;
  seed: number;
  provider?: ProviderChoice;
  threads?: number;
  /** Checkpoints go here; a second call with the same folder resumes. */
  workDir?: string;
  shouldStop?: () => boolean;
  onProgress?: (p: Progress, stage: Stage) => void;
  /** Start from these parameters (fine-tuning a pre-trained model) instead of a fresh initialisation. */
  initial?: ReadonlyMap<string, TypedArray>;
  /** Which stages to run (default both). */
  stages?: readonly Stage[];
}

export interface StageReport {
  stage: Stage;
  status: "completed" | "stopped";
  epochs: number;
  seconds: number;
  /** Stage 1 epochs carry the codes the sampled cells used after them and how many dead ones were replaced. */
  history: (EpochRecord & { codesUsed?: number; deadReplaced?: number })[];
}

export interface ScPaLMResult {
  status: "completed" | "stopped";
  architecture: ScPaLMArchitecture;
  params: Map<string, TypedArray>;
  stages: StageReport[];
  /** Codes used by at least one token of the corpus after stage 1 (the issue asks for ≥ half). */
  codesUsed: number;
  /** The corpus encoded with the final parameters (null when stopped). */
  encoded: Encoded | null;
  provider: Provider;
  seconds: number;
}

const CODES = "pathway.vq.codes";
/** Stage 1's codes in use per epoch, beside the checkpoints (safetensors like them, so a resume moves it with them). */
const USAGE_FILE = "stage1.codes-used.safetensors";

export function validateCorpus(c: ScPaLMCorpus, h: ScPaLMHyper): void {
  const problems: string[] = [];
  const g = c.genes.length;
  if (c.cells < 2) problems.push(`scPaLM needs at least 2 cells (got ${c.cells})`);
  if (g < h.tokens) problems.push(`the vocabulary has ${g} genes, fewer than the ${h.tokens} tokens`);
  if (c.x.length !== c.cells * g) problems.push("the expression matrix does not match cells × genes");
  if (c.dataset.length !== c.cells) problems.push("every cell needs a dataset index");
  if (c.presence.length !== c.datasets.length * g) problems.push("the presence table does not match datasets × genes");
  if (c.dataset.some((d) => d < 0 || d >= c.datasets.length)) problems.push("a cell's dataset index is out of range");
  if (c.x.some((v) => !Number.isFinite(v) || v < 0)) problems.push("expression must be finite and non-negative (log-normalised counts)");
  if (problems.length) throw new Error(`cannot pre-train scPaLM: ${problems.join("; ")}`);
}

/** Rows of the data block: expression, dataset index, then `extra` (stage 2: the pathway codes). */
function blockRows(c: ScPaLMCorpus, codes: Int32Array | null, tokens: number): Float32Array {
  const g = c.genes.length;
  const w = g + 1 + (codes ? tokens : 0);
  const out = new Float32Array(c.cells * w);
  for (let i = 0; i < c.cells; i++) {
    out.set(c.x.subarray(i * g, (i + 1) * g), i * w);
    out[i * w + g] = c.dataset[i]!;
    if (codes) for (let k = 0; k < tokens; k++) out[i * w + g + 1 + k] = codes[i * tokens + k]!;
  }
  return out;
}

/** A seeded sample of up to n cells: their expression rows and the indices. */
function sampleCells(c: ScPaLMCorpus, n: number, seed: number, epoch: number): { x: Float32Array; idx: Int32Array } {
  const g = c.genes.length;
  const idx = new Rng(seed, 0x53414d50, epoch).permutation(c.cells).slice(0, Math.min(n, c.cells));
  const x = new Float32Array(idx.length * g);
  for (const [r, cell] of idx.entries()) x.set(c.x.subarray(cell * g, (cell + 1) * g), r * g);
  return { x, idx };
}

export async function trainScPaLM(corpus: ScPaLMCorpus, o: ScPaLMTrainOptions): Promise<ScPaLMResult> {
  const started = performance.now();
  const h = o.hyper;
  validateScPaLMHyper(h);
  validateCorpus(corpus, h);
  const a = scPaLMArchitecture(h, corpus.genes.length);
  const g = a.genes;
  const presentOf = (cell: number) => corpus.presence.subarray(corpus.dataset[cell]! * g, (corpus.dataset[cell]! + 1) * g);
  if (o.workDir) mkdirSync(o.workDir, { recursive: true });
  const path = (name: string) => (o.workDir ? join(o.workDir, name) : undefined);
  let params = new Map(o.initial ?? scPaLMInitialParams(a, h, o.seed));
  const encoder = await ScPaLMEncoder.forTraining(a, o.threads);
  const reports: StageReport[] = [];
  let provider: Provider = "cpu";
  let status: ScPaLMResult["status"] = "completed";
  let codesUsed = 0;

  const encodeAll = (p: ReadonlyMap<string, TypedArray>) => encoder.encode(corpus.x, corpus.cells, presentOf, { params: p });
  const countUsed = (codes: Int32Array) => new Set(codes).size;

  /** Before each stage-1 epoch after the first: codes no sampled token chose move to random encoder outputs. */
  // By the epoch after which the codes were counted; kept beside the checkpoints, so a resumed run's history is whole.
  const usageFile = path(USAGE_FILE);
  const usage = new Map<number, { codesUsed: number; deadReplaced: number }>(
    usageFile && existsSync(usageFile) ? (readCheckpoint(usageFile).meta as [number, { codesUsed: number; deadReplaced: number }][]) : [],
  );
  const replaceDead = async (epoch: number, st: EpochState) => {
    if (epoch === 0) return;
    const s = sampleCells(corpus, h.deadCodeSample, o.seed, epoch);
    // The stage's parameters over the others (the encoder also reads the stage-2 weights it does not need here).
    const p = new Map([...params, ...st.params()]);
    const enc = await encoder.encode(s.x, s.idx.length, (r) => presentOf(s.idx[r]!), { params: p, encoded: true });
    const used = new Uint8Array(h.codes);
    for (const k of enc.codes) used[k] = 1;
    const dead = [...used.keys()].filter((k) => !used[k]);
    usage.set(epoch - 1, { codesUsed: h.codes - dead.length, deadReplaced: dead.length });
    if (usageFile) writeCheckpoint(usageFile, new Map(), [...usage]);
    if (!dead.length) return;
    const mean = p.get("pathway.vq.mean") as Float32Array;
    const std = p.get("pathway.vq.std") as Float32Array;
    const rng = new Rng(o.seed, 0x44454144, epoch);
    const tokens = s.idx.length * a.tokens;
    const values = new Float32Array(dead.length * a.hidden);
    dead.forEach((_, i) => {
      const t = Math.floor(rng.uniform() * tokens);
      // The code in use is v = mean + std ⊙ c, so c = (e − mean) / std puts it at the encoder output e.
      for (let j = 0; j < a.hidden; j++) values[i * a.hidden + j] = (enc.encoded![t * a.hidden + j]! - mean[j]!) / std[j]!;
    });
    st.resetRows(CODES, dead, values);
  };

  /** Before each stage-2 epoch: k-means of h_C over the queue (a fresh sample of cells, embedded now). */
  const c = h.contrastive;
  const refit = async (epoch: number, st: EpochState) => {
    if (!(c.weight > 0)) return;
    if (epoch === 0) {
      st.setConstant("centroids", new Float32Array(c.clusters * a.hidden));
      return;
    }
    const s = sampleCells(corpus, c.queue, o.seed, 1000 + epoch);
    const enc = await encoder.encode(s.x, s.idx.length, (r) => presentOf(s.idx[r]!), { params: new Map([...params, ...st.params()]) });
    const k = Math.min(c.clusters, s.idx.length);
    const labels = kmeans(enc.cell, s.idx.length, a.hidden, k, { seed: o.seed + epoch, restarts: 1 });
    const centroids = new Float32Array(c.clusters * a.hidden);
    const counts = new Float64Array(c.clusters);
    labels.forEach((l, i) => {
      counts[l]++;
      for (let j = 0; j < a.hidden; j++) centroids[l * a.hidden + j] += enc.cell[i * a.hidden + j]!;
    });
    for (let l = 0; l < c.clusters; l++) for (let j = 0; j < a.hidden; j++) centroids[l * a.hidden + j] /= Math.max(1, counts[l]!);
    st.setConstant("centroids", centroids);
  };

  try {
    let encoded: Encoded | null = null;
    for (const stage of o.stages ?? ([1, 2] as const)) {
      const done = path(`stage${stage}.done.safetensors`);
      if (done && existsSync(done)) {
        const ck = readCheckpoint(done);
        for (const [k, t] of ck.tensors) params.set(k, t.data);
        reports.push(ck.meta as StageReport);
        continue;
      }
      const codes = stage === 2 ? (await encodeAll(params)).codes : null;
      const ckpt = path(`stage${stage}.ckpt.safetensors`);
      const width = g + 1 + (codes ? a.tokens : 0);
      const lr = stage === 1 ? h.stage1.lr : h.stage2.lr;
      const r = await fit({
        phase: stage === 1 ? "stage 1 of 2: pathway tokens" : "stage 2 of 2: cell token",
        program: stage === 1 ? stage1Program(a, h) : stage2Program(a, h),
        params,
        data: denseSource(blockRows(corpus, codes, a.tokens), corpus.cells, width),
        constants: { presence: corpus.presence },
        batch: h.batch,
        epochs: stage === 1 ? h.stage1.epochs : h.stage2.epochs,
        schedule: (epoch) => ({
          lr,
          inputs: stage === 2 && c.weight > 0 ? { clWeight: epoch === 0 ? 0 : c.weight } : ({} as Record<string, number>),
        }),
        seed: o.seed * 2 + stage,
        beforeEpoch: stage === 1 ? replaceDead : refit,
        ...(o.provider ? { provider: o.provider } : {}),
        ...(o.threads ? { threads: o.threads } : {}),
        ...(ckpt ? { checkpointPath: ckpt } : {}),
        ...(ckpt && existsSync(ckpt) ? { resumeFrom: ckpt } : {}),
        ...(o.shouldStop ? { shouldStop: o.shouldStop } : {}),
        ...(o.onProgress ? { onProgress: (p: Progress) => o.onProgress!(p, stage) } : {}),
      });
      provider = r.provider;
      const history = r.history.map((rec) => ({ ...rec, ...(stage === 1 ? usage.get(rec.epoch) : {}) }));
      const report: StageReport = {
        stage,
        status: r.status === "stopped" ? "stopped" : "completed",
        epochs: r.history.length,
        seconds: r.seconds,
        history,
      };
      reports.push(report);
      if (r.status === "stopped") {
        status = "stopped";
        break;
      }
      params = new Map([...params, ...r.params]);
      if (done) writeCheckpoint(done, tensorsOf(params), report);
    }
    if (status === "completed") {
      encoded = await encodeAll(params);
      codesUsed = countUsed(encoded.codes);
    }
    return {
      status,
      architecture: a,
      params,
      stages: reports,
      codesUsed,
      encoded,
      provider,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await encoder.close();
  }
}

function tensorsOf(params: ReadonlyMap<string, TypedArray>) {
  return new Map([...params].map(([k, v]) => [k, { dtype: "float32" as const, shape: [v.length], data: v }]));
}
