import * as ort from "onnxruntime-node";
import type { Feed } from "../../native-models/index.js";
import { allocate, ORT_TYPE, Rng, type TrainProgram, type TypedArray } from "../../native-models/index.js";
import { type OpenedSession, openSession, type ProviderChoice } from "./providers.js";

/** The random stream of step t's random inputs: (seed, RANDOM_STREAM, t, input index). */
const RANDOM_STREAM = 0x52414e44;

/**
 * Runs a compiled training Loop: owns the carried state (parameters and optimizer slots) between runs, draws the
 * per-step random inputs from (seed, step) and computes the optimizer's per-step scalars from the step count.
 */
export class LoopRunner {
  /** Optimizer steps taken so far. */
  t = 0;

  private constructor(
    readonly program: TrainProgram,
    readonly opened: OpenedSession,
    readonly seed: number,
    /** Carried state by name (trainable parameters and slots). */
    readonly state: Map<string, TypedArray>,
    /** Frozen parameters the loss reads, by name. */
    readonly frozen: Map<string, TypedArray>,
  ) {}

  /** `params` holds every parameter by name; slots start at zero unless given (resume). */
  static async open(
    program: TrainProgram,
    params: ReadonlyMap<string, TypedArray>,
    opts: { seed: number; provider?: ProviderChoice; threads?: number; slots?: ReadonlyMap<string, TypedArray> },
  ): Promise<LoopRunner> {
    const state = new Map<string, TypedArray>();
    for (const s of program.state) {
      const given = s.slot === null ? params.get(s.param) : opts.slots?.get(s.name);
      if (s.slot === null && !given) throw new Error(`no value for parameter ${s.name}`);
      state.set(
        s.name,
        given
          ? given.slice()
          : allocate(
              s.dtype,
              s.shape.reduce((a, b) => a * b, 1),
            ),
      );
    }
    const frozen = new Map<string, TypedArray>();
    for (const p of program.frozen) {
      const v = params.get(p.value.name);
      if (!v) throw new Error(`no value for frozen parameter ${p.value.name}`);
      frozen.set(p.value.name, v);
    }
    const opened = await openSession(program.model, opts.provider ?? "auto", opts.threads);
    return new LoopRunner(program, opened, opts.seed, state, frozen);
  }

  /**
   * Runs `steps` steps. `perStep` holds each per-step input for all steps back to back (the optimizer scalars are
   * added here from `lr`, one learning rate per step); `constants` the once-per-run inputs. Returns per-step reports.
   */
  async run(
    steps: number,
    perStep: Readonly<Record<string, TypedArray>>,
    constants: Readonly<Record<string, TypedArray>>,
    lr: ArrayLike<number>,
  ): Promise<Record<string, Float64Array>> {
    const p = this.program;
    const feeds: Record<string, ort.Tensor> = { steps: new ort.Tensor("int64", BigInt64Array.of(BigInt(steps)), []) };
    for (const s of p.state) feeds[s.name] = new ort.Tensor(ORT_TYPE[s.dtype], this.state.get(s.name)!, s.shape as number[]);
    for (const [name, v] of this.frozen) feeds[name] = tensorFor(p.frozen.find((f) => f.value.name === name)!.value, v);
    const scalarDtype = p.state[0]!.dtype;
    const optScalars = p.optimizer.scalars.map((k) => ({ k, data: allocate(scalarDtype, steps) as Float32Array | Float64Array }));
    for (let s = 0; s < steps; s++) {
      const sc = p.optimizer.scalarsAt(this.t + s + 1, lr[s]!);
      for (const o of optScalars) o.data[s] = sc[o.k]!;
    }
    const given: Record<string, TypedArray> = { ...perStep, ...Object.fromEntries(optScalars.map((o) => [`opt.${o.k}`, o.data])) };
    for (const f of p.perStep) {
      const data = given[f.name];
      if (!data) throw new Error(`per-step input ${f.name} was not provided`);
      feeds[f.name] = stepTensor(f, data, steps);
    }
    p.random.forEach((f, i) => {
      const per = f.shape.reduce<number>((a, b) => a * (b as number), 1);
      const data = allocate(f.dtype, per * steps);
      for (let s = 0; s < steps; s++) {
        const rng = new Rng(this.seed, RANDOM_STREAM, this.t + s, i);
        const view = data.subarray(s * per, (s + 1) * per);
        if (f.dist.kind === "subset") rng.fillSubsets(view as BigInt64Array, f.shape[1] as number, f.dist.of);
        else if (f.dist.kind === "normal") rng.fillNormal(view as Float32Array | Float64Array);
        else rng.fillDropout(view as Float32Array | Float64Array, f.dist.p);
      }
      feeds[f.name] = stepTensor(f, data, steps);
    });
    for (const f of p.constants) {
      const data = constants[f.name];
      if (!data) throw new Error(`constant input ${f.name} was not provided`);
      feeds[f.name] = new ort.Tensor(ORT_TYPE[f.dtype], data, resolveShape(f, data.length));
    }
    const out = await this.opened.session.run(feeds);
    for (const s of p.state) this.state.set(s.name, out[`next:${s.name}`]!.data as TypedArray);
    this.t += steps;
    return Object.fromEntries(p.reports.map((k) => [k, Float64Array.from(out[`report:${k}`]!.data as Float32Array)]));
  }

  /** Every parameter's current value (trainable from the carried state, frozen as given). */
  params(): Map<string, TypedArray> {
    const out = new Map(this.frozen);
    for (const s of this.program.state) if (s.slot === null) out.set(s.name, this.state.get(s.name)!);
    return out;
  }

  slots(): Map<string, TypedArray> {
    return new Map(this.program.state.filter((s) => s.slot !== null).map((s) => [s.name, this.state.get(s.name)!]));
  }

  async close(): Promise<void> {
    await this.opened.session.release();
  }
}

function tensorFor(
  v: { dtype: TrainProgram["state"][number]["dtype"]; shape: readonly (number | string)[] },
  data: TypedArray,
): ort.Tensor {
  return new ort.Tensor(ORT_TYPE[v.dtype], data, v.shape as number[]);
}

function stepTensor(f: Feed, data: TypedArray, steps: number): ort.Tensor {
  const shape = [steps, ...(f.shape as number[])];
  if (data.length !== shape.reduce((a, b) => a * b, 1))
    throw new Error(`per-step input ${f.name} has ${data.length} values for [${shape.join(",")}]`);
  return new ort.Tensor(ORT_TYPE[f.dtype], data, shape);
}

/** A feed's concrete shape: at most one symbolic dimension, inferred from the data length. */
function resolveShape(f: Feed, length: number): number[] {
  const known = f.shape.reduce<number>((a, d) => a * (typeof d === "number" ? d : 1), 1);
  const dims = f.shape.map((d) => (typeof d === "number" ? d : length / known));
  if (dims.reduce((a, b) => a * b, 1) !== length || !dims.every(Number.isInteger))
    throw new Error(`input ${f.name}: ${length} values do not fit [${f.shape.join(",")}]`);
  return dims;
}
