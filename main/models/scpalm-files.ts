/**
 * A pre-trained scPaLM model on disk: one safetensors file (readable by Python's `safetensors`) holding every
 * parameter of both stages, with in its header what it needs to be applied and how it was made — the configuration,
 * the gene vocabulary in model order, the corpus and its coverage, the training log of both stages.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import type { TypedArray } from "../../native-models/index.js";
import { DataError } from "../io/errors.js";
import { readCheckpoint, writeCheckpoint } from "../train/checkpoint.js";
import { scPaLMArchitecture, scPaLMParamShapes } from "./scpalm.js";
import type { CorpusCoverage } from "./scpalm-corpus.js";
import { knownSettings, type ScPaLMHyper, validateScPaLMHyper } from "./scpalm-hyper.js";
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

/** What a model file must be, in a refusal's words. */
const MODEL_EXPECTED = "an scPaLM model file written by sciLaMA Studio ('scilama scpalm pretrain')";
const modelHint = (path: string) =>
  `${path} is damaged (cut short by a full disk or an interrupted copy?) or is not an scPaLM model: pre-train the model again, copy it again, or use the bundled model.`;
/** A header longer than this is no model's (the paper's configuration with 20,000 genes needs well under 1 MB). */
const MAX_HEADER_BYTES = 64 << 20;

const damaged = (path: string, found: string) => new DataError(path, MODEL_EXPECTED, found, modelHint(path));

/** Reads `length` bytes at `position` (fewer when the file is shorter). */
function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  let n = 0;
  while (n < length) {
    const got = readSync(fd, buf, n, length - n, position + n);
    if (got === 0) break;
    n += got;
  }
  return buf.subarray(0, n);
}

/**
 * A model file's configuration and vocabulary, read from its header alone and checked against the file: a regular
 * file, the safetensors layout, the scPaLM format, a valid configuration, a vocabulary of gene names, and every
 * parameter of that architecture present in float32, of its shape, lying within the file (so a file cut short is
 * found here). Refuses anything else with a DataError saying what was found — before any work reads the model.
 */
export function readScPaLMMeta(path: string): ScPaLMModelMeta {
  const st = statSync(path);
  if (!st.isFile()) throw damaged(path, st.isDirectory() ? "a folder" : "something that is not a regular file (a pipe or a device)");
  const fd = openSync(path, "r");
  try {
    const head = readAt(fd, 8, 0);
    if (head.length < 8) throw damaged(path, `a file of ${st.size} bytes, too short to be a model`);
    const n = Number(head.readBigUInt64LE(0));
    if (n < 2 || n > MAX_HEADER_BYTES || 8 + n > st.size)
      throw damaged(path, "no safetensors header (a file of another kind, or one cut short)");
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(readAt(fd, n, 8).toString("utf8")) as Record<string, unknown>;
    } catch {
      throw damaged(path, "a header that is not readable");
    }
    let meta: unknown;
    try {
      meta = JSON.parse((header?.__metadata__ as { state?: string } | undefined)?.state ?? "null");
    } catch {
      meta = null;
    }
    const m = meta as ScPaLMModelMeta | null;
    if (m?.format !== "scpalm/1" || !m.hyper || !Array.isArray(m.genes))
      throw damaged(path, "a file without scPaLM's description (another model's file, or a checkpoint)");
    try {
      m.hyper = knownSettings(m.hyper) as ScPaLMHyper;
      validateScPaLMHyper(m.hyper);
    } catch (e) {
      throw damaged(path, (e as Error).message);
    }
    if (!m.genes.every((g) => typeof g === "string") || m.genes.length < m.hyper.tokens)
      throw damaged(path, `a gene vocabulary that is not a list of at least ${m.hyper.tokens} gene names`);
    const data = st.size - 8 - n;
    for (const [name, shape] of scPaLMParamShapes(scPaLMArchitecture(m.hyper, m.genes.length), m.hyper)) {
      const t = header[name] as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | undefined;
      const bytes = 4 * shape.reduce((a, b) => a * b, 1);
      const [a, b] = Array.isArray(t?.data_offsets) ? (t.data_offsets as number[]) : [];
      const fits = t?.dtype === "F32" && Number.isInteger(a) && Number.isInteger(b) && b! - a! === bytes && a! >= 0;
      if (!fits) throw damaged(path, `the parameter ${name} missing or in another shape (a model of another version?)`);
      if (b! > data) throw damaged(path, `a file cut short: ${st.size} bytes where its parameters need ${8 + n + b!}`);
    }
    return m;
  } finally {
    closeSync(fd);
  }
}

/** The model in `path`, checked as `readScPaLMMeta` checks it; a damaged or foreign file is a DataError. */
export function loadScPaLMModel(path: string): ScPaLMModel {
  const m = readScPaLMMeta(path);
  let tensors: Map<string, { data: TypedArray }>;
  try {
    tensors = readCheckpoint(path).tensors;
  } catch (e) {
    throw damaged(path, `a file that cannot be read as one (${(e as Error).message})`);
  }
  const params = new Map([...tensors].map(([k, t]) => [k, t.data]));
  for (const [name, shape] of scPaLMParamShapes(scPaLMArchitecture(m.hyper, m.genes.length), m.hyper)) {
    const t = tensors.get(name);
    if (!t || t.data.length !== shape.reduce((a, b) => a * b, 1))
      throw damaged(path, `the parameter ${name} missing or in another shape (a model of another version?)`);
  }
  return { params, meta: m };
}
