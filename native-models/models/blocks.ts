import type { Graph, Value } from "../graph/value.js";
import { dropout, layerNorm, leakyRelu, linear } from "../ops/index.js";

/** Whether a graph trains (dropout on, sampled latent) or infers (dropout off, latent mean). */
export type Mode = "train" | "eval";

export interface Linear {
  w: Value;
  b: Value;
}

/** A Linear layer's parameters: W [in, out] Xavier-normal, b zero (PyTorch's layout transposed, same distribution). */
export function linearParams(g: Graph, name: string, nIn: number, nOut: number, group: string, dtype: Value["dtype"] = "float32"): Linear {
  return {
    w: g.param(`${name}.w`, [nIn, nOut], { group, dtype, init: { kind: "xavierNormal", fanIn: nIn, fanOut: nOut } }),
    b: g.param(`${name}.b`, [nOut], { group, dtype, init: { kind: "zeros" } }),
  };
}

/**
 * sciLaMA's block: Linear → LayerNorm (no affine) → LeakyReLU(0.01) → Dropout. In training the dropout mask is a
 * random input named `<name>.mask`.
 */
export function block(x: Value, name: string, nOut: number, group: string, mode: Mode, p: number): Value {
  const g = x.graph;
  const lin = linearParams(g, name, x.shape[1] as number, nOut, group, x.dtype);
  const h = leakyRelu(layerNorm(linear(x, lin.w, lin.b)), 0.01);
  if (mode === "eval" || p === 0) return h;
  return dropout(h, g.random(`${name}.mask`, x.dtype, h.shape as number[], { kind: "dropout", p }));
}

export function dense(x: Value, name: string, nOut: number, group: string): Value {
  const lin = linearParams(x.graph, name, x.shape[1] as number, nOut, group, x.dtype);
  return linear(x, lin.w, lin.b);
}
