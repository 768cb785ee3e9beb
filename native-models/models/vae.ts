import type { DType } from "../graph/dtype.js";
import type { Graph, Value } from "../graph/value.js";
import { add, exp, log, mul, reduceSum, sqrt, square, sub, weightedMean } from "../ops/index.js";
import { block, dense, type Mode } from "./blocks.js";

export interface VaeConfig {
  /** Number of input features (genes). */
  features: number;
  /** Encoder hidden sizes; the decoder mirrors them (sciLaMA: [900, 400]). */
  hidden: readonly number[];
  /** Latent size K (sciLaMA code: 50). */
  latent: number;
  dropout: number;
  dtype?: DType;
  /** Parameter group of every weight, for freezing. */
  group?: string;
}

export interface Encoded {
  mu: Value;
  sigma: Value;
  /** μ + σ·ε in training, μ in evaluation. */
  z: Value;
}

/**
 * Encoder: blocks over `hidden`, heads μ and s, σ = √(exp(s) + 1e-4) (the sciLaMA parameterisation). With
 * `sample` false z is μ even in training (for encoders whose posteriors are fused before sampling).
 */
export function encoder(x: Value, cfg: VaeConfig, name: string, mode: Mode, sample = true): Encoded {
  const group = cfg.group ?? name;
  let h = x;
  cfg.hidden.forEach((n, i) => {
    h = block(h, `${name}.h${i}`, n, group, mode, cfg.dropout);
  });
  const mu = dense(h, `${name}.mu`, cfg.latent, group);
  const sigma = sqrt(add(exp(dense(h, `${name}.s`, cfg.latent, group)), 1e-4));
  if (mode === "eval" || !sample) return { mu, sigma, z: mu };
  return { mu, sigma, z: reparameterize(mu, sigma, `${name}.eps`) };
}

/** z = μ + σ·ε with ε a fresh standard-normal random input per step. */
export function reparameterize(mu: Value, sigma: Value, name: string): Value {
  const eps = mu.graph.random(name, mu.dtype, mu.shape as number[], { kind: "normal" });
  return add(mu, mul(sigma, eps));
}

/**
 * Decoder: a block to the last hidden size, then back up through the remaining hidden sizes, the final hidden layer
 * a plain Linear (sciLaMA: K → 400 block → Linear 400 → 900 = h). Returns the last hidden activations.
 */
export function decoderHidden(z: Value, cfg: VaeConfig, name: string, mode: Mode): Value {
  const group = cfg.group ?? name;
  const sizes = [...cfg.hidden].reverse();
  let h = z;
  sizes.forEach((n, i) => {
    h =
      i === sizes.length - 1 && sizes.length > 1
        ? dense(h, `${name}.h${i}`, n, group)
        : block(h, `${name}.h${i}`, n, group, mode, cfg.dropout);
  });
  return h;
}

/** KL(N(μ, σ²) ‖ N(0, 1)) per row: Σₖ ½(μ² + σ² − 1) − log σ. */
export function klPerRow(mu: Value, sigma: Value): Value {
  return reduceSum(sub(mul(add(add(square(mu), square(sigma)), -1), 0.5), log(sigma)), [1]);
}

export interface VaeGraph {
  x: Value;
  rowWeight: Value;
  beta: Value;
  enc: Encoded;
  recon: Value;
  /** Weighted means over rows. */
  reconLoss: Value;
  kl: Value;
  loss: Value;
}

/**
 * A β-VAE with squared-error reconstruction: loss = mean over rows of Σ_features (x − x̂)² + β · mean KL — the cell
 * VAE of sciLaMA's first step. `x` is a [batch, features] value; rows with weight 0 are padding.
 */
export function vae(g: Graph, x: Value, cfg: VaeConfig, mode: Mode): VaeGraph {
  const dtype = cfg.dtype ?? "float32";
  const rowWeight = g.input("rowWeight", dtype, [x.shape[0] as number]);
  const beta = g.input("beta", dtype, []);
  const enc = encoder(x, cfg, "enc", mode);
  const recon = dense(decoderHidden(enc.z, cfg, "dec", mode), "dec.out", cfg.features, cfg.group ?? "dec");
  const reconLoss = weightedMean(reduceSum(square(sub(x, recon)), [1]), rowWeight);
  const kl = weightedMean(klPerRow(enc.mu, enc.sigma), rowWeight);
  return { x, rowWeight, beta, enc, recon, reconLoss, kl, loss: add(reconLoss, mul(beta, kl)) };
}
