/** Principal components of a log-normalised cells × genes matrix, through scran.js (IRLBA on the centred matrix). */
import type { RunPcaResults, ScranMatrix } from "scran.js";
import type { Matrix } from "../data/dataset.js";
import { sortAndSumRows } from "../data/sparse.js";
import { checkLength, factorize } from "./check.js";
import { release, scran } from "./scran.js";

export interface PcaOptions {
  /** 1 for the genes to use (e.g. highly variable genes), one entry per gene; default all genes. */
  features?: Uint8Array;
  /** Scale each gene to unit variance before the PCA (default false). */
  scale?: boolean;
  /** Batch of each cell: the PCA is computed on within-batch residuals (`blockMethod`, default "regress"). */
  block?: Int32Array;
  /** How the block is used (scran.js): "regress" (PCs of residuals), "project" (rotation from residuals, cells projected), "none". */
  blockMethod?: "regress" | "project" | "none";
}

export interface PcaResult {
  /** Row-major cells × nPcs scores. */
  embedding: Float64Array;
  nPcs: number;
  /** Variance of each PC's scores (denominator cells − 1). */
  varianceExplained: Float64Array;
  /** Each PC's share of the total variance of the (selected, centred, optionally scaled) genes. */
  varianceRatio: Float64Array;
  totalVariance: number;
}

export async function pca(matrix: Matrix, nPcs: number, opts: PcaOptions = {}): Promise<PcaResult> {
  const fn = "PCA";
  const cells = matrix.nRows;
  const genes = matrix.nCols;
  const used = opts.features ? countSelected(opts.features) : genes;
  if (opts.features) checkLength(fn, "the feature mask (one entry per gene)", opts.features, genes);
  if (!Number.isInteger(nPcs) || nPcs < 1) throw new Error(`${fn}: the number of PCs must be a positive integer, got ${nPcs}`);
  const maxPcs = Math.min(used, cells) - 1;
  if (nPcs > maxPcs)
    throw new Error(`${fn}: ${nPcs} PCs asked of ${cells} cells × ${used} genes; at most min(cells, genes) − 1 = ${maxPcs} exist`);
  const values = matrix.kind === "csr" ? matrix.data : matrix.values;
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i]!)) throw new Error(`${fn}: the expression matrix has a non-finite value (${values[i]})`);
  let block: Int32Array | null = null;
  if (opts.block) {
    checkLength(fn, "the block", opts.block, cells);
    block = factorize(fn, "the block", opts.block).codes;
  }

  const s = await scran();
  // Our CSR cells × genes is scran's compressed-sparse-column genes × cells; dense row-major is column-major.
  let mat: ScranMatrix | null = null;
  let res: RunPcaResults | null = null;
  try {
    const csr = matrix.kind === "csr" ? sortAndSumRows(matrix) : null; // scran.js needs increasing indices per cell
    mat = csr
      ? s.initializeSparseMatrixFromSparseArrays(genes, cells, csr.data, csr.indices, csr.indptr, {
          byRow: false,
          forceInteger: false,
          layered: false,
        })
      : s.initializeDenseMatrixFromDenseArray(genes, cells, (matrix as { values: Float32Array | Float64Array }).values, {
          columnMajor: true,
          forceInteger: false,
        });
    res = s.runPca(mat, {
      numberOfPCs: nPcs,
      scale: opts.scale ?? false,
      features: opts.features ?? null,
      block,
      blockMethod: opts.blockMethod ?? "regress",
    });
    const k = res.numberOfPCs();
    const embedding = res.principalComponents(); // column-major PCs × cells = row-major cells × PCs
    // scran.js 4.0.9's own varianceExplained() comes back with its first entries overwritten on the first PCA of a
    // process (seen with 50 PCs on pbmc3k); the scores are centred, so each PC's variance is Σ score² / (cells − 1).
    const varianceExplained = new Float64Array(k);
    for (let i = 0; i < cells; i++) for (let j = 0; j < k; j++) varianceExplained[j]! += embedding[i * k + j]! ** 2;
    for (let j = 0; j < k; j++) varianceExplained[j]! /= cells - 1;
    const totalVariance = res.totalVariance();
    return {
      embedding,
      nPcs: k,
      varianceExplained,
      varianceRatio: varianceExplained.map((v) => v / totalVariance),
      totalVariance,
    };
  } finally {
    release(res, mat);
  }
}

function countSelected(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  return n;
}
