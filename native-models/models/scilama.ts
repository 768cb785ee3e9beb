/**
 * sciLaMA (Hu et al., ICML 2025): a cell VAE over expression and a gene VAE over static gene embeddings whose last
 * hidden layers meet in an inner product. Shapes and losses follow the paper (§3) and the public reference code:
 * blocks Linear → LayerNorm → LeakyReLU → Dropout, heads μ and σ = √(exp(s) + 1e-4), decoders K → 400 → Linear 900.
 */
import type { DType } from "../graph/dtype.js";
import type { Graph, Value } from "../graph/value.js";
import { add, concat, dropout, gemm, mul, reduceMean, reduceSum, slice, square, sub, weightedMean } from "../ops/index.js";
import { dense, type Mode } from "./blocks.js";
import { decoderHidden, type Encoded, encoder, klPerRow, reparameterize, type VaeConfig } from "./vae.js";

export interface SciLaMAConfig {
  /** Genes modelled (G): the columns of the expression matrix. */
  genes: number;
  /**
   * The cell encoder reads only the first `encoderGenes` columns of the expression (default: all G). For imputation
   * onto a panel: the panel genes come first, the cells are encoded from them alone, and every G gene is reconstructed
   * — so a target that measures only the panel is encoded as the reference was.
   */
  encoderGenes?: number;
  /** Covariate columns (batch one-hot) concatenated at the cell encoder and decoder inputs; 0 for none. */
  covariates: number;
  /** Input width of each gene encoder: one per prior (its D), or the number of cells for the self-informed model. */
  geneInputs: readonly number[];
  /** Encoder hidden sizes; decoders mirror them, the last one (l, 900) is where cells and genes meet. */
  hidden: readonly number[];
  /** Latent size K. */
  latent: number;
  dropout: number;
  dtype?: DType;
}

export const CELL = "cell";
export const GENE = "gene";

const cellVae = (c: SciLaMAConfig, features: number): VaeConfig => ({
  features,
  hidden: c.hidden,
  latent: c.latent,
  dropout: c.dropout,
  group: CELL,
  ...(c.dtype ? { dtype: c.dtype } : {}),
});
const geneVae = (c: SciLaMAConfig, features: number): VaeConfig => ({ ...cellVae(c, features), group: GENE });

export interface CellSide extends Encoded {
  /** Last hidden layer of the cell decoder, h_cell [cells, l]. */
  hidden: Value;
}

/** Cell encoder over [x's first `encoderGenes` columns, covariates] and decoder over [z, covariates] up to the last
 *  hidden layer; `x` may also hold just those columns (the exported model's input). */
export function cellSide(x: Value, cov: Value | null, c: SciLaMAConfig, mode: Mode): CellSide {
  const withCov = (v: Value) => (cov ? concat([v, cov], 1) : v);
  const read = c.encoderGenes ?? c.genes;
  const input = x.shape[1] === read ? x : slice(x, [0], [read], [1]);
  const enc = encoder(withCov(input), cellVae(c, read), "cell.enc", mode);
  return { ...enc, hidden: decoderHidden(withCov(enc.z), cellVae(c, c.genes), "cell.dec", mode) };
}

export interface GeneSide extends Encoded {
  /** Last hidden layer of the gene decoder, h_gene [genes, l]. */
  hidden: Value;
}

/**
 * One encoder per gene input, posteriors fused by averaging μ and σ (the reference's default "average" fusion),
 * one sample from the fused posterior, one decoder.
 */
export function geneSide(inputs: readonly Value[], c: SciLaMAConfig, mode: Mode): GeneSide {
  const encs = inputs.map((p, i) => encoder(p, geneVae(c, p.shape[1] as number), `gene.enc${i}`, mode, false));
  const mean = (vs: Value[]) =>
    vs.length === 1
      ? vs[0]!
      : mul(
          vs.slice(1).reduce((a, b) => add(a, b), vs[0]!),
          1 / vs.length,
        );
  const mu = mean(encs.map((e) => e.mu));
  const sigma = mean(encs.map((e) => e.sigma));
  const z = mode === "eval" ? mu : reparameterize(mu, sigma, "gene.eps");
  return { mu, sigma, z, hidden: decoderHidden(z, geneVae(c, 0), "gene.dec", mode) };
}

/** Rows of the data block: G expression values followed by the covariate one-hot columns. */
export function splitRows(rows: Value, c: SciLaMAConfig): { x: Value; cov: Value | null } {
  if (!c.covariates) return { x: rows, cov: null };
  const n = rows.shape[0];
  if (typeof n !== "number") throw new Error("splitRows needs a static number of rows");
  const x = slice(rows, [0, 0], [n, c.genes], [0, 1]);
  const cov = slice(rows, [0, c.genes], [n, c.genes + c.covariates], [0, 1]);
  return { x, cov };
}

export interface SciLaMATerms {
  /** Per-cell weighted means (padding rows weigh 0). */
  recon: Value;
  align: Value | null;
  klCell: Value;
  /** Mean over genes. */
  klGene: Value | null;
  loss: Value;
}

/** Step 1, the cell β-VAE: x̂ = W_cell·Dropout(h_cell) + b; loss = mean Σ_g (x − x̂)² + β·KL_cell (paper eq. 6–8). */
export function cellVaeLoss(g: Graph, x: Value, cov: Value | null, c: SciLaMAConfig, mode: Mode): SciLaMATerms & { cell: CellSide } {
  const dtype = c.dtype ?? "float32";
  const w = g.input("rowWeight", dtype, [x.shape[0] as number]);
  const beta = g.input("beta", dtype, []);
  const cell = cellSide(x, cov, c, mode);
  // The reference applies its decoder's final dropout only on the way to this output layer, not to h_cell itself.
  const h =
    mode === "train" && c.dropout > 0
      ? dropout(cell.hidden, g.random("cell.out.mask", dtype, cell.hidden.shape as number[], { kind: "dropout", p: c.dropout }))
      : cell.hidden;
  const xHat = dense(h, "cell.out", c.genes, CELL);
  const recon = weightedMean(reduceSum(square(sub(x, xHat)), [1]), w);
  const klCell = weightedMean(klPerRow(cell.mu, cell.sigma), w);
  return { cell, recon, align: null, klCell, klGene: null, loss: add(recon, mul(beta, klCell)) };
}

/**
 * Steps 2 and 3: x̂ = h_cell·h_geneᵀ + b and the alignment x̂′ = z_cell·z_geneᵀ + b (b: the step-1 output bias);
 * loss = mean over cells of Σ_g (x − x̂)² + γ Σ_g (x − x̂′)², plus β (mean KL_cell + mean over genes of KL_gene)
 * (paper eq. 5, 9–13). γ = 0 in step 2.
 */
export function sciLaMALoss(
  g: Graph,
  x: Value,
  cov: Value | null,
  geneInputs: readonly Value[],
  c: SciLaMAConfig,
  mode: Mode,
): SciLaMATerms & { cell: CellSide; gene: GeneSide } {
  const dtype = c.dtype ?? "float32";
  const w = g.input("rowWeight", dtype, [x.shape[0] as number]);
  const beta = g.input("beta", dtype, []);
  const gamma = g.input("gamma", dtype, []);
  const cell = cellSide(x, cov, c, mode);
  const gene = geneSide(geneInputs, c, mode);
  const b = g.param("cell.out.b", [c.genes], { group: CELL, dtype, init: { kind: "zeros" } });
  const xHat = gemm(cell.hidden, gene.hidden, b, { transB: true });
  const xAlign = gemm(cell.z, gene.z, b, { transB: true });
  const recon = weightedMean(reduceSum(square(sub(x, xHat)), [1]), w);
  const align = weightedMean(reduceSum(square(sub(x, xAlign)), [1]), w);
  const klCell = weightedMean(klPerRow(cell.mu, cell.sigma), w);
  const klGene = reduceMean(klPerRow(gene.mu, gene.sigma));
  const loss = add(add(recon, mul(gamma, align)), mul(beta, add(klCell, klGene)));
  return { cell, gene, recon, align, klCell, klGene, loss };
}
