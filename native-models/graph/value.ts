import { opDef } from "../ops/registry.js";
import { type DType, isFloat, type TypedArray, typedFrom } from "./dtype.js";

/** A static dimension, or a named symbolic one (only for inference graphs, e.g. the batch size of an export). */
export type Dim = number | string;
export type Shape = readonly Dim[];
export type Attr = number | string | boolean | readonly number[];
export type Attrs = Readonly<Record<string, Attr>>;

/** How a parameter starts. Xavier-normal is the sciLaMA/PyTorch default for Linear weights. */
export type Init =
  | { kind: "zeros" }
  | { kind: "ones" }
  | { kind: "xavierNormal"; fanIn: number; fanOut: number }
  | { kind: "normal"; std: number };

/** How the runtime fills a random input for each step. */
/**
 * How the runtime fills a random input: standard normal, an inverted-dropout mask, or (int64 [rows, k]) each row k
 * distinct increasing indices drawn uniformly from 0…of−1 (a random subset of positions, e.g. tokens to keep).
 */
export type RandomDist = { kind: "normal" } | { kind: "dropout"; p: number } | { kind: "subset"; of: number };

export interface ParamInfo {
  readonly value: Value;
  /** Parameters are frozen and trained by group (e.g. "cell", "gene"). */
  readonly group: string;
  readonly init: Init;
}

/**
 * One node of the single-assignment IR. Every op has exactly one output, so a node is its value. Leaves are
 * graph inputs, parameters and constants. Shapes and dtypes are fixed when the node is built.
 */
export class Value {
  constructor(
    readonly graph: Graph,
    readonly id: number,
    readonly op: string,
    readonly inputs: readonly Value[],
    readonly attrs: Attrs,
    readonly dtype: DType,
    readonly shape: Shape,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  /** Number of elements; only for fully static shapes. */
  get size(): number {
    return staticSize(this.shape);
  }

  /** The distribution of a random input, or null for ordinary values. */
  get randomDist(): RandomDist | null {
    return this.op === "input" && typeof this.attrs.random === "string" ? (JSON.parse(this.attrs.random) as RandomDist) : null;
  }

  get isLeaf(): boolean {
    return this.op === "input" || this.op === "param" || this.op === "const";
  }

  /** The user-facing name of an input or parameter. */
  get name(): string {
    return (this.attrs.name as string | undefined) ?? `v${this.id}`;
  }

  toString(): string {
    return `${this.op}#${this.id}<${this.dtype}[${this.shape.join(",")}]>`;
  }
}

export function staticSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== "number") throw new Error(`shape [${shape.join(",")}] is symbolic; a static size was needed`);
    n *= d;
  }
  return n;
}

/** A graph under construction: its leaves and every node in creation (hence topological) order. */
export class Graph {
  readonly values: Value[] = [];
  readonly inputs = new Map<string, Value>();
  readonly params = new Map<string, ParamInfo>();
  readonly constData = new Map<Value, TypedArray>();
  private readonly scalars = new Map<string, Value>();

  input(name: string, dtype: DType, shape: Shape): Value {
    this.checkName(name);
    const v = this.push("input", [], { name }, dtype, shape);
    this.inputs.set(name, v);
    return v;
  }

  /** An input the runtime fills with fresh random numbers every step, drawn from the (seed, step) stream. */
  random(name: string, dtype: DType, shape: readonly number[], dist: RandomDist): Value {
    this.checkName(name);
    if ((dist.kind === "subset") !== (dtype === "int64"))
      throw new Error(`random input ${name}: int64 goes with subsets, and only with them`);
    if (dist.kind === "subset" && !(shape.length === 2 && (shape[1] as number) <= dist.of))
      throw new Error(`random input ${name}: a subset is [rows, k] with k ≤ ${dist.of}, got [${shape.join(",")}]`);
    const v = this.push("input", [], { name, random: JSON.stringify(dist) }, dtype, shape);
    this.inputs.set(name, v);
    return v;
  }

  param(name: string, shape: readonly number[], opts: { group: string; init: Init; dtype?: DType }): Value {
    this.checkName(name);
    const v = this.push("param", [], { name }, opts.dtype ?? "float32", shape);
    this.params.set(name, { value: v, group: opts.group, init: opts.init });
    return v;
  }

  constant(data: TypedArray, dtype: DType, shape: readonly number[]): Value {
    if (data.length !== staticSize(shape)) throw new Error(`constant has ${data.length} values for shape [${shape.join(",")}]`);
    const v = this.push("const", [], {}, dtype, shape);
    this.constData.set(v, data);
    return v;
  }

  /** A cached scalar constant. */
  scalar(x: number, dtype: DType): Value {
    const key = `${dtype}:${Object.is(x, -0) ? "-0" : x}`;
    let v = this.scalars.get(key);
    if (!v) {
      v = this.constant(typedFrom(dtype, [x]), dtype, []);
      this.scalars.set(key, v);
    }
    return v;
  }

  /** Builds a node of a registered op; its output type comes from the op's shape inference. */
  node(op: string, inputs: readonly Value[], attrs: Attrs = {}): Value {
    for (const x of inputs) if (x.graph !== this) throw new Error(`${op}: input ${x} belongs to another graph`);
    const { dtype, shape } = opDef(op).infer(inputs, attrs);
    return this.push(op, inputs, attrs, dtype, shape);
  }

  paramsOf(groups?: readonly string[]): ParamInfo[] {
    return [...this.params.values()].filter((p) => !groups || groups.includes(p.group));
  }

  private push(op: string, inputs: readonly Value[], attrs: Attrs, dtype: DType, shape: Shape): Value {
    const v = new Value(this, this.values.length, op, inputs, attrs, dtype, shape);
    this.values.push(v);
    return v;
  }

  private checkName(name: string): void {
    if (this.inputs.has(name) || this.params.has(name)) throw new Error(`graph already has an input or parameter named "${name}"`);
  }
}

/** Turns a number into a scalar constant of `like`'s dtype, so ops accept plain numbers. */
export function lift(x: Value | number, like: Value): Value {
  if (typeof x !== "number") return x;
  if (!isFloat(like.dtype) && like.dtype !== "int64") throw new Error(`cannot mix the number ${x} with ${like}`);
  return like.graph.scalar(x, like.dtype);
}
