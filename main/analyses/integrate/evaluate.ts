/**
 * Scoring and describing cell embeddings in the integration workflow: the scib metrics of each embedding, the
 * non-sciLaMA baselines (unintegrated PCA, MNN on it), and the clusters and UMAP of the chosen embedding.
 */

import { leiden } from "../../analysis/leiden.js";
import { type IntegrationMetrics, integrationMetrics } from "../../analysis/metrics/index.js";
import { mnnCorrect } from "../../analysis/mnn.js";
import { pca } from "../../analysis/pca.js";
import { umap } from "../../analysis/umap.js";
import type { Matrix } from "../../data/dataset.js";

export const METRIC_COLUMNS = ["ari", "nmi", "asw", "batchAsw", "ilisi", "clisi"] as const;

/** One row of the metric table: an embedding's scib metrics (and the NMI-optimal resolution) and the time they took. */
export type MetricRow = { method: string; seconds: number } & Pick<IntegrationMetrics, (typeof METRIC_COLUMNS)[number] | "resolution">;

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
  return { method, ari, nmi, asw, batchAsw, ilisi, clisi, resolution, seconds: (performance.now() - t) / 1000 };
}

export const PCA_DIMS = 50;

/** Unintegrated PCA of the scaled modelled genes, and MNN correction of it when there are batches. */
export async function embeddingBaselines(
  lognorm: Matrix,
  batches: Int32Array | null,
): Promise<{ pca: { embedding: Float32Array; dims: number }; mnn: Float32Array | null }> {
  const dims = Math.min(PCA_DIMS, Math.min(lognorm.nRows, lognorm.nCols) - 1);
  const p = await pca(lognorm, dims, { scale: true });
  const embedding = Float32Array.from(p.embedding);
  const mnn = batches ? Float32Array.from(await mnnCorrect(embedding, lognorm.nRows, dims, batches)) : null;
  return { pca: { embedding, dims }, mnn };
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
