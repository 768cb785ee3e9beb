import { isFloat } from "../graph/dtype.js";
import type { Value } from "../graph/value.js";
import { sameShape } from "../ops/common.js";
import { add } from "../ops/elementwise.js";
import { opDef } from "../ops/registry.js";

/**
 * Reverse-mode differentiation of a scalar `loss` with respect to `wrt`. Only nodes on a path from some `wrt` to
 * the loss are differentiated (so no gradient is built for data inputs or frozen parameters), and `stopGradient`
 * cuts paths. Returns one gradient per `wrt` entry, or null where the loss does not depend on it.
 */
export function gradients(loss: Value, wrt: readonly Value[]): (Value | null)[] {
  if (loss.rank !== 0 || !isFloat(loss.dtype)) throw new Error(`gradients: the loss must be a float scalar, got ${loss}`);
  const graph = loss.graph;
  const targets = new Set(wrt);
  // Forward pass over the nodes that existed when differentiation started: which depend on a target.
  const depends = new Set<Value>();
  const upto = loss.id;
  for (const v of graph.values.slice(0, upto + 1)) {
    if (targets.has(v)) depends.add(v);
    else if (v.op !== "stopGradient" && v.inputs.some((x) => depends.has(x))) depends.add(v);
  }
  const adjoint = new Map<Value, Value>([[loss, graph.scalar(1, loss.dtype)]]);
  for (let id = upto; id >= 0; id--) {
    const y = graph.values[id]!;
    const gy = adjoint.get(y);
    if (!gy || y.isLeaf || !depends.has(y)) continue;
    const def = opDef(y.op);
    if (!def.grad) throw new Error(`gradients: op ${y.op} (${y}) is not differentiable but lies between a parameter and the loss`);
    const grads = def.grad(y, gy);
    y.inputs.forEach((x, i) => {
      const gx = grads[i];
      if (!gx || !depends.has(x)) return;
      if (!sameShape(gx.shape, x.shape) || gx.dtype !== x.dtype) throw new Error(`gradients: ${y.op} gave a gradient ${gx} for input ${x}`);
      const prev = adjoint.get(x);
      adjoint.set(x, prev ? add(prev, gx) : gx);
    });
  }
  return wrt.map((w) => adjoint.get(w) ?? null);
}
