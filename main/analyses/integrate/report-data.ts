/**
 * What a report shows, read from an integration result file (`uns['sciLaMA']` holds the parameters, gene coverage,
 * step records, timings and the metric table; `obsm['X_umap']` (and scPaLM's `X_umap_scPaLM`) and the categorical `obs`
 * columns the figures) plus,
 * for a run of a project, its loss curves and dataset records.
 */
import { createRequire } from "node:module";
import type { Json } from "../../data/dataset.js";
import { DataError } from "../../io/errors.js";
import { H5adFile } from "../../io/h5ad/read.js";
import type { LossPoint } from "../stages.js";
import { METRIC_COLUMNS, type MetricRow } from "./evaluate.js";

export interface ReportData {
  title: string;
  /** The file the report was made from. */
  source: string;
  runId: number | null;
  project: string | null;
  createdAt: string;
  datasets: { name: string; cells: number | null; genes: number | null }[];
  cells: number;
  genes: number;
  settings: {
    files: string[];
    prior: string;
    preset: string;
    seed: number;
    hvg: number;
    /** "batch" or "global" (runs made before the setting existed were scaled globally). */
    scaling: string;
    batch: string | null;
    label: string | null;
    hyper: Record<string, Json>;
    coverage: { datasetGenes: number; covered: number; dropped: number };
  };
  steps: { step: number; status: string; epochs: number; bestEpoch: number; seconds: number }[];
  device: string;
  seconds: Record<string, number>;
  metrics: MetricRow[];
  /** The UMAPs: sciLaMA's, then scPaLM's when the run embedded the cells with it too; each with the name of its own
   *  clusters' column. */
  maps: { embedding: string; clusters: string; umap: Float32Array | Float64Array }[];
  /** Which scPaLM model embedded the cells ("bundled model, zero-shot", "run 3's model"), when one did. */
  scpalmModel: string | null;
  groups: { name: string; role: "batch" | "label" | "cluster"; categories: string[]; codes: Int32Array }[];
  losses: LossPoint[];
  versions: Record<string, string>;
}

export interface ReportContext {
  runId?: number;
  project?: string;
  datasets?: ReportData["datasets"];
  losses?: LossPoint[];
  appVersion: string;
}

/** The embeddings a result may map: their UMAP's key in `obsm` and their Leiden clusters' column in `obs`. */
const MAPS = [
  ["sciLaMA", "X_umap", "leiden"],
  ["scPaLM", "X_umap_scPaLM", "scPaLM_leiden"],
] as const;

const obj = (v: Json | undefined): { [k: string]: Json } => (v && typeof v === "object" && !Array.isArray(v) ? v : {});
const strs = (v: Json | undefined): string[] => (Array.isArray(v) ? v.map(String) : []);

/** Rows from `uns`' dict-of-columns layout (NaN → null). */
function rowsOf(table: { [k: string]: Json }, keys: readonly string[]): Record<string, number | string | null>[] {
  const n = Array.isArray(table[keys[0]!]) ? (table[keys[0]!] as Json[]).length : 0;
  return Array.from({ length: n }, (_, i) =>
    Object.fromEntries(
      keys.map((k) => {
        const v = (table[k] as Json[] | undefined)?.[i];
        return [k, typeof v === "number" ? (Number.isNaN(v) ? null : v) : typeof v === "string" ? v : null];
      }),
    ),
  );
}

function packageVersion(name: string): string {
  try {
    return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

export async function reportData(file: string, ctx: ReportContext): Promise<ReportData> {
  const h = await H5adFile.open(file);
  try {
    const uns = h.readUns();
    const s = obj(uns.sciLaMA);
    if (!uns.sciLaMA)
      throw new DataError(
        file,
        "an integration result written by sciLaMA Studio (uns['sciLaMA'])",
        "no sciLaMA record",
        "Make reports from `scilama integrate` results.",
      );
    const obs = h.readFrame("obs");
    const obsm = h.readObsm();
    const maps = MAPS.flatMap(([embedding, key, clusters]) => {
      const m = obsm.get(key);
      return m ? [{ embedding, clusters, umap: m.values }] : [];
    });
    const batch = typeof s.batch === "string" ? s.batch : null;
    const label = typeof s.label === "string" ? s.label : null;
    const groups: ReportData["groups"] = [];
    for (const [name, role] of [
      [batch, "batch"],
      [label, "label"],
      ...MAPS.map(([, , clusters]) => [clusters, "cluster"] as const),
    ] as const) {
      const col = name ? obs.columns.get(name) : undefined;
      if (col?.kind === "categorical") groups.push({ name: name!, role, categories: col.categories, codes: col.codes });
    }
    const metricTable = rowsOf(obj(s.metrics), ["method", ...METRIC_COLUMNS]);
    const cov = obj(s.coverage);
    const hyper = obj(s.hyper);
    const files = strs(s.files);
    return {
      title: ctx.runId ? `Integration run ${ctx.runId}` : `Integration of ${files.join(", ")}`,
      source: file,
      runId: ctx.runId ?? null,
      project: ctx.project ?? null,
      createdAt: new Date().toISOString(),
      datasets: ctx.datasets ?? files.map((name) => ({ name, cells: null, genes: null })),
      cells: h.nObs,
      genes: h.nVars,
      settings: {
        files,
        prior: String(s.prior ?? ""),
        preset: String(s.preset ?? ""),
        seed: Number(s.seed ?? 0),
        hvg: Number(s.hvg ?? 0),
        scaling: String(s.scaling ?? "global"),
        batch,
        label,
        hyper,
        coverage: { datasetGenes: Number(cov.datasetGenes ?? 0), covered: Number(cov.covered ?? 0), dropped: Number(cov.dropped ?? 0) },
      },
      steps: rowsOf(obj(s.steps), ["step", "status", "epochs", "bestEpoch", "seconds"]).map((r) => ({
        step: Number(r.step),
        status: String(r.status),
        epochs: Number(r.epochs),
        bestEpoch: Number(r.bestEpoch),
        seconds: Number(r.seconds),
      })),
      device: String(s.device ?? "unknown"),
      seconds: Object.fromEntries(Object.entries(obj(s.seconds)).map(([k, v]) => [k, Number(v)])),
      metrics: metricTable.map(
        (r) => ({ method: String(r.method), ...Object.fromEntries(METRIC_COLUMNS.map((k) => [k, r[k] as number | null])) }) as MetricRow,
      ),
      maps,
      scpalmModel: typeof s.scpalmModel === "string" ? s.scpalmModel : null,
      groups,
      losses: ctx.losses ?? [],
      versions: {
        "sciLaMA Studio": ctx.appVersion,
        "Node.js": process.versions.node,
        onnxruntime: packageVersion("onnxruntime-node"),
        "scran.js": packageVersion("scran.js"),
        h5wasm: packageVersion("h5wasm"),
        echarts: packageVersion("echarts"),
      },
    };
  } finally {
    h.close();
  }
}
