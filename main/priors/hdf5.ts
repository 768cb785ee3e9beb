/**
 * Gene priors in HDF5 (`.h5`/`.hdf5`): a 2-D numeric dataset of embeddings (genes × dims) and a 1-D string
 * dataset of gene ids, anywhere in the file. The embeddings are the dataset named `embeddings`/`embedding`/
 * `vectors`/`X`/`data`/`values`, or the only 2-D numeric dataset; the gene ids are the 1-D string dataset named
 * `genes`/`gene_ids`/`gene_names`/`symbols`/`names`/`index`…, or the only 1-D string dataset whose length
 * matches. A matrix stored dims × genes (as R's rhdf5 writes) is transposed when only its second axis matches
 * the number of gene ids.
 */
import { existsSync } from "node:fs";
import h5wasm, { type Dataset as H5Dataset, type Group as H5Group } from "h5wasm/node";
import { DataError } from "../io/errors.js";
import { h5Ready } from "../io/h5ad/read.js";
import { type GenePrior, validatePrior } from "./types.js";

const MATRIX_NAMES = ["embeddings", "embedding", "emb", "vectors", "x", "data", "values", "matrix"];
const GENE_NAMES = [
  "genes",
  "gene_ids",
  "gene_id",
  "gene_names",
  "gene_name",
  "gene_symbols",
  "symbols",
  "gene",
  "names",
  "ids",
  "index",
  "_index",
  "var_names",
];
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;

interface Entry {
  path: string;
  base: string;
  ds: H5Dataset;
  shape: number[];
  type: number;
}

function walk(g: H5Group, prefix: string, out: Entry[]): void {
  for (const k of g.keys()) {
    const child = g.get(k);
    const path = `${prefix}/${k}`;
    if (child instanceof h5wasm.Group) walk(child, path, out);
    else if (child instanceof h5wasm.Dataset) {
      const meta = child.metadata as { type: number };
      out.push({ path, base: k.toLowerCase(), ds: child, shape: child.shape ?? [], type: meta.type });
    }
  }
}

function byName(entries: Entry[], names: string[]): Entry[] {
  for (const n of names) {
    const hits = entries.filter((e) => e.base === n);
    if (hits.length) return hits;
  }
  return [];
}

function list(entries: Entry[]): string {
  if (entries.length === 0) return "no datasets";
  const shown = entries
    .slice(0, 12)
    .map(
      (e) =>
        `${e.path} [${e.shape.join(" × ") || "scalar"}, ${e.type === H5T_STRING ? "text" : e.type === H5T_FLOAT ? "float" : e.type === H5T_INTEGER ? "integer" : "other"}]`,
    )
    .join(", ");
  return entries.length > 12 ? `${shown} and ${entries.length - 12} more` : shown;
}

export async function readPriorHdf5(path: string, name: string): Promise<GenePrior> {
  if (!existsSync(path)) throw new DataError(path, "an HDF5 file", "no file at this path");
  await h5Ready();
  let file: InstanceType<typeof h5wasm.File>;
  try {
    file = new h5wasm.File(path, "r");
  } catch (e) {
    throw new DataError(path, "a readable HDF5 file", `damaged content (${(e as Error).message.split("\n")[0]})`);
  }
  if (file.file_id < 0n)
    throw new DataError(path, "a readable HDF5 file", "content HDF5 could not open", "The file may be truncated or corrupt.");
  try {
    const enc = file.attrs["encoding-type"]?.value;
    if (enc === "anndata") {
      throw new DataError(
        path,
        "a file of gene embeddings (a genes × dimensions matrix and a list of gene ids)",
        "an AnnData dataset (.h5ad)",
        "Import expression data as a dataset; a gene prior holds one vector per gene.",
      );
    }
    const entries: Entry[] = [];
    walk(file as unknown as H5Group, "", entries);
    const matrices = entries.filter((e) => e.shape.length === 2 && (e.type === H5T_FLOAT || e.type === H5T_INTEGER));
    const geneLists = entries.filter((e) => e.shape.length === 1 && e.type === H5T_STRING);
    const help =
      "Store the embeddings as a 2-D dataset named 'embeddings' (genes × dimensions) and the gene ids as a 1-D text dataset named 'genes'.";
    let matrix: Entry | undefined;
    if (matrices.length === 1) matrix = matrices[0];
    else {
      const named = byName(matrices, MATRIX_NAMES);
      if (named.length === 1) matrix = named[0];
    }
    if (!matrix) {
      throw new DataError(
        path,
        matrices.length ? "one 2-D numeric dataset named 'embeddings'" : "a 2-D numeric dataset of embeddings (genes × dimensions)",
        `${matrices.length ? "several 2-D datasets" : "none"}; the file holds ${list(entries)}`,
        help,
      );
    }
    const [r, c] = matrix.shape;
    const fits = geneLists.filter((e) => e.shape[0] === r || e.shape[0] === c);
    let genesEntry: Entry | undefined;
    const named = byName(fits, GENE_NAMES);
    if (named.length === 1) genesEntry = named[0];
    else if (fits.length === 1) genesEntry = fits[0];
    else {
      const rowFits = fits.filter((e) => e.shape[0] === r);
      if (rowFits.length === 1) genesEntry = rowFits[0];
    }
    if (!genesEntry) {
      throw new DataError(
        path,
        `one 1-D text dataset of ${r} gene ids (e.g. 'genes') for the ${r} × ${c} matrix ${matrix.path}`,
        `${fits.length ? "several candidates" : "none of that length"}; the file holds ${list(entries)}`,
        help,
      );
    }
    const genes = (genesEntry.ds.value as unknown[]).map((g) => String(g).trim());
    const raw = matrix.ds.value as ArrayLike<number | bigint>;
    let values: Float32Array;
    let dim: number;
    if (genes.length === r) {
      dim = c;
      values = raw instanceof Float32Array ? raw.slice() : Float32Array.from(raw as ArrayLike<number>, Number);
    } else {
      dim = r;
      values = new Float32Array(r * c);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) values[j * r + i] = Number(raw[i * c + j]);
    }
    validatePrior(path, genes, dim, values);
    return { name, genes, dim, values, source: path };
  } finally {
    file.close();
  }
}
