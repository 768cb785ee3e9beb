/** A gene prior: one static embedding vector per gene (e.g. GenePT, or the bundled GO/pathway prior). */
import { DataError } from "../io/errors.js";

export interface GenePrior {
  /** Short display name ("GenePT", "bundled GO + pathways", the file's stem …). */
  name: string;
  /** Gene ids as written in the source (symbols, Ensembl or Entrez ids, mouse symbols …), one per row. */
  genes: string[];
  dim: number;
  /** genes.length × dim, row-major: row i is the vector of genes[i]. */
  values: Float32Array;
  /** Where it came from (a file path, or a description for generated priors). */
  source: string;
  /** Display symbols, one per gene, when `genes` are not symbols (the bundled prior is keyed by Entrez id). */
  symbols?: string[];
}

/**
 * Checks a freshly read prior and throws a DataError naming the file and the first problem: no genes, no
 * dimensions, a row/gene count mismatch, an empty or duplicated gene id, or a NaN/Inf value (with its gene and
 * column).
 */
export function validatePrior(file: string, genes: string[], dim: number, values: Float32Array): void {
  if (genes.length === 0) throw new DataError(file, "at least one gene with an embedding vector", "no genes");
  if (dim === 0) throw new DataError(file, "embedding vectors with at least one number", "vectors of length 0");
  if (values.length !== genes.length * dim) {
    throw new DataError(file, `${genes.length} × ${dim} = ${genes.length * dim} values`, `${values.length}`);
  }
  const seen = new Map<string, number>();
  for (let i = 0; i < genes.length; i++) {
    const g = genes[i];
    if (g.trim() === "") {
      throw new DataError(file, "a gene id on every row", `an empty gene id on row ${i + 1}`, "Fill in or remove that row.");
    }
    const first = seen.get(g);
    if (first !== undefined) {
      const count = genes.filter((x) => x === g).length;
      throw new DataError(
        file,
        "each gene id once",
        `'${g}' ${count} times (rows ${first + 1} and ${i + 1})`,
        "Keep one vector per gene (e.g. average or drop the duplicates) and import again.",
      );
    }
    seen.set(g, i);
  }
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (!Number.isFinite(v)) {
      const row = Math.floor(k / dim);
      throw new DataError(
        file,
        "finite numbers in every embedding vector",
        `${Number.isNaN(v) ? "NaN" : v > 0 ? "Inf" : "-Inf"} for gene '${genes[row]}' (row ${row + 1}), dimension ${(k % dim) + 1}`,
        "Remove genes with missing values or fill them in before importing.",
      );
    }
  }
}
