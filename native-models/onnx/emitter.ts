import { type DType, type TypedArray, typedFrom } from "../graph/dtype.js";
import type { Value } from "../graph/value.js";
import { opDef } from "../ops/registry.js";
import { type AttrValue, attribute, type NodeProto, type TensorProto, tensorProto } from "./proto.js";

/**
 * Lowers IR values to ONNX nodes. Leaves must be bound to names first (graph inputs, Loop body inputs or names
 * visible from an enclosing graph); constants become Constant nodes so that Loop bodies can hold them too.
 */
export class Emitter {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly names = new Map<Value, string>();
  private readonly reserved = new Map<Value, string>();
  private counter = 0;

  constructor(
    private readonly prefix: string,
    /** Constants at least this large become initializers instead of Constant nodes (main graphs only). */
    private readonly initializerThreshold = Number.POSITIVE_INFINITY,
  ) {}

  bind(v: Value, name: string): void {
    this.names.set(v, name);
  }

  /**
   * Makes `name` (e.g. a graph or Loop-body output) the name `v` is computed into, so no Identity copy is needed.
   * Returns false when that is impossible (`v` is a leaf, already emitted or already reserved) — add an Identity then.
   */
  reserve(v: Value, name: string): boolean {
    if (v.op === "input" || v.op === "param" || v.op === "const" || this.names.has(v) || this.reserved.has(v)) return false;
    this.reserved.set(v, name);
    return true;
  }

  /** Emits `outputs` under the given names, reserving where possible and copying with Identity otherwise. */
  emitNamed(outputs: readonly (readonly [string, Value])[]): void {
    const copies = outputs.filter(([n, v]) => !this.reserve(v, n));
    this.emit(outputs.map(([, v]) => v));
    for (const [n, v] of copies) this.node("Identity", [this.name(v)], [n]);
  }

  name(v: Value): string {
    const n = this.names.get(v);
    if (n === undefined) throw new Error(`${v} is used before it is emitted or bound`);
    return n;
  }

  fresh(hint = "t"): string {
    return `${this.prefix}${hint}_${this.counter++}`;
  }

  node(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, AttrValue> = {}): void {
    this.nodes.push({
      opType,
      input: [...inputs],
      output: [...outputs],
      name: this.fresh(opType),
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
  }

  /** Emits one node and returns its single output's fresh name. */
  tmp(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}): string {
    const out = this.fresh(opType.toLowerCase());
    this.node(opType, inputs, [out], attrs);
    return out;
  }

  /** A constant tensor (e.g. the axes input of a reduce op). */
  const(dtype: DType, shape: readonly number[], values: ArrayLike<number>): string {
    return this.tensor(dtype, shape, typedFrom(dtype, values));
  }

  int64s(values: readonly number[]): string {
    return this.const("int64", [values.length], values);
  }

  /** Emits everything `outputs` depend on that is not bound yet, in topological order. */
  emit(outputs: readonly Value[]): void {
    const needed = new Set<Value>();
    const stack = [...outputs];
    while (stack.length) {
      const v = stack.pop()!;
      if (needed.has(v) || this.names.has(v)) continue;
      needed.add(v);
      stack.push(...v.inputs);
    }
    for (const v of [...needed].sort((a, b) => a.id - b.id)) {
      if (v.op === "input" || v.op === "param") throw new Error(`${v.name} (${v}) is not bound to an ONNX input`);
      this.names.set(v, v.op === "const" ? this.constFor(v) : (this.reserved.get(v) ?? this.fresh(v.op)));
      if (v.op !== "const") opDef(v.op).lower(this, v);
    }
  }

  private constFor(v: Value): string {
    return this.tensor(v.dtype, v.shape as number[], v.graph.constData.get(v)!);
  }

  private tensor(dtype: DType, shape: readonly number[], data: TypedArray): string {
    const out = this.fresh("c");
    const t = tensorProto(out, dtype, shape, data);
    if (data.length >= this.initializerThreshold) this.initializers.push(t);
    else this.node("Constant", [], [out], { value: { tensor: t } });
    return out;
  }
}
