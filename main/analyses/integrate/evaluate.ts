/**
 * Scoring and describing cell embeddings in the integration workflow: the scib metrics of each embedding, the
 * non-sciLaMA baselines (unintegrated PCA, MNN on it), and the clusters and UMAP of the chosen embedding.
 */

import { leiden } from "../../analysis/leiden.js";
import { type IntegrationMetrics, integrationMetrics } from "../../analysis/metrics/index.js";
import { mnnCorrect } from "../../analysis/mnn.js";
import { pca } from "../../analysis/pca.js";
import { umap } from "../../analysis/umap.js";
import type { Dense, Matrix } from "../../data/dataset.js";

export const METRIC_COLUMNS = ["ari", "nmi", "asw", "batchAsw", "ilisi", "clisi", "overall"] as const;
export type MetricKey = (typeof METRIC_COLUMNS)[number];

/** One row of the metric table: an embedding's scib metrics, their overall score, the NMI-optimal resolution and the
 *  time they took. */
export type MetricRow = { method: string; seconds: number; resolution: number | null } & Record<MetricKey, number | null>;

const mean = (xs: readonly (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

/**
 * scib's overall score, 0.6 × bio conservation + 0.4 × batch correction, from the metrics this table has: bio = mean of
 * ARI, NMI, cell-type ASW and cLISI; batch = mean of batch ASW and iLISI (scib's full set adds isolated-label scores,
 * graph connectivity, PCR and kBET, which are not computed here). Null unless the run has both labels and batches.
 */
export function overallScore(m: Pick<IntegrationMetrics, "ari" | "nmi" | "asw" | "clisi" | "batchAsw" | "ilisi">): number | null {
  const bio = mean([m.ari, m.nmi, m.asw, m.clisi]);
  const batch = mean([m.batchAsw, m.ilisi]);
  return bio === null || batch === null ? null : 0.6 * bio + 0.4 * batch;
}

/** The row with the highest overall score, or null when no row has one. */
export function bestOverall(rows: readonly MetricRow[]): MetricRow | null {
  return rows.reduce<MetricRow | null>((best, r) => (r.overall !== null && (best === null || r.overall > best.overall!) ? r : best), null);
}

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
