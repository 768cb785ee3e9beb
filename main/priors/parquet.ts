/**
 * Gene priors in parquet. Two layouts are accepted:
 *  - sciLaMA's own ("long"): a string column `gene_id` and a list-of-numbers column `embedding`, one gene per row
 *    (what `pd.DataFrame({"gene_id": …, "embedding": list(vectors)}).to_parquet()` writes). Other names are
 *    accepted when unambiguous: the single list column, and the single string column (or the pandas index
 *    `__index_level_0__`) as gene ids.
 *  - "wide": one string column of gene ids and one numeric column per dimension (`df.to_parquet()` of a
 *    genes × dims frame, with the genes as a column or as the index).
 * Snappy, gzip, brotli and uncompressed files are read (zstd where the Node version has it).
 */
import * as zlib from "node:zlib";
import { asyncBufferFromFile, type Compressors, parquetMetadataAsync, parquetRead, parquetSchema, type SchemaTree } from "hyparquet";
import { DataError } from "../io/errors.js";
import { type GenePrior, validatePrior } from "./types.js";

const GENE_NAMES = ["gene_id", "gene_ids", "gene", "genes", "gene_name", "gene_names", "symbol", "gene_symbol", "__index_level_0__"];
const LIST_NAMES = ["embedding", "embeddings", "vector", "vectors", "emb"];
const NUMERIC = new Set(["FLOAT", "DOUBLE", "INT32", "INT64"]);

type Kind = "string" | "number" | "list" | "other";

function leaf(t: SchemaTree): SchemaTree {
  let n = t;
  while (n.children.length === 1) n = n.children[0];
  return n;
}

function isNumericLeaf(e: SchemaTree["element"]): boolean {
  return (e.type !== undefined && NUMERIC.has(e.type)) || (e.type === "FIXED_LEN_BYTE_ARRAY" && e.logical_type?.type === "FLOAT16");
}

function kindOf(t: SchemaTree): Kind {
  const e = t.element;
  const isList = e.converted_type === "LIST" || e.logical_type?.type === "LIST" || e.repetition_type === "REPEATED";
  if (isList || t.children.length > 0) {
    const l = leaf(t);
    return isList && l.children.length === 0 && isNumericLeaf(l.element) ? "list" : "other";
  }
  if (e.type === "BYTE_ARRAY") return "string";
  if (isNumericLeaf(e)) return "number";
  return "other";
}

function describe(cols: Array<{ name: string; kind: Kind }>): string {
  return cols.map((c) => `${c.name} (${c.kind === "list" ? "list of numbers" : c.kind === "other" ? "other type" : c.kind})`).join(", ");
}

/** The column with the first preferred name; else the only column when `single` allows it. */
function pick(cols: string[], preferred: string[], single = true): string | undefined {
  for (const p of preferred) {
    const hit = cols.find((c) => c.toLowerCase() === p);
    if (hit) return hit;
  }
  return single && cols.length === 1 ? cols[0] : undefined;
}

function compressors(): Compressors {
  const c: Compressors = {
    GZIP: (input) => zlib.unzipSync(input),
    BROTLI: (input) => zlib.brotliDecompressSync(input),
  };
  const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Uint8Array) => Uint8Array }).zstdDecompressSync;
  if (zstd) c.ZSTD = (input) => zstd(input);
  return c;
}

export async function readPriorParquet(path: string, name: string): Promise<GenePrior> {
  const file = await asyncBufferFromFile(path);
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw new DataError(
      path,
      "a readable parquet file",
      `damaged content (${(e as Error).message})`,
      "Save the table again with pandas' to_parquet().",
    );
  }
  const nRows = Number(metadata.num_rows);
  const cols = parquetSchema(metadata).children.map((t) => ({ name: t.element.name, kind: kindOf(t) }));
  const strings = cols.filter((c) => c.kind === "string").map((c) => c.name);
  const lists = cols.filter((c) => c.kind === "list").map((c) => c.name);
  const numbers = cols.filter((c) => c.kind === "number" && !/^__index_level_\d+__$/.test(c.name)).map((c) => c.name);
  // Gene ids: the text column (by name when several); numeric ids (e.g. Entrez as int64) only by name.
  const numericIds = cols.filter((c) => c.kind === "number").map((c) => c.name);
  const geneCol = pick(strings, GENE_NAMES) ?? (strings.length === 0 ? pick(numericIds, GENE_NAMES.slice(0, -1), false) : undefined);
  const layoutHelp =
    "Expected sciLaMA's layout (a text column 'gene_id' and a list column 'embedding', one gene per row) or a wide table (one text column of gene ids and one numeric column per dimension).";
  if (!geneCol) {
    throw new DataError(
      path,
      "one text column of gene ids (e.g. 'gene_id')",
      strings.length ? `several text columns and none named gene_id: ${describe(cols)}` : `no text column: ${describe(cols)}`,
      layoutHelp,
    );
  }
  const listCol = lists.length ? pick(lists, LIST_NAMES) : undefined;
  if (lists.length && !listCol) {
    throw new DataError(path, "one list column of embedding vectors (e.g. 'embedding')", `several: ${describe(cols)}`, layoutHelp);
  }
  const dimCols = listCol ? [] : numbers.filter((c) => c !== geneCol);
  if (!listCol && dimCols.length === 0) {
    throw new DataError(path, "embedding vectors (a list column 'embedding', or numeric columns)", `columns ${describe(cols)}`, layoutHelp);
  }
  if (nRows === 0) throw new DataError(path, "at least one gene", "a parquet table with no rows");

  const genes: string[] = new Array(nRows);
  let dim = listCol ? -1 : dimCols.length;
  let values: Float32Array | null = listCol ? null : new Float32Array(nRows * dim);
  const colIndex = new Map(dimCols.map((c, j) => [c, j]));
  let problem: DataError | null = null;
  const fail = (e: DataError) => {
    problem ??= e;
  };
  try {
    await parquetRead({
      file,
      metadata,
      columns: [geneCol, ...(listCol ? [listCol] : dimCols)],
      compressors: compressors(),
      onChunk: ({ columnName, columnData, rowStart }) => {
        if (problem) return;
        if (columnName === geneCol) {
          for (let i = 0; i < columnData.length; i++) {
            const g = columnData[i];
            genes[rowStart + i] = g === null || g === undefined ? "" : String(g);
          }
        } else if (columnName === listCol) {
          for (let i = 0; i < columnData.length; i++) {
            const row = rowStart + i;
            const v = columnData[i] as ArrayLike<number | bigint | null> | null;
            if (!v) return fail(new DataError(path, "an embedding vector on every row", `a missing vector on row ${row + 1}`));
            if (dim < 0) {
              dim = v.length;
              values = new Float32Array(nRows * dim);
            }
            if (v.length !== dim) {
              return fail(
                new DataError(path, `vectors of one length (${dim}, as on the first row read)`, `${v.length} numbers on row ${row + 1}`),
              );
            }
            const out = values!;
            for (let j = 0; j < dim; j++) {
              const x = v[j];
              out[row * dim + j] = x === null ? Number.NaN : Number(x);
            }
          }
        } else {
          const j = colIndex.get(columnName);
          if (j === undefined) return;
          const out = values!;
          for (let i = 0; i < columnData.length; i++) {
            const x = columnData[i] as number | bigint | null;
            out[(rowStart + i) * dim + j] = x === null ? Number.NaN : Number(x);
          }
        }
      },
    });
  } catch (e) {
    const msg = (e as Error).message;
    const codec = /unsupported compression codec: (\w+)/.exec(msg)?.[1];
    if (codec) {
      throw new DataError(
        path,
        "a parquet file compressed with snappy, gzip or brotli",
        `${codec} compression`,
        "Save it again with df.to_parquet(path, compression='snappy').",
      );
    }
    throw new DataError(path, "a readable parquet file", `damaged content (${msg})`, "Save the table again with pandas' to_parquet().");
  }
  if (problem) throw problem;
  if (!values) throw new DataError(path, "an embedding vector on every row", "none");
  for (let i = 0; i < nRows; i++) if (genes[i] === undefined) genes[i] = "";
  validatePrior(path, genes, dim, values);
  return { name, genes, dim, values, source: path };
}
