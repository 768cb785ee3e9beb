/**
 * scPaLM's cell embeddings on a dataset, scored with the scib metrics beside the trivial baselines: h_C (the cell
 * token), the mean of the pathway tokens (the paper's Table 5 "Mean" ablation), and PCA of the log-normalised values
 * (the paper's 256 PCs, and 50 as most pipelines use). Zero-shot when the dataset was not in the pre-training corpus.
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { pca } from "../../analysis/pca.js";
import type { Matrix } from "../../data/dataset.js";
import { type Encoded, exportScPaLMEncoder, ScPaLMEncoder, scPaLMArchitecture } from "../../models/scpalm.js";
import { buildCorpus, type CorpusCoverage, type CorpusPart, type ScPaLMCorpus } from "../../models/scpalm-corpus.js";
import { loadScPaLMModel, type ScPaLMModel } from "../../models/scpalm-files.js";
import type { ProviderChoice } from "../../train/providers.js";
import { type MetricRow, scoreEmbedding } from "../integrate/evaluate.js";
import { bundledScPaLMFolder, MODEL_FILE } from "./pretrain.js";

/**
 * The model's encoder applied to cells (their genes mapped to its vocabulary by id); with `reconstruct`, stage 1's
 * decoded expression over the vocabulary too.
 */
export async function encodeCells(
  model: ScPaLMModel,
  part: CorpusPart,
  o: { provider?: ProviderChoice; reconstruct?: boolean } = {},
): Promise<{ encoded: Encoded; corpus: ScPaLMCorpus; coverage: CorpusCoverage; provider: string }> {
  const a = scPaLMArchitecture(model.meta.hyper, model.meta.genes.length);
  const { corpus, coverage } = buildCorpus([part], model.meta.genes);
  const encoder = await ScPaLMEncoder.fromModel(a, exportScPaLMEncoder(a, model.params, {}, o.reconstruct), o.provider ?? "auto");
  try {
    const present = corpus.presence.subarray(0, a.genes);
    const encoded = await encoder.encode(corpus.x, corpus.cells, () => present);
    return { encoded, corpus, coverage: coverage[0]!, provider: encoder.provider };
  } finally {
    await encoder.close();
  }
}

/** The bundled desktop model (`resources/scpalm-model/`). */
export function bundledScPaLM(): ScPaLMModel {
  const path = join(bundledScPaLMFolder(), MODEL_FILE);
  if (!existsSync(path)) throw new Error(`the bundled scPaLM model is missing (${path}); run npm run derive:scpalm-model`);
  return loadScPaLMModel(path);
}

/** Cells' log-normalised expression (as one dataset) through the model in a folder, or the bundled one. */
export async function scPaLMCells(lognorm: Matrix, genes: readonly string[], folder?: string) {
  const model = folder ? loadScPaLMModel(join(folder, MODEL_FILE)) : bundledScPaLM();
  const r = await encodeCells(model, { name: "cells", file: "the integrated datasets", lognorm, genes });
  return { ...r, hidden: model.meta.hyper.hidden };
}

/** PC counts of the PCA baselines (capped by the data's size). */
export const PCA_BASELINES = [256, 50] as const;

export async function scoreEmbeddings(
  part: CorpusPart,
  encoded: Encoded,
  hidden: number,
  labels: Int32Array | null,
  batches: Int32Array | null,
): Promise<MetricRow[]> {
  const { lognorm } = part;
  const cells = lognorm.nRows;
  const rows: MetricRow[] = [];
  const score = async (method: string, x: Float32Array | Float64Array, dims: number) => {
    rows.push(await scoreEmbedding(method, x, cells, dims, labels, batches));
  };
  await score("scPaLM cell token h_C", encoded.cell, hidden);
  await score("scPaLM mean of pathway tokens", encoded.tokenMean, hidden);
  for (const n of PCA_BASELINES) {
    const dims = Math.min(n, Math.min(lognorm.nRows, lognorm.nCols) - 1);
    await score(`PCA, ${dims} PCs of log-normalised values`, (await pca(lognorm, dims)).embedding, dims);
  }
  return rows;
}
