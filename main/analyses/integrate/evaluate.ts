/**
 * Scoring and describing cell embeddings in the integration workflow: the scib metrics of each embedding, the
 * non-sciLaMA baselines (unintegrated PCA, MNN on it), and the clusters and UMAP of the chosen embedding.
 */

import { leiden } from "../../analysis/leiden.js";
import { integrationMetrics } from "../../analysis/metrics/index.js";
import { mnnCorrect } from "../../analysis/mnn.js";
import { pca } from "../../analysis/pca.js";
import { umap } from "../../analysis/umap.js";
import type { Dense, Matrix } from "../../data/dataset.js";
import { overallScore } from "../../isomorphic/overall.js";

export const METRIC_COLUMNS = ["ari", "nmi", "asw", "batchAsw", "ilisi", "clisi", "overall"] as const;
export type MetricKey = (typeof METRIC_COLUMNS)[number];

/** One row of the metric table: an embedding's scib metrics, their overall score, the NMI-optimal resolution and the
 *  time they took. */
export type MetricRow = { method: string; seconds: number; resolution: number | null } & Record<MetricKey, number | null>;

export async function scoreEmbedding(
  method: string,
  embedding: Float32Array | Float64Array,
  cells: number,
  dims: number,
  labels: Int32Array | null,
  batches: Int32Array | null,
): Promise<MetricRow> {
  const t = performance.now();
  const m = await integrationMetrics(embedding, cells, dims, { ...(labels ? { labels } : {}), ...(batches ? { batches } : {}) });
  const { ari, nmi, asw, batchAsw, ilisi, clisi, resolution } = m;
  const overall = overallScore(m);
  return { method, ari, nmi, asw, batchAsw, ilisi, clisi, overall, resolution, seconds: (performance.now() - t) / 1000 };
}

export const PCA_DIMS = 50;

/**
 * The embeddings sciLaMA is compared with, on the same genes and cells: PCA of the globally scaled data (what one sees
 * without batch correction), PCA of the per-batch-scaled data (what the scaling alone buys) and MNN correction of the
 * first (scran). Each only when asked (and, but for the first, when there are batches).
 */
export async function embeddingBaselines(
  lognorm: Matrix,
  batchScaled: Dense | null,
  batches: Int32Array | null,
  want: { pca: boolean; pcaBatch: boolean; mnn: boolean },
): Promise<{ dims: number; pca: Float32Array | null; pcaBatch: Float32Array | null; mnn: Float32Array | null }> {
  const dims = Math.min(PCA_DIMS, Math.min(lognorm.nRows, lognorm.nCols) - 1);
  const global = want.pca || (want.mnn && batches) ? Float32Array.from((await pca(lognorm, dims, { scale: true })).embedding) : null;
  const mnn = want.mnn && batches && global ? Float32Array.from(await mnnCorrect(global, lognorm.nRows, dims, batches)) : null;
  const pcaBatch =
    want.pcaBatch && batchScaled
      ? Float32Array.from((await pca({ kind: "dense", ...batchScaled }, dims, { scale: false })).embedding)
      : null;
  return { dims, pca: want.pca ? global : null, pcaBatch, mnn };
}

/** Leiden clusters (resolution 1, modularity, as scanpy) and a 2-D UMAP of an embedding (both deterministic). */
export async function describeClusters(
  embedding: Float32Array,
  cells: number,
  dims: number,
): Promise<{ leiden: Int32Array; umap: Float32Array }> {
  const clusters = await leiden(embedding, cells, dims, { resolution: 1 });
  return { leiden: clusters, umap: await umap(embedding, cells, dims) };
}
