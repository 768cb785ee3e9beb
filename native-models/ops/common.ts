import type { DType } from "../graph/dtype.js";
import type { Shape, Value } from "../graph/value.js";
import type { Emitter } from "../onnx/emitter.js";
import type { AttrValue } from "../onnx/proto.js";

/** A lowering that maps the IR node one-to-one onto an ONNX op with the same inputs. */
export function direct(opType: string, attrs: (y: Value) => Record<string, AttrValue> = () => ({})) {
  return (e: Emitter, y: Value): void =>
    e.node(
      opType,
      y.inputs.map((x) => e.name(x)),
      [e.name(y)],
      attrs(y),
    );
}

export function sameType(x: Value): { dtype: DType; shape: Shape } {
  return { dtype: x.dtype, shape: x.shape };
}

export function requireFloat(op: string, x: Value): void {
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new Error(`${op} needs a float tensor, got ${x}`);
}

export function normAxis(axis: number, rank: number, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`${op}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Numpy broadcasting of static or symbolic shapes. */
export function broadcastShapes(op: string, ...shapes: Shape[]): Shape {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: (number | string)[] = [];
  for (let i = 0; i < rank; i++) {
    let d: number | string = 1;
    for (const s of shapes) {
      const k = s[s.length - rank + i] ?? 1;
      if (k === 1 || k === d) continue;
      if (d !== 1) throw new Error(`${op}: shapes ${shapes.map((s) => `[${s.join(",")}]`).join(" and ")} do not broadcast`);
      d = k;
    }
    out.push(d);
  }
  return out;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
