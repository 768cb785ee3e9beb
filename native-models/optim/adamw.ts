import type { Value } from "../graph/value.js";
import { add, div, mul, sqrt, square, sub } from "../ops/index.js";
import type { Optimizer } from "./optimizer.js";

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/**
 * AdamW (Loshchilov & Hutter 2019) with PyTorch's semantics: p ← p(1 − lr·wd), then the bias-corrected Adam step.
 *
 * To keep memory passes few, the moments are stored rescaled, n = m/(1−β₁) and u = v/(1−β₂), so their updates need
 * no (1−β) multiply, and both bias corrections and lr fold into two host-computed scalars:
 *   n ← β₁n + g,  u ← β₂u + g²,  p ← p·decay − a·n/(√u + ε̂)
 * with c₁ = (1−β₁)/(1−β₁ᵗ), c₂ = √((1−β₂)/(1−β₂ᵗ)), a = lr·c₁/c₂, ε̂ = ε/c₂, decay = 1 − lr·wd.
 * That is the textbook update exactly (see the optimizer test), in 9 elementwise passes (10 with weight decay).
 */
export function adamw(cfg: Partial<AdamWConfig> = {}): Optimizer {
  const c: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, ...cfg };
  return {
    kind: "adamw",
    slots: ["n", "u"],
    scalars: c.weightDecay ? ["step", "eps", "decay"] : ["step", "eps"],
    config: { ...c },
    update(p, g, [n, u], s) {
      const n2 = add(mul(n!, c.beta1), g);
      const u2 = add(mul(u!, c.beta2), square(g));
      const base: Value = c.weightDecay ? mul(p, s.decay!) : p;
      return { param: sub(base, mul(div(n2, add(sqrt(u2), s.eps!)), s.step!)), slots: [n2, u2] };
    },
    scalarsAt(t, lr) {
      const c1 = (1 - c.beta1) / (1 - c.beta1 ** t);
      const c2 = Math.sqrt((1 - c.beta2) / (1 - c.beta2 ** t));
      return { step: (lr * c1) / c2, eps: c.eps / c2, decay: 1 - lr * c.weightDecay };
    },
  };
}
