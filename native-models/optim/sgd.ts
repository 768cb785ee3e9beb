import { add, mul, sub } from "../ops/index.js";
import type { Optimizer } from "./optimizer.js";

export interface SgdConfig {
  momentum: number;
  /** L2 penalty added to the gradient (PyTorch's SGD weight_decay). */
  weightDecay: number;
}

/** SGD with heavy-ball momentum as PyTorch defines it (dampening 0): b ← μb + g (+ wd·p), p ← p − lr·b. */
export function sgd(cfg: Partial<SgdConfig> = {}): Optimizer {
  const c: SgdConfig = { momentum: 0.9, weightDecay: 0, ...cfg };
  return {
    kind: "sgd",
    slots: c.momentum ? ["b"] : [],
    scalars: ["lr"],
    config: { ...c },
    update(p, g, slots, s) {
      const grad = c.weightDecay ? add(g, mul(p, c.weightDecay)) : g;
      if (!c.momentum) return { param: sub(p, mul(grad, s.lr!)), slots: [] };
      const b = add(mul(slots[0]!, c.momentum), grad);
      return { param: sub(p, mul(b, s.lr!)), slots: [b] };
    },
    scalarsAt: (_t, lr) => ({ lr }),
  };
}
