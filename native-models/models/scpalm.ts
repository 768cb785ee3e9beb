/**
 * scPaLM (Pre-training of Single-cell Language Models through Genetic Pathway Learning): a permutation-invariant
 * embedding of all genes into N tokens (Algorithm 1), a pathway encoder with a vector-quantised codebook and a
 * decoder that reconstructs the expression (stage 1, §3.2), and a cell token e_C aggregated by a second encoder from a
 * random subset of the pathway tokens, the rest decoded from a mask token e_M, with a token-level contrastive term on
 * two masked views (stage 2, §3.3, Algorithm 2, Eq. 2).
 *
 * Where the paper's shapes do not add up or it is silent, this reading (each choice is documented in the README):
 * - Algorithm 1 line 8, einsum("bj,jl->bjl", f(E), P′) with P′ ∈ ℝ^{d×h}: the gene-embedding width d is the number of
 *   tokens N, and token j is the pooled feature f_j times the basis vector P′_j. A second basis B′_j is added (token j
 *   = f_j·P′_j + B′_j) so that a token whose feature is 0 still says which token it is. No LayerNorm follows: it would
 *   keep only the sign of f_j, the token's direction being fixed.
 * - The pooling f is a mean over genes, taken separately over the expressed genes and over the zero genes (their
 *   values replaced by e_zero), each of [value embedding; gene embedding], and the four means fused by one linear map.
 *   Every per-gene parameter (P₁, α, E_gene) travels with its gene, so permuting the genes permutes nothing else and
 *   the tokens, the codes and h_C are unchanged.
 * - Algorithm 3's readout: each decoder token is mapped to s = ⌈G/N⌉ values, flattened and cropped to the G genes of
 *   the vocabulary (genes are assigned to tokens by their index in the model's vocabulary, which is keyed by gene id,
 *   so the order of a user's file never matters). Only the decoders read it; h_C does not depend on it.
 * - The transformers are pre-LayerNorm layers (Xiong et al. 2020): x ← x + MHA(LN(x)), x ← x + W₂ GELU(W₁ LN(x)), a
 *   final LN. Table 4 is a BERT configuration, but BERT's post-LN layers did not train here at the paper's learning
 *   rate without a warm-up (stage 1 stayed at the constant predictor's MSE, 0.69, for 12 epochs; pre-LN reached 0.52 in
 *   3). The paper names no positional embedding, but after quantisation two tokens with the same code are identical and
 *   the decoders must say which genes each position carries, so the decoders and the cell encoder add a learned
 *   embedding per token position (never per gene).
 */
import type { Graph, Value } from "../graph/value.js";
import {
  add,
  argMin,
  cast,
  concat,
  div,
  equal,
  expand,
  gather,
  gelu,
  gemm,
  greater,
  layerNormAffine,
  leakyRelu,
  linear,
  matmul,
  mul,
  reduceMean,
  reduceSum,
  reshape,
  slice,
  square,
  stopGradient,
  sub,
  transpose,
} from "../ops/index.js";
import { multiHeadAttention, tokenLinear } from "./attention.js";
import { dense, linearParams } from "./blocks.js";
import { contrastiveLoss } from "./contrastive.js";
import { affineCodebook, vectorQuantize } from "./quantizer.js";

export interface ScPaLMArchitecture {
  /** Genes of the model's vocabulary (G). */
  genes: number;
  /** Tokens per cell (N; also the width of each gene's embedding, see above). */
  tokens: number;
  /** Token width (h). */
  hidden: number;
  /** Feed-forward width of each transformer layer. */
  ffn: number;
  /** Layers of each of the four transformers (pathway encoder and decoder, cell encoder and decoder). */
  layers: number;
  heads: number;
  /** Codebook size (K). */
  codes: number;
}

/** Parameter groups: stage 1 trains the first three, stage 2 the last with the first two frozen. */
export const SCPALM = { embed: "scpalm.embed", pathway: "scpalm.pathway", decoder: "scpalm.decoder", cell: "scpalm.cell" } as const;
const VQ = "pathway.vq";

function param(g: Graph, name: string, shape: number[], group: string, dtype: Value["dtype"], std = 0.02): Value {
  return g.param(name, shape, { group, dtype, init: std === 0 ? { kind: "zeros" } : { kind: "normal", std } });
}

/**
 * Algorithm 1: expression [batch, G] (log-normalised) → tokens [batch, N, h]. `present` [batch, G] (1/0) marks the
 * genes the cell's dataset measured: a gene outside it is neither expressed nor zero and enters neither pool.
 */
export function embedGenes(x: Value, present: Value, a: ScPaLMArchitecture): Value {
  const g = x.graph;
  const dt = x.dtype;
  const [b, genes] = x.shape as number[];
  const n = a.tokens;
  const group = SCPALM.embed;
  if (genes !== a.genes) throw new Error(`scPaLM: the input has ${genes} genes, the model's vocabulary ${a.genes}`);
  const p1 = param(g, "embed.p1", [genes, n], group, dt, 1);
  const alpha = g.param("embed.alpha", [genes, n], { group, dtype: dt, init: { kind: "ones" } });
  const eGene = param(g, "embed.gene", [genes, n], group, dt);
  const eZero = param(g, "embed.zero", [1, n], group, dt);
  const mlp = linearParams(g, "embed.mlp", n, n, group, dt);

  // Lines 3–5: each gene's value projected by its own row of P₁, then α ⊙ X + MLP(X) (the MLP shared by all genes).
  const u = leakyRelu(mul(reshape(x, [b!, genes, 1]), p1));
  const value = add(mul(u, alpha), reshape(leakyRelu(linear(reshape(u, [b! * genes, n]), mlp.w, mlp.b)), [b!, genes, n]));
  // Lines 6–8: zeros take e_zero; expressed and zero genes are pooled apart (means), fused, spread over the bases.
  const on = mul(cast(greater(x, 0), dt), present);
  const off = sub(present, on);
  const nOn = add(reduceSum(on, [1], true), 1e-6);
  const nOff = add(reduceSum(off, [1], true), 1e-6);
  const pooled = concat(
    [
      div(reduceSum(mul(value, reshape(on, [b!, genes, 1])), [1]), nOn),
      div(gemm(on, eGene, null), nOn),
      expand(eZero, [b!, n]),
      div(gemm(off, eGene, null), nOff),
    ],
    1,
  );
  const f = dense(pooled, "embed.fuse", n, group);
  return add(
    mul(reshape(f, [b!, n, 1]), param(g, "embed.basis", [n, a.hidden], group, dt, 1)),
    param(g, "embed.bias", [n, a.hidden], group, dt, 1),
  );
}

function norm(x: Value, name: string, group: string): Value {
  const h = x.shape[x.rank - 1] as number;
  const g = x.graph;
  return layerNormAffine(
    x,
    g.param(`${name}.scale`, [h], { group, dtype: x.dtype, init: { kind: "ones" } }),
    param(g, `${name}.shift`, [h], group, x.dtype, 0),
  );
}

/** `layers` pre-LayerNorm transformer layers (GELU feed-forward) and a final LayerNorm over [batch, tokens, h]. */
export function transformer(x: Value, name: string, a: ScPaLMArchitecture, group: string): Value {
  let h = x;
  for (let i = 0; i < a.layers; i++) {
    h = add(h, multiHeadAttention(norm(h, `${name}.${i}.ln1`, group), `${name}.${i}.att`, a.heads, group));
    const ff = tokenLinear(
      gelu(tokenLinear(norm(h, `${name}.${i}.ln2`, group), `${name}.${i}.ff1`, a.ffn, group)),
      `${name}.${i}.ff2`,
      a.hidden,
      group,
    );
    h = add(h, ff);
  }
  return norm(h, `${name}.ln`, group);
}

/** Values per token in Algorithm 3's readout. */
export function genesPerToken(a: ScPaLMArchitecture): number {
  return Math.ceil(a.genes / a.tokens);
}

/** Algorithm 3: decoder tokens [batch, N, h] → expression [batch, G]. */
function readout(t: Value, name: string, a: ScPaLMArchitecture, group: string): Value {
  const b = t.shape[0] as number;
  const s = genesPerToken(a);
  const o = reshape(tokenLinear(t, name, s, group), [b, a.tokens * s]);
  return a.tokens * s === a.genes ? o : slice(o, [0], [a.genes], [1]);
}

/** Algorithm 3's mask: each token's weight spread over its genes, [batch, N] → [batch, G]. */
function tokenMaskToGenes(m: Value, a: ScPaLMArchitecture): Value {
  const b = m.shape[0] as number;
  const s = genesPerToken(a);
  const genes = reshape(expand(reshape(m, [b, a.tokens, 1]), [b, a.tokens, s]), [b, a.tokens * s]);
  return a.tokens * s === a.genes ? genes : slice(genes, [0], [a.genes], [1]);
}

/** A learned embedding per token position, initialised at the codebook's scale (std 1) so that from the first step the
 *  positions weigh as much as the codes they are added to. */
function positions(t: Value, name: string, a: ScPaLMArchitecture, group: string): Value {
  return add(t, param(t.graph, name, [a.tokens, a.hidden], group, t.dtype, 1));
}

export interface PathwayTokens {
  /** The encoder's outputs e [batch·N, h]. */
  e: Value;
  /** The quantiser (zq [batch·N, h], index [batch·N], commitment loss). */
  q: ReturnType<typeof vectorQuantize>;
}

/** §3.2's encoder and quantiser: expression → pathway tokens. */
export function pathwayTokens(x: Value, present: Value, a: ScPaLMArchitecture, beta: number): PathwayTokens {
  const b = x.shape[0] as number;
  const e = reshape(transformer(embedGenes(x, present, a), "pathway.encoder", a, SCPALM.pathway), [b * a.tokens, a.hidden]);
  return { e, q: vectorQuantize(e, VQ, a.codes, SCPALM.pathway, beta) };
}

export interface Stage1 {
  loss: Value;
  mse: Value;
  commitment: Value;
  /** Code of every token [batch·N] (int64), for the host's count of used codes. */
  index: Value;
}

/**
 * Stage 1: reconstruct the measured genes from the quantised pathway tokens (MSE, each row weighted by `rowWeight`
 * [batch], 0 for padding) plus the commitment loss (β weighs the term that moves the codes, 1 − β the encoder's).
 */
export function stage1(x: Value, present: Value, rowWeight: Value, a: ScPaLMArchitecture, beta: number): Stage1 {
  const b = x.shape[0] as number;
  const { q } = pathwayTokens(x, present, a, beta);
  const o = decodeTokens(q.zq, b, a);
  const m = mul(present, reshape(rowWeight, [b, 1]));
  const mse = div(reduceSum(mul(square(sub(o, x)), m)), add(reduceSum(m), 1e-6));
  return { loss: add(mse, q.loss), mse, commitment: q.loss, index: q.index };
}

/** Stage 1's decoder: quantised pathway tokens [batch·N, h] → expression over the vocabulary [batch, G]. */
function decodeTokens(zq: Value, b: number, a: ScPaLMArchitecture): Value {
  const z = positions(reshape(zq, [b, a.tokens, a.hidden]), "decoder.position", a, SCPALM.decoder);
  return readout(transformer(z, "decoder", a, SCPALM.decoder), "decoder.out", a, SCPALM.decoder);
}

export interface Stage2Inputs {
  x: Value;
  /** Measured genes of each cell [batch, G] (1/0) times its row weight (0 for padding). */
  present: Value;
  /** Each cell's pathway codes from the frozen stage 1 [batch, N] (int64). */
  codes: Value;
  /** The kept token positions of each cell, increasing [batch, N′] (int64). */
  keep: Value;
  /** The contrastive term's second view [batch, N′] (int64), its k-means centroids [clusters, h], its weight (scalar). */
  contrast?: { keep: Value; centroids: Value; weight: Value; tau: number; negatives: number };
}

export interface Stage2 {
  loss: Value;
  mse: Value;
  contrastive: Value | null;
}

/** One masked view: e_C prepended to the kept tokens, the cell encoder → h_C [batch, h] and the kept tokens' outputs. */
function cellView(z: Value, keep: Value, a: ScPaLMArchitecture) {
  const g = z.graph;
  const [b, kept] = keep.shape as number[];
  const arange = g.constant(
    BigInt64Array.from({ length: a.tokens }, (_, i) => BigInt(i)),
    "int64",
    [1, 1, a.tokens],
  );
  const place = cast(equal(reshape(keep, [b!, kept!, 1]), arange), z.dtype); // [b, N′, N] one-hot
  const eC = expand(param(g, "cell.token", [1, 1, a.hidden], SCPALM.cell, z.dtype), [b!, 1, a.hidden]);
  const h = transformer(concat([eC, matmul(place, z)], 1), "cell.encoder", a, SCPALM.cell);
  return {
    hC: reshape(slice(h, [0], [1], [1]), [b!, a.hidden]),
    tokens: slice(h, [1], [kept! + 1], [1]),
    place,
  };
}

/** The codebook's vectors for each cell's codes, with the cell encoder's position embedding [batch, N, h]. */
function codeTokens(codes: Value, codebook: Value, a: ScPaLMArchitecture): Value {
  return positions(gather(codebook, codes), "cell.position", a, SCPALM.cell);
}

/**
 * Stage 2 (Algorithm 2): h_C from the kept tokens; the decoder fills the left-out positions with e_M and is scored by
 * MSE on their genes only; with `contrast`, Eq. 2 between h_C of two views, negatives being cells of other k-means
 * pseudo-labels (labels by the nearest centroid of h_C), each such pair kept with probability negatives/batch.
 */
export function stage2(i: Stage2Inputs, a: ScPaLMArchitecture): Stage2 {
  const g = i.x.graph;
  const dt = i.x.dtype;
  const b = i.x.shape[0] as number;
  const z = codeTokens(i.codes, affineCodebook(g, VQ, a.codes, a.hidden, SCPALM.pathway, dt), a);
  // With the contrastive term the two views are one batch of 2·batch rows through the cell encoder (shared weights).
  const c = i.contrast;
  const both = c ? cellView(concat([z, z], 0), concat([i.keep, c.keep], 0), a) : cellView(z, i.keep, a);
  const first = (v: Value) => (c ? slice(v, [0], [b], [0]) : v);
  const [hC, tokens, place] = [first(both.hC), first(both.tokens), first(both.place)];
  const kept = reduceSum(place, [1]); // [b, N]: 1 where kept
  const eM = param(g, "cell.mask", [1, 1, a.hidden], SCPALM.cell, dt);
  const filled = add(matmul(transpose(place, [0, 2, 1]), tokens), mul(reshape(sub(1, kept), [b, a.tokens, 1]), eM));
  const o = readout(
    transformer(positions(filled, "cell.decoder.position", a, SCPALM.cell), "cell.decoder", a, SCPALM.cell),
    "cell.out",
    a,
    SCPALM.cell,
  );
  const m = mul(tokenMaskToGenes(sub(1, kept), a), i.present);
  const mse = div(reduceSum(mul(square(sub(o, i.x)), m)), add(reduceSum(m), 1e-6));
  if (!c) return { loss: mse, mse, contrastive: null };

  const fixed = stopGradient(hC);
  const distance = add(gemm(fixed, c.centroids, null, { transB: true, alpha: -2 }), reduceSum(square(c.centroids), [1]));
  const labels = argMin(distance, 1);
  const same = cast(equal(reshape(labels, [b, 1]), reshape(labels, [1, b])), dt);
  const p = Math.max(0, 1 - c.negatives / b);
  const sample = p > 0 ? cast(greater(g.random("cell.negatives", dt, [b, b], { kind: "dropout", p }), 0), dt) : 1;
  const cl = contrastiveLoss(hC, slice(both.hC, [b], [2 * b], [0]), mul(sub(1, same), sample), c.tau);
  return { loss: add(mse, mul(cl, c.weight)), mse, contrastive: cl };
}

export interface Embedding {
  /** The cell token h_C [batch, h], all N pathway tokens kept. */
  cell: Value;
  /** The mean of the quantised pathway tokens [batch, h] (Table 5's "Mean" ablation). */
  tokenMean: Value;
  /** Code of each pathway token [batch, N] (int64). */
  codes: Value;
  /** The pathway encoder's outputs before quantisation [batch, N, h]. */
  encoded: Value;
  /** Stage 1's reconstruction of the expression from the pathway tokens [batch, G] (only when asked). */
  reconstruction: Value | null;
}

/**
 * Inference: expression → pathway codes → h_C (no masking), plus the token-mean baseline; with `reconstruct`, stage 1's
 * decoder output too (dropout imputation: every vocabulary gene predicted from the cell's pathway tokens).
 */
export function embedCells(x: Value, present: Value, a: ScPaLMArchitecture, reconstruct = false): Embedding {
  const b = x.shape[0] as number;
  const { e, q } = pathwayTokens(x, present, a, 0);
  const codes = reshape(q.index, [b, a.tokens]);
  const z = codeTokens(codes, q.codebook, a);
  const all = x.graph.constant(
    BigInt64Array.from({ length: b * a.tokens }, (_, i) => BigInt(i % a.tokens)),
    "int64",
    [b, a.tokens],
  );
  const shaped = (v: Value) => reshape(v, [b, a.tokens, a.hidden]);
  return {
    cell: cellView(z, all, a).hC,
    tokenMean: reduceMean(shaped(q.zq), [1]),
    codes,
    encoded: shaped(e),
    reconstruction: reconstruct ? decodeTokens(q.zq, b, a) : null,
  };
}
