// scPaLM's contrastive loss (Eq. 2, InfoNCE form): value against a direct computation, gradients of both views against
// finite differences, and the negatives mask.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Graph } from "../graph/value.js";
import { contrastiveLoss, negativeMask } from "../models/contrastive.js";
import { toOnnx } from "../onnx/model.js";
import { fdCheck, values } from "./fd.js";
import { runOnce, session, tensor } from "./ort.js";

const [N, D, TAU] = [6, 4, 0.2];
const labels = [0, 0, 1, 1, 2, 2];
const mask = Float64Array.from(negativeMask(labels, 3, (i) => [...Array(N).keys()].map((j) => (j + i + 1) % N)));

function build() {
  const g = new Graph();
  const h = g.input("h", "float64", [N, D]);
  const h2 = g.input("h2", "float64", [N, D]);
  const neg = g.input("neg", "float64", [N, N]);
  return { h, h2, neg, loss: contrastiveLoss(h, h2, neg, TAU) };
}

test("negatives: other pseudo-labels only, at most k per cell", () => {
  for (let i = 0; i < N; i++) {
    const row = [...mask.subarray(i * N, (i + 1) * N)];
    assert.equal(
      row.reduce((a, b) => a + b, 0),
      3,
    );
    row.forEach((m, j) => {
      if (m) assert.notEqual(labels[j], labels[i]);
    });
  }
});

test("the loss equals a direct computation and its gradients match finite differences", async () => {
  const { h, h2, neg, loss } = build();
  const [a, b] = [values(N * D, 1), values(N * D, 2)];
  const s = await session(toOnnx({ inputs: [h, h2, neg], outputs: { loss } }));
  const got = ((await runOnce(s, { h: tensor(h, a), h2: tensor(h2, b), neg: tensor(neg, mask) })).loss as Float64Array)[0]!;
  const cos = (x: Float64Array, i: number, y: Float64Array, j: number) => {
    let xy = 0;
    let xx = 0;
    let yy = 0;
    for (let k = 0; k < D; k++) {
      xy += x[i * D + k]! * y[j * D + k]!;
      xx += x[i * D + k]! ** 2;
      yy += y[j * D + k]! ** 2;
    }
    return xy / Math.sqrt(xx * yy);
  };
  let expected = 0;
  for (let i = 0; i < N; i++) {
    const pos = Math.exp(cos(a, i, b, i) / TAU);
    let den = pos;
    for (let j = 0; j < N; j++) if (mask[i * N + j]) den += Math.exp(cos(a, j, a, i) / TAU);
    expected += -Math.log(pos / den) / N;
  }
  // To 1e-6: the norms carry an ε of 1e-8 against zero vectors.
  assert.ok(Math.abs(got - expected) < 1e-6, `${got} vs ${expected}`);
  const fd = await fdCheck(
    loss,
    [h, h2],
    new Map([
      [h, a],
      [h2, b],
      [neg, mask],
    ]),
  );
  assert.ok(fd.checked > 40 && fd.worst < 1e-6, `worst ${fd.worst}`);
});
