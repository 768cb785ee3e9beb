/**
 * `scilama preprocess`: QC filters → normalize-total → log1p → HVG → optional scaling, as the sciLaMA appendix
 * prescribes, written to a new .h5ad (X = log-normalised or scaled values, layers['counts'] = raw counts,
 * var['highly_variable'], obs QC columns, uns['preprocessing'] = the parameters used).
 */
import type { Dataset } from "../data/dataset.js";
import type { Column } from "../data/frame.js";
import { subset } from "../data/subset.js";
import { DataError } from "../io/errors.js";
import { writeH5ad } from "../io/h5ad/write.js";
import { readDataset } from "../io/read.js";
import { type FilterOptions, filterDataset } from "../pp/filter.js";
import { hvgSeurat, hvgSeuratV3 } from "../pp/hvg.js";
import { log1p, normalizeTotal } from "../pp/normalize.js";
import { cellQc } from "../pp/qc.js";
import { scale } from "../pp/scale.js";
import { describeValues } from "../pp/values.js";
import { fmt, print } from "./output.js";

export interface PreprocessOptions extends FilterOptions {
  targetSum: number;
  hvg?: number;
  hvgFlavor: "seurat_v3" | "seurat";
  batch?: string;
  subsetHvg: boolean;
  scale: boolean;
  maxValue: number;
}

export function preprocess(input: Dataset, o: PreprocessOptions, file = "input") {
  const kind = describeValues(input.X);
  if (kind !== "counts") {
    throw new DataError(
      file,
      "raw counts (non-negative integers) in X",
      kind === "signed" ? "negative values (scaled data)" : "non-integer values (already normalised)",
      "Preprocessing starts from raw counts; import the counts (e.g. the file's layers['counts'] or raw).",
    );
  }
  const { dataset: filtered, report } = filterDataset(input, o);
  const counts = filtered.X;
  const logX = log1p(normalizeTotal(counts, o.targetSum));
  let out: Dataset = { ...filtered, X: logX, layers: new Map([...filtered.layers, ["counts", counts]]) };
  const qc = cellQc(filtered);
  out.obs = {
    ...out.obs,
    columns: new Map<string, Column>([
      ...out.obs.columns,
      ["total_counts", { kind: "numeric", values: qc.totalCounts }],
      ["n_genes_by_counts", { kind: "numeric", values: qc.nGenes }],
      ["pct_counts_mt", { kind: "numeric", values: qc.pctMito }],
    ]),
  };
  let nHvg = 0;
  if (o.hvg !== undefined) {
    let batches: Int32Array | undefined;
    if (o.batch) {
      const col = filtered.obs.columns.get(o.batch);
      if (!col || col.kind !== "categorical")
        throw new DataError(
          file,
          `a categorical cell column '${o.batch}' for batches`,
          col ? `a ${col.kind} column` : `no such column (columns: ${[...filtered.obs.columns.keys()].join(", ")})`,
        );
      batches = col.codes;
    }
    const h = o.hvgFlavor === "seurat_v3" ? hvgSeuratV3(counts, o.hvg, batches) : hvgSeurat(logX, o.hvg);
    nHvg = h.highlyVariable.reduce((s, x) => s + x, 0);
    out.var = {
      ...out.var,
      columns: new Map<string, Column>([
        ...out.var.columns,
        ["highly_variable", { kind: "bool", values: h.highlyVariable }],
        ["means", { kind: "numeric", values: h.means }],
        ["variances", { kind: "numeric", values: h.variances }],
      ]),
    };
    if (o.subsetHvg)
      out = subset(
        out,
        undefined,
        [...h.highlyVariable.keys()].filter((g) => h.highlyVariable[g]),
      );
  }
  if (o.scale) out = { ...out, X: { kind: "dense", ...scale(out.X, o.maxValue).scaled } };
  out.uns = { ...out.uns, preprocessing: { ...o, batch: o.batch ?? null, hvg: o.hvg ?? null, filter: { ...report } } as never };
  return { dataset: out, report, nHvg };
}

export async function preprocessCommand(path: string, outPath: string, o: PreprocessOptions & { json: boolean }): Promise<void> {
  const { dataset } = await readDataset(path);
  const { dataset: out, report, nHvg } = preprocess(dataset, o, path);
  writeH5ad(outPath, out);
  const result = {
    out: outPath,
    cells_before: report.cellsBefore,
    cells_after: report.cellsAfter,
    genes_before: report.genesBefore,
    genes_after: out.X.nCols,
    removed_by: report.removedBy,
    highly_variable: nHvg,
    scaled: o.scale,
  };
  print(
    o.json,
    result,
    () =>
      `Wrote ${outPath}: ${fmt(result.cells_after)} of ${fmt(result.cells_before)} cells, ${fmt(result.genes_after)} genes${nHvg ? `, ${nHvg} highly variable (${o.hvgFlavor})` : ""}${o.scale ? ", scaled" : ""}.`,
  );
}
