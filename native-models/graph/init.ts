import { Rng } from "../random.js";
import { allocate, type TypedArray } from "./dtype.js";
import type { ParamInfo } from "./value.js";

/** Initial values of every parameter, each from its own seeded stream so adding a parameter does not move the others. */
export function initParams(params: readonly ParamInfo[], seed: number): Map<string, TypedArray> {
  const out = new Map<string, TypedArray>();
  for (const p of params) {
    const data = allocate(p.value.dtype, p.value.size) as Float32Array | Float64Array;
    const rng = new Rng(seed, ...hashName(p.value.name));
    const init = p.init;
    if (init.kind === "ones") data.fill(1);
    // Glorot & Bengio 2010: std = √(2 / (fan_in + fan_out)), as torch.nn.init.xavier_normal_.
    else if (init.kind === "xavierNormal") rng.fillNormal(data, Math.sqrt(2 / (init.fanIn + init.fanOut)));
    else if (init.kind === "normal") rng.fillNormal(data, init.std);
    out.set(p.value.name, data);
  }
  return out;
}

function hashName(name: string): number[] {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return [h, name.length];
}
