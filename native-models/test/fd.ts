// Finite-difference gradient checking against the compiled reverse-mode gradients, run in real onnxruntime sessions.
import * as ort from "onnxruntime-node";
import { gradients } from "../autodiff/grad.js";
import { ORT_TYPE, type TypedArray } from "../graph/dtype.js";
import type { Value } from "../graph/value.js";
import { toOnnx } from "../onnx/model.js";
import { Rng } from "../random.js";
import { session } from "./ort.js";

export interface FdResult {
  /** Worst |analytic − numeric| / (1 + |numeric|) over all checked entries. */
  worst: number;
  checked: number;
}

/**
 * Checks ∂loss/∂w for every `wrt` against central differences. Tensors with at most `perElement` entries are
 * checked entry by entry; larger ones along `directions` random directions (⟨∇, d⟩ against the directional difference).
 */
export async function fdCheck(
  loss: Value,
  wrt: readonly Value[],
  feeds: ReadonlyMap<Value, TypedArray>,
  opts: { h?: number; perElement?: number; directions?: number } = {},
): Promise<FdResult> {
  const h = opts.h ?? 1e-6;
  const inputs = [...feeds.keys()];
  const grads = gradients(loss, wrt);
  const outputs: Record<string, Value> = { loss };
  grads.forEach((gv, i) => {
    if (!gv) throw new Error(`no gradient for ${wrt[i]}`);
    outputs[`g${i}`] = gv;
  });
  const s = await session(toOnnx({ inputs, outputs }));
  const base = new Map([...feeds].map(([v, d]) => [v, d.slice() as TypedArray]));
  const evalWith = async (m: Map<Value, TypedArray>, names?: string[]) => {
    const f = Object.fromEntries([...m].map(([v, d]) => [v.name, new ort.Tensor(ORT_TYPE[v.dtype], d, v.shape as number[])]));
    const out = await s.run(f, names ?? Object.keys(outputs));
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as TypedArray]));
  };
  const analytic = await evalWith(base);
  const lossAt = async (m: Map<Value, TypedArray>) => (await evalWith(m, ["loss"])).loss![0] as number;
  let worst = 0;
  let checked = 0;
  const rng = new Rng(7);
  for (const [i, w] of wrt.entries()) {
    const g = analytic[`g${i}`] as Float64Array;
    const x = base.get(w) as Float64Array;
    const directions: Float64Array[] = [];
    if (x.length <= (opts.perElement ?? 64)) {
      for (let k = 0; k < x.length; k++) {
        const d = new Float64Array(x.length);
        d[k] = 1;
        directions.push(d);
      }
    } else {
      for (let k = 0; k < (opts.directions ?? 3); k++) {
        const d = new Float64Array(x.length);
        rng.fillNormal(d);
        directions.push(d);
      }
    }
    for (const d of directions) {
      const plus = new Map(base);
      const minus = new Map(base);
      plus.set(
        w,
        x.map((v, k) => v + h * d[k]!),
      );
      minus.set(
        w,
        x.map((v, k) => v - h * d[k]!),
      );
      const numeric = ((await lossAt(plus)) - (await lossAt(minus))) / (2 * h);
      let dot = 0;
      for (let k = 0; k < x.length; k++) dot += g[k]! * d[k]!;
      worst = Math.max(worst, Math.abs(dot - numeric) / (1 + Math.abs(numeric)));
      checked++;
    }
  }
  await s.release();
  return { worst, checked };
}

/** Random float64 values in [lo, hi), kept at least `gap` away from zero when asked (kinks of relu, abs, …). */
export function values(n: number, seed: number, lo = -1, hi = 1, gap = 0): Float64Array {
  const rng = new Rng(seed, n);
  return Float64Array.from({ length: n }, () => {
    let v = lo + (hi - lo) * rng.uniform();
    if (gap && Math.abs(v) < gap) v = v < 0 ? -gap - Math.abs(v) : gap + v;
    return v;
  });
}
