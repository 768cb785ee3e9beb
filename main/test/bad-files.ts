/**
 * Bad input files, built by the tests from real data: each maker writes one into `dir` and returns its path, with the
 * words a refusal of it must contain. Used by the table-driven refusal suite (`refusals.test.ts`).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Dataset } from "../data/dataset.js";
import { writeH5ad } from "../io/h5ad/write.js";
import { H5Writer } from "../io/hdf5/writer.js";
import { readDataset } from "../io/read.js";
import { log1p, normalizeTotal } from "../pp/normalize.js";
import { scale } from "../pp/scale.js";
import { PBMC_SMALL, PBMC_SMALL_MTX, PBMC3K } from "./helpers.js";

export type BadFile = [name: string, make: (dir: string) => string | Promise<string>, message: RegExp];

/** A copy of the small 10x folder with its files edited (or left out: null). */
function mtxFolder(
  dir: string,
  name: string,
  edit: (mtx: string, genes: string, barcodes: string) => [string, string | null, string],
): string {
  const f = join(dir, name);
  mkdirSync(f);
  const [m, g, b] = edit(
    readFileSync(join(PBMC_SMALL_MTX, "matrix.mtx"), "utf8"),
    readFileSync(join(PBMC_SMALL_MTX, "genes.tsv"), "utf8"),
    readFileSync(join(PBMC_SMALL_MTX, "barcodes.tsv"), "utf8"),
  );
  writeFileSync(join(f, "matrix.mtx"), m);
  if (g !== null) writeFileSync(join(f, "genes.tsv"), g);
  writeFileSync(join(f, "barcodes.tsv"), b);
  return f;
}

const entryLine = (mtx: string, i: number) => mtx.split("\n").findIndex((l, k) => k > 2 && l.length > 0) + i;

/** The value on the i-th entry line of a Matrix Market file replaced by `v`. */
const entry = (i: number, v: string) => (m: string, g: string, b: string) => {
  const lines = m.split("\n");
  const at = entryLine(m, i);
  lines[at] = lines[at]!.replace(/\S+$/, v);
  return [lines.join("\n"), g, b] as [string, string, string];
};

const write = (dir: string, name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

/** pbmc_small as scanpy leaves it after `sc.pp.scale` without keeping raw: only z-scores. */
async function scaledOnly(dir: string): Promise<string> {
  const { dataset } = await readDataset(PBMC_SMALL);
  const d: Dataset = { ...dataset, X: { kind: "dense", ...scale(log1p(normalizeTotal(dataset.X)), 10).scaled }, layers: new Map() };
  delete d.raw;
  const p = join(dir, "scaled.h5ad");
  writeH5ad(p, d);
  return p;
}

async function withNan(dir: string): Promise<string> {
  const { dataset } = await readDataset(PBMC_SMALL);
  const X = dataset.X;
  if (X.kind !== "csr") throw new Error("pbmc_small is sparse");
  const data = X.data.slice();
  data[5] = Number.NaN;
  const p = join(dir, "nan.h5ad");
  writeH5ad(p, { ...dataset, X: { ...X, data } });
  return p;
}

/** Files no import may take: each is refused (exit 3) with these words, leaving the project as it was. */
export const BAD_DATASETS: BadFile[] = [
  [
    "truncated .h5ad",
    (dir) => write(dir, "truncated.h5ad", readFileSync(PBMC3K).subarray(0, 1_000_000)),
    /truncated\.h5ad: expected .*(HDF5|matrix|consistent).*found/,
  ],
  [
    ".h5ad with a corrupted signature",
    (dir) => {
      const b = Buffer.from(readFileSync(PBMC_SMALL));
      b.fill(0x42, 0, 64);
      return write(dir, "corrupt.h5ad", b);
    },
    /corrupt\.h5ad: expected HDF5 content .* found no HDF5 signature/,
  ],
  [
    "HDF5 that is not AnnData",
    (dir) => {
      const p = join(dir, "other.h5ad");
      const w = new H5Writer(p);
      w.root.group("results").array("values", Float32Array.of(1, 2, 3));
      w.close();
      return p;
    },
    /other\.h5ad: expected .*found/,
  ],
  [
    "indptr that disagrees with the shape",
    (dir) => {
      const p = join(dir, "badindptr.h5ad");
      const w = new H5Writer(p);
      const X = w.root
        .group("X")
        .attr("encoding-type", "csr_matrix")
        .attr("encoding-version", "0.1.0")
        .attr("shape", BigInt64Array.of(3n, 2n));
      X.array("data", Float32Array.of(1, 2));
      X.array("indices", Int32Array.of(0, 1));
      X.array("indptr", Int32Array.of(0, 1, 2));
      for (const f of ["obs", "var"])
        w.root
          .group(f)
          .attr("encoding-type", "dataframe")
          .attr("_index", "_index")
          .strings("_index", f === "obs" ? ["a", "b", "c"] : ["g1", "g2"]);
      w.close();
      return p;
    },
    /indptr of length 4 for shape 3 × 2.*found length 3/,
  ],
  ["NaN in an .h5ad", withNan, /nan\.h5ad: expected finite numbers in the expression matrix, but found NaN at position 5/],
  [
    "only scaled values in an .h5ad (no counts, no raw)",
    scaledOnly,
    /scaled\.h5ad: expected raw counts or normalised expression .*found X: negative values \(scaled or batch-corrected data\).*adata\.raw/,
  ],
  [
    "negative values in a CSV (one rule with .h5ad)",
    (dir) => write(dir, "neg.csv", "gene,c1,c2\nCD3E,-1,2\nMS4A1,0,2\n"),
    /neg\.csv: expected raw counts or normalised expression .*found X: negative values/,
  ],
  ["empty file", (dir) => write(dir, "empty.h5ad", ""), /empty\.h5ad: .*found an empty file \(0 bytes\)/],
  [
    "a CSV named .h5ad",
    (dir) => write(dir, "table.h5ad", "gene,c1\nCD3E,1\n"),
    /table\.h5ad: expected HDF5 content \(as the '\.h5ad' extension says\)/,
  ],
  [
    "an .h5ad named .csv",
    (dir) => {
      const p = join(dir, "data.csv");
      copyFileSync(PBMC_SMALL, p);
      return p;
    },
    /data\.csv: expected delimited text table \(CSV\/TSV\) content \(from the '\.csv' extension\), but found a AnnData \.h5ad/,
  ],
  [
    "NaN in a table",
    (dir) => write(dir, "nan.csv", "gene,c1,c2\nCD3E,1,NaN\nMS4A1,0,2\n"),
    /nan\.csv: expected a number in every cell of the table, but found 'NaN' at row 'CD3E', column 'c2'/,
  ],
  [
    "Inf in a table",
    (dir) => write(dir, "inf.csv", "gene,c1,c2\nCD3E,1,Infinity\nMS4A1,0,2\n"),
    /inf\.csv: expected a number in every cell .* found 'Infinity'/,
  ],
  [
    "a ragged table",
    (dir) => write(dir, "ragged.tsv", "gene\tc1\tc2\nCD3E\t1\t2\nMS4A1\t0\n"),
    /expected 3 fields on every line .* found 2 fields on line 3/,
  ],
  [
    "a header-only table",
    (dir) => write(dir, "header.csv", "gene,c1,c2\n"),
    /header\.csv: expected at least one data row below the header, but found only a header/,
  ],
  [
    "corrupt gzip",
    (dir) => write(dir, "bad.csv.gz", Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from("garbage garbage")])),
    /bad\.csv\.gz: expected a complete text or gzip file, but found a damaged stream/,
  ],
  [
    "a 10x folder without features",
    (dir) => mtxFolder(dir, "nofeatures", (m, _g, b) => [m, null, b]),
    /nofeatures: expected a 10x folder with matrix\.mtx, features\.tsv \(or genes\.tsv\) and barcodes\.tsv, but found barcodes\.tsv, matrix\.mtx/,
  ],
  [
    "mtx whose size disagrees with its tsv files",
    (dir) => mtxFolder(dir, "dims", (m, g, b) => [m, g.split("\n").slice(0, 200).join("\n"), b]),
    /expected 200 genes × 80 cells .* found a 230 × 80 matrix.*do not belong together/,
  ],
  ["non-numeric count", (dir) => mtxFolder(dir, "text", entry(5, "abc")), /expected a numeric value on every entry line, but found 'abc'/],
  [
    "negative count in a 10x folder",
    (dir) => mtxFolder(dir, "neg", entry(3, "-4")),
    /neg: expected raw counts or normalised expression .*found X: negative values/,
  ],
  [
    "duplicate barcodes",
    (dir) =>
      mtxFolder(dir, "dupbc", (m, g, b) => {
        const lines = b.trimEnd().split("\n");
        lines[5] = lines[4]!;
        return [m, g, `${lines.join("\n")}\n`];
      }),
    /expected unique cell barcodes, but found '.+' 2 times/,
  ],
  [
    "an empty folder",
    (dir) => {
      mkdirSync(join(dir, "emptydir"));
      return join(dir, "emptydir");
    },
    /emptydir: expected a 10x folder containing matrix\.mtx\(\.gz\), but found a folder without one/,
  ],
  [
    "a path with nothing there",
    (dir) => join(dir, "nothere.h5ad"),
    /nothere\.h5ad: expected a file or 10x folder, but found nothing at this path/,
  ],
];

/** Prior files an integration must refuse before it records a run (exit 3). */
export const BAD_PRIORS: BadFile[] = [
  ["ragged prior", (dir) => write(dir, "ragged-prior.csv", "CD3E,1,2,3\nMS4A1,1,2\n"), /4 columns on every row.*3 columns on line 2/],
  ["prior with NaN", (dir) => write(dir, "nan-prior.tsv", "CD3E\t1\t2\nMS4A1\tNaN\t2\n"), /finite numbers.*NaN for gene 'MS4A1' on line 2/],
  [
    "prior listing a gene twice",
    (dir) => write(dir, "dup-prior.csv", "CD3E,1,2\nMS4A1,3,4\nCD3E,5,6\n"),
    /each gene id once.*'CD3E' 2 times/,
  ],
  ["a pickle as prior", (dir) => write(dir, "model.pkl", "x"), /can run code/],
  ["a CSV named .parquet as prior", (dir) => write(dir, "fake.parquet", "CD3E,1,2\n"), /a parquet file, as its name says.*misnamed/],
];
