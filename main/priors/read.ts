/**
 * Reads a gene prior (static gene embeddings) from the formats people have them in. The format is recognised
 * from the content where it has a signature (HDF5, parquet, NumPy, gzip) and from the extension otherwise:
 *
 * | format | layout |
 * |---|---|
 * | `.csv`/`.tsv`/`.txt` (optionally `.gz`) | gene id in the first column, one number per further column; header optional |
 * | `.parquet` | sciLaMA's `gene_id` + `embedding` (list) columns, or one text column + numeric columns |
 * | `.npy` / `.npy.gz` | a 2-D float array (genes × dims) plus a gene list (see below) |
 * | `.h5` / `.hdf5` | a 2-D numeric dataset plus a 1-D text dataset of gene ids (see hdf5.ts) |
 *
 * NPY gene lists: the `genes` option, or else a file beside the array with the same stem: `<stem>.genes.txt`,
 * `<stem>.genes.tsv`, `<stem>.txt`, `<stem>.tsv` (each optionally `.gz`). One gene per line; when a line has
 * tabs or commas, the first field is the gene id (so a TSV of `entrez<TAB>symbol` works); a header line is
 * recognised when the file has exactly one line more than the array has rows.
 */

import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { gunzipSync, constants as zc } from "node:zlib";
import { DataError } from "../io/errors.js";
import { checkInputs } from "../io/inputs.js";
import { headBytes, isGzip, lines, splitFields } from "../io/text.js";
import { readPriorHdf5 } from "./hdf5.js";
import { isNpy, parseNpy } from "./npy.js";
import { readPriorParquet } from "./parquet.js";
import { readPriorTable } from "./table.js";
import { type GenePrior, validatePrior } from "./types.js";

export type { GenePrior } from "./types.js";

export interface ReadPriorOptions {
  /** For .npy: the gene-list file (one id per line, in the array's row order). */
  genes?: string;
  /** Display name; default: the file name without its extensions. */
  name?: string;
}

export type PriorFormat = "table" | "parquet" | "npy" | "hdf5";

const HDF5_MAGIC = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
const PARQUET_MAGIC = Buffer.from("PAR1", "latin1");
const SUPPORTED =
  "CSV/TSV (.csv, .tsv, .txt, optionally .gz), parquet (.parquet), NumPy (.npy, .npy.gz, with a gene list) or HDF5 (.h5, .hdf5)";

function stripExt(file: string): { stem: string; ext: string; gz: boolean } {
  let b = basename(file);
  const gz = /\.gz$/i.test(b);
  if (gz) b = b.slice(0, -3);
  const m = /\.([A-Za-z0-9]+)$/.exec(b);
  return { stem: m ? b.slice(0, -m[0].length) : b, ext: m ? m[1].toLowerCase() : "", gz };
}

function gunzipHead(path: string, n: number): Buffer {
  try {
    return gunzipSync(headBytes(path, 4096), { finishFlush: zc.Z_SYNC_FLUSH }).subarray(0, n);
  } catch {
    return Buffer.alloc(0);
  }
}

/** Which reader a file needs: by signature for binary formats, by extension for text. */
export function detectPriorFormat(path: string): PriorFormat {
  if (!existsSync(path)) throw new DataError(path, "a gene embedding file", "no file at this path");
  const st = statSync(path);
  if (st.isDirectory()) throw new DataError(path, `a gene embedding file: ${SUPPORTED}`, "a folder");
  if (st.size === 0)
    throw new DataError(path, "a gene embedding file", "an empty file (0 bytes)", "The file may not have finished copying.");
  const head = headBytes(path, 8);
  const { ext } = stripExt(path);
  if (head.length >= 8 && HDF5_MAGIC.equals(head.subarray(0, 8))) return "hdf5";
  if (head.length >= 4 && PARQUET_MAGIC.equals(head.subarray(0, 4))) return "parquet";
  if (isNpy(head)) return "npy";
  if (isGzip(path) && isNpy(gunzipHead(path, 8))) return "npy";
  const binaryExt: Record<string, string> = { parquet: "parquet", pq: "parquet", npy: "NumPy .npy", h5: "HDF5", hdf5: "HDF5", he5: "HDF5" };
  if (binaryExt[ext]) {
    throw new DataError(
      path,
      `a ${binaryExt[ext]} file, as its name says`,
      "other content (the file is damaged, truncated or misnamed)",
      "Export the embeddings again, or rename the file to what it really is.",
    );
  }
  if (["csv", "tsv", "txt", "tab"].includes(ext)) return "table";
  throw new DataError(
    path,
    `a gene embedding file: ${SUPPORTED}`,
    ext ? `the extension '.${ext}'` : "a file without an extension",
    ext === "npz" || ext === "pt" || ext === "pkl" || ext === "pickle"
      ? "Pickled and .npz/.pt files are not read (they can run code); save the matrix with numpy.save() and the gene ids as a text file."
      : "Save the embeddings in one of these formats.",
  );
}

/** Reads a gene-id list file: one id per line (first field of tab/comma-separated lines). */
export async function readGeneList(path: string): Promise<string[]> {
  if (!existsSync(path)) throw new DataError(path, "a gene list file", "no file at this path");
  const out: string[] = [];
  for await (const raw of lines(path)) {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") continue;
    const sep = line.includes("\t") ? "\t" : line.includes(",") ? "," : "";
    out.push((sep ? splitFields(line, sep)[0] : line).trim());
  }
  return out;
}

function geneListCandidates(npyPath: string): string[] {
  const dir = dirname(npyPath);
  const { stem } = stripExt(npyPath);
  const names = [`${stem}.genes.txt`, `${stem}.genes.tsv`, `${stem}.txt`, `${stem}.tsv`];
  return names.flatMap((n) => [join(dir, n), join(dir, `${n}.gz`)]);
}

async function readPriorNpy(path: string, name: string, genesFile?: string): Promise<GenePrior> {
  const buf = isGzip(path) ? gunzip(path) : readFileSync(path);
  const arr = parseNpy(path, buf);
  if (arr.shape.length !== 2) {
    throw new DataError(
      path,
      "a 2-D array (genes × dimensions)",
      `an array of shape (${arr.shape.join(", ")})`,
      "Save the embedding matrix itself, one row per gene.",
    );
  }
  const [rows, dim] = arr.shape;
  let listFile = genesFile;
  if (!listFile) {
    const candidates = geneListCandidates(path);
    listFile = candidates.find((c) => existsSync(c));
    if (!listFile) {
      throw new DataError(
        path,
        `a gene list for the ${rows} rows of the array`,
        `no gene list given and none beside it (looked for ${candidates
          .filter((c) => !c.endsWith(".gz"))
          .map((c) => basename(c))
          .join(", ")})`,
        "Save the gene ids in row order, one per line, as <name>.genes.txt next to the .npy file, or choose the gene list file.",
      );
    }
  }
  let genes = await readGeneList(listFile);
  if (genes.length === rows + 1) genes = genes.slice(1);
  if (genes.length !== rows) {
    throw new DataError(
      listFile,
      `${rows} gene ids, one per row of ${basename(path)} (${rows} × ${dim})`,
      `${genes.length} gene ids`,
      "The gene list must be in the same order as the array's rows.",
    );
  }
  validatePrior(path, genes, dim, arr.values);
  return { name, genes, dim, values: arr.values, source: path };
}

function gunzip(path: string): Buffer {
  try {
    return gunzipSync(readFileSync(path));
  } catch (e) {
    throw new DataError(path, "a complete gzip file", `a damaged stream (${(e as Error).message})`, "Copy or download it again.");
  }
}

/** Reads a gene prior from CSV/TSV, parquet, NPY (+ gene list) or HDF5; every problem is a DataError. */
export async function readPrior(path: string, opts: ReadPriorOptions = {}): Promise<GenePrior> {
  if (existsSync(path)) checkInputs([{ path, what: "the prior file", kind: "file" }]);
  const format = detectPriorFormat(path);
  const name = opts.name ?? stripExt(path).stem.replace(/\.genes$/, "");
  let prior: GenePrior;
  switch (format) {
    case "table":
      prior = await readPriorTable(path, name);
      break;
    case "parquet":
      prior = await readPriorParquet(path, name);
      break;
    case "npy":
      prior = await readPriorNpy(path, name, opts.genes);
      break;
    case "hdf5":
      prior = await readPriorHdf5(path, name);
      break;
  }
  return prior;
}
