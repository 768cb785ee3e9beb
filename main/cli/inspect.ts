/** `scilama inspect <file>`: what is in a file, without importing it. */
import { type Dataset, matrixNnz } from "../data/dataset.js";
import type { Column } from "../data/frame.js";
import { mapGenes } from "../genes/map.js";
import { FORMAT_NAMES } from "../io/detect.js";
import { type ReadOptions, readDataset } from "../io/read.js";
import { summarizeQc } from "../pp/qc.js";
import { describeValues, type ValueKind } from "../pp/values.js";

const VALUE_WORDS: Record<ValueKind, string> = {
  counts: "counts (non-negative integers)",
  "non-negative": "non-negative non-integer values (normalised, or estimated counts)",
  signed: "negative values in X (scaled or centred): import needs counts or normalised values in X, layers['counts'] or raw",
};

import { fmt, print } from "./output.js";

function describeColumn(c: Column): string {
  if (c.kind === "categorical") return `categorical (${c.categories.length} categories)`;
  return c.kind;
}

export function inspectDataset(d: Dataset) {
  const nnz = matrixNnz(d.X);
  const genes = mapGenes(d.var.index);
  return {
    n_obs: d.X.nRows,
    n_vars: d.X.nCols,
    nnz,
    density: nnz / (d.X.nRows * d.X.nCols),
    x_storage: d.X.kind,
    x_values: describeValues(d.X),
    obs_columns: Object.fromEntries([...d.obs.columns].map(([k, c]) => [k, describeColumn(c)])),
    var_columns: [...d.var.columns.keys()],
    obsm: [...d.obsm.keys()],
    layers: [...d.layers.keys()],
    has_raw: d.raw !== undefined,
    gene_id_type: genes.guess.type,
    species: genes.guess.species,
    genes_mapped: genes.mapped,
    genes_unmapped: genes.unmapped.length,
    genes_duplicated: genes.duplicated.length,
    qc: summarizeQc(d),
  };
}

export async function inspectCommand(path: string, opts: ReadOptions & { json: boolean }): Promise<void> {
  const { dataset, report } = await readDataset(path, opts);
  const info = {
    file: path,
    format: report.format,
    ...(report.orientation ? { orientation: report.orientation, orientation_reason: report.orientationReason } : {}),
    warnings: report.warnings,
    ...inspectDataset(dataset),
  };
  print(opts.json, info, () =>
    [
      `${path}`,
      `  format        ${FORMAT_NAMES[report.format]}${report.orientation ? ` (${report.orientation}: ${report.orientationReason})` : ""}`,
      `  shape         ${fmt(info.n_obs)} cells × ${fmt(info.n_vars)} genes, ${fmt(info.nnz)} non-zeros (${(100 * info.density).toFixed(1)}% dense, stored ${info.x_storage})`,
      `  values        ${VALUE_WORDS[info.x_values]}`,
      `  genes         ${info.gene_id_type} ids (${info.species}); ${fmt(info.genes_mapped)} recognised, ${fmt(info.genes_unmapped)} not, ${info.genes_duplicated} duplicated`,
      `  cell columns  ${
        Object.entries(info.obs_columns)
          .map(([k, v]) => `${k}: ${v}`)
          .join("; ") || "none"
      }`,
      `  QC            counts/cell median ${fmt(info.qc.totalCounts.median)} (${fmt(info.qc.totalCounts.min)}–${fmt(info.qc.totalCounts.max)}); genes/cell median ${fmt(info.qc.genesPerCell.median)}; mito ${info.qc.mitoGenes} genes, median ${info.qc.pctMito.median.toFixed(1)}%`,
      ...report.warnings.map((w) => `  warning       ${w}`),
    ].join("\n"),
  );
}
