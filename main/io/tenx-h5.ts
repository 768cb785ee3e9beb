/**
 * 10x Genomics HDF5 matrices (`filtered_feature_bc_matrix.h5`): the CellRanger v3 `matrix` group (barcodes,
 * data, indices, indptr, shape, features/{id,name,feature_type}) and the v2 layout (one group per genome, with
 * genes/gene_names). The stored CSC genes × cells matrix is exactly CSR cells × genes.
 */
import h5wasm, { type Group as H5Group } from "h5wasm/node";
import type { Dataset } from "../data/dataset.js";
import { type Csr, csrProblem } from "../data/sparse.js";
import { checkUnique, checkValues, DataError } from "./errors.js";
import { h5Ready } from "./h5ad/read.js";
import { tenxGeneTable } from "./tenx-mtx.js";

function strings(g: H5Group, name: string, path: string): string[] {
  const ds = g.get(name);
  if (!(ds instanceof h5wasm.Dataset)) throw new DataError(path, `a '${name}' dataset in ${g.path}`, "none");
  return (ds.value as unknown[]).map(String);
}

function numbers(g: H5Group, name: string, path: string): ArrayLike<number | bigint> {
  const ds = g.get(name);
  if (!(ds instanceof h5wasm.Dataset)) throw new DataError(path, `a '${name}' dataset in ${g.path}`, "none");
  return ds.value as ArrayLike<number | bigint>;
}

export function isTenxH5(file: InstanceType<typeof h5wasm.File>): boolean {
  const keys = file.keys();
  if (keys.includes("X") && keys.includes("obs")) return false;
  return keys.some((k) => {
    const g = file.get(k);
    return g instanceof h5wasm.Group && g.keys().includes("barcodes") && g.keys().includes("indptr");
  });
}

export async function readTenxH5(path: string): Promise<{ dataset: Dataset; warnings: string[] }> {
  await h5Ready();
  const file = new h5wasm.File(path, "r");
  try {
    const groupName = file.keys().includes("matrix")
      ? "matrix"
      : file.keys().find((k) => (file.get(k) as H5Group)?.keys?.().includes("barcodes"));
    if (!groupName) throw new DataError(path, "a 10x HDF5 file with a 'matrix' group", `top-level entries ${file.keys().join(", ")}`);
    const g = file.get(groupName) as H5Group;
    const shape = Array.from(numbers(g, "shape", path), Number);
    const barcodes = strings(g, "barcodes", path);
    const v3 = g.keys().includes("features");
    const ids = v3 ? strings(g.get("features") as H5Group, "id", path) : strings(g, "genes", path);
    const names = v3 ? strings(g.get("features") as H5Group, "name", path) : strings(g, "gene_names", path);
    if (shape.length !== 2 || shape[0] !== ids.length || shape[1] !== barcodes.length) {
      throw new DataError(
        path,
        `shape [${ids.length} genes, ${barcodes.length} barcodes]`,
        `[${shape.join(", ")}]`,
        "The file is inconsistent.",
      );
    }
    const ip = numbers(g, "indptr", path);
    const indptr = Float64Array.from(ip as ArrayLike<number>, Number);
    const indicesRaw = numbers(g, "indices", path);
    const data = Float32Array.from(numbers(g, "data", path) as ArrayLike<number>, Number);
    const m: Csr = {
      nRows: barcodes.length,
      nCols: ids.length,
      indptr,
      indices: Int32Array.from(indicesRaw as ArrayLike<number>, Number),
      data,
    };
    const problem = csrProblem(m);
    if (problem) throw new DataError(path, "a consistent sparse matrix", problem, "The file is damaged.");
    checkValues(path, "the count matrix", data);
    checkUnique(path, "cell barcodes", barcodes, "Each barcode may appear once.");
    const genes = tenxGeneTable(ids, names, v3 ? strings(g.get("features") as H5Group, "feature_type", path) : undefined);
    return {
      dataset: {
        X: { kind: "csr", ...m },
        obs: { index: barcodes, columns: new Map() },
        var: genes.frame,
        obsm: new Map(),
        varm: new Map(),
        layers: new Map(),
        uns: {},
      },
      warnings: genes.warnings,
    };
  } finally {
    file.close();
  }
}
