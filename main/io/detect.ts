/** Decides what a file is from its content (magic bytes, structure), and says so when the extension disagrees. */
import { existsSync, statSync } from "node:fs";
import { extname } from "node:path";
import h5wasm from "h5wasm/node";
import { DataError } from "./errors.js";
import { h5Ready } from "./h5ad/read.js";
import { isTenxH5 } from "./tenx-h5.js";
import { isTenxMtxFolder } from "./tenx-mtx.js";
import { headBytes, isGzip, lines } from "./text.js";

export type Format = "h5ad" | "10x-h5" | "10x-mtx" | "table";

export const FORMAT_NAMES: Record<Format, string> = {
  h5ad: "AnnData .h5ad",
  "10x-h5": "10x Genomics HDF5 matrix",
  "10x-mtx": "10x Genomics Matrix Market folder",
  table: "delimited text table (CSV/TSV)",
};

const HDF5_MAGIC = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Files people drop by mistake, recognised by their first bytes, with what to do instead. */
const NOT_DATA: { magic: Buffer; what: string; hint: string }[] = [
  {
    magic: Buffer.from("%PDF"),
    what: "a PDF document",
    hint: "PDFs hold no expression matrix: drop the .h5ad, 10x .h5/folder or CSV/TSV file itself.",
  },
  {
    magic: Buffer.from([0x50, 0x4b, 0x03, 0x04]),
    what: "a ZIP archive (Excel .xlsx files are ZIP archives too)",
    hint: "Unzip it and drop the data file inside, or save an Excel sheet as CSV.",
  },
  { magic: Buffer.from([0x89, 0x50, 0x4e, 0x47]), what: "a PNG image", hint: "Drop the data file, not a picture of it." },
  { magic: Buffer.from([0xff, 0xd8, 0xff]), what: "a JPEG image", hint: "Drop the data file, not a picture of it." },
];

const EXPECTED_BY_EXTENSION: Record<string, Format[]> = {
  ".h5ad": ["h5ad"],
  ".h5": ["10x-h5", "h5ad"],
  ".hdf5": ["10x-h5", "h5ad"],
  ".csv": ["table"],
  ".tsv": ["table"],
  ".txt": ["table"],
};

async function firstLine(path: string): Promise<string> {
  for await (const line of lines(path)) return line;
  return "";
}

export async function detectFormat(path: string): Promise<Format> {
  if (!existsSync(path)) throw new DataError(path, "a file or 10x folder", "nothing at this path", "Check the path.");
  const st = statSync(path);
  if (st.isDirectory()) {
    if (isTenxMtxFolder(path)) return "10x-mtx";
    throw new DataError(path, "a 10x folder containing matrix.mtx(.gz)", "a folder without one");
  }
  if (st.size === 0)
    throw new DataError(path, "a data file", "an empty file (0 bytes)", "The file may not have finished copying or downloading.");
  const head = headBytes(path, 8);
  let format: Format;
  if (head.equals(HDF5_MAGIC)) {
    await h5Ready();
    const f = new h5wasm.File(path, "r");
    try {
      if (f.file_id < 0n)
        throw new DataError(
          path,
          "a readable HDF5 file",
          "damaged HDF5 content",
          "The file is truncated or corrupt: copy it again, or export it again from scanpy/anndata.",
        );
      format = isTenxH5(f) ? "10x-h5" : "h5ad";
    } finally {
      f.close();
    }
  } else {
    const known = NOT_DATA.find((k) => head.subarray(0, k.magic.length).equals(k.magic));
    if (known) throw new DataError(path, "single-cell data (.h5ad, 10x .h5 or folder, CSV/TSV)", known.what, known.hint);
    const ext = extname(path.replace(/\.gz$/, "")).toLowerCase();
    if (ext === ".h5ad" || ext === ".h5" || ext === ".hdf5") {
      throw new DataError(
        path,
        `HDF5 content (as the '${ext}' extension says)`,
        "no HDF5 signature at the start of the file",
        "The file is damaged, truncated at the start, or not really an HDF5 file; export it again.",
      );
    }
    const sample = isGzip(path) ? null : headBytes(path, 4096);
    if (sample && sample.includes(0)) {
      throw new DataError(
        path,
        "a supported format (.h5ad, 10x .h5, 10x folder, CSV/TSV)",
        "binary content of an unknown kind",
        "Convert it to one of the supported formats.",
      );
    }
    const line = await firstLine(path);
    if (line.startsWith("%%MatrixMarket")) {
      throw new DataError(
        path,
        "a whole 10x folder (matrix.mtx with features.tsv and barcodes.tsv)",
        "a lone matrix.mtx file",
        "Import the folder that contains it.",
      );
    }
    format = "table";
  }
  const ext = extname(path.replace(/\.gz$/, "")).toLowerCase();
  const expected = EXPECTED_BY_EXTENSION[ext];
  if (expected && !expected.includes(format)) {
    throw new DataError(
      path,
      `${FORMAT_NAMES[expected[0]]} content (from the '${ext}' extension)`,
      `a ${FORMAT_NAMES[format]}`,
      "Rename the file to match its content, or export it again.",
    );
  }
  return format;
}
