/**
 * Gene priors as delimited text (CSV, TSV or semicolon-separated, optionally gzipped): one gene per row, the
 * gene id in the first column, the vector in the remaining columns. A header row is optional and recognised
 * when the first line is not a gene followed by numbers: a non-numeric field after the first, an empty first
 * field (pandas' `to_csv` of a frame indexed by gene), or a header word ("gene", "gene_id", …) followed by
 * column numbers 0…D−1 or 1…D.
 */
import { DataError } from "../io/errors.js";
import { guessSeparator, lines, splitFields } from "../io/text.js";
import { type GenePrior, validatePrior } from "./types.js";

const HEADER_WORD =
  /^(genes?|gene[ _.-]?(id|ids|name|names|symbol|symbols)|symbols?|ids?|index|names?|features?|feature[ _.-]?(id|name)|entrez([ _.-]?id)?|ensembl([ _.-]?id)?|)$/i;
const NAN_WORD = /^[+-]?(nan|na|n\/a|null|none|inf|infinity)$/i;

function parseNumber(s: string): number | null {
  const t = s.trim();
  if (t === "") return null;
  if (NAN_WORD.test(t)) {
    const l = t.toLowerCase().replace(/^[+-]/, "");
    if (l === "inf" || l === "infinity") return t.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    return Number.NaN;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  return Number(t);
}

/**
 * A header has an empty first field, or only non-numbers after the first field, or column numbers 0…D−1 / 1…D
 * (after a header word, or when there are at least 3). A first line mixing numbers and text is a data row with a
 * bad value, reported as such by the row check.
 */
function isHeader(fields: string[]): boolean {
  const rest = fields.slice(1);
  if (fields[0].trim() === "") return true;
  if (rest.every((f) => parseNumber(f) === null)) return true;
  const nums = rest.map((f) => (/^\s*\d+\s*$/.test(f) ? Number(f) : Number.NaN));
  const sequence = nums.every((v, i) => v === i) || nums.every((v, i) => v === i + 1);
  return sequence && (HEADER_WORD.test(fields[0].trim()) || rest.length >= 3);
}

export async function readPriorTable(path: string, name: string): Promise<GenePrior> {
  let sep = "";
  let dim = -1;
  let header: string[] | null = null;
  const genes: string[] = [];
  let values = new Float32Array(1 << 16);
  let n = 0;
  let lineNo = 0;
  for await (const raw of lines(path)) {
    lineNo++;
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") continue;
    if (sep === "") {
      sep = guessSeparator(line);
      const fields = splitFields(line, sep);
      if (fields.length < 2) {
        throw new DataError(
          path,
          "a table with the gene id in the first column and the embedding in the following columns (comma- or tab-separated)",
          "a single column",
          "Save the embeddings as CSV/TSV with one gene per row.",
        );
      }
      if (isHeader(fields)) {
        header = fields;
        dim = fields.length - 1;
        continue;
      }
      dim = fields.length - 1;
    }
    const fields = splitFields(line, sep);
    if (fields.length !== dim + 1) {
      throw new DataError(
        path,
        `${dim + 1} columns on every row (a gene id and ${dim} numbers${header ? ", as in the header" : ", as on the first row"})`,
        `${fields.length} columns on line ${lineNo}`,
        "Check for missing values or a separator inside a gene name.",
      );
    }
    const gene = fields[0].trim();
    if (values.length < (n + 1) * dim) {
      const bigger = new Float32Array(Math.max(values.length * 2, (n + 1) * dim));
      bigger.set(values.subarray(0, n * dim));
      values = bigger;
    }
    for (let j = 1; j <= dim; j++) {
      const v = parseNumber(fields[j]);
      if (v === null) {
        const colName = header ? ` ('${header[j].trim()}')` : "";
        throw new DataError(
          path,
          "a number in every column after the gene id",
          `'${fields[j].trim()}' on line ${lineNo}, column ${j + 1}${colName}`,
          "Only the first column may hold text (the gene id); every other cell must be a number.",
        );
      }
      if (!Number.isFinite(v)) {
        throw new DataError(
          path,
          "finite numbers in every embedding vector",
          `${fields[j].trim()} for gene '${gene}' on line ${lineNo}, column ${j + 1}`,
          "Remove genes with missing values or fill them in before importing.",
        );
      }
      values[n * dim + j - 1] = v;
    }
    genes.push(gene);
    n++;
  }
  if (sep === "") throw new DataError(path, "a table of gene embeddings", "an empty file", "The file may not have finished copying.");
  if (n === 0) throw new DataError(path, "at least one gene row after the header", "only a header line");
  if (genes.every((g) => parseNumber(g) !== null && !/^\d+$/.test(g))) {
    throw new DataError(
      path,
      "gene ids in the first column",
      `only numbers there (first: '${genes[0]}')`,
      "Is the table transposed (genes as columns) or missing its gene column? Put one gene per row, its id first.",
    );
  }
  const out = values.slice(0, n * dim);
  validatePrior(path, genes, dim, out);
  return { name, genes, dim, values: out, source: path };
}
