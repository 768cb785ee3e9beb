// The vector quantiser: each row takes its nearest code of the affine codebook v = mean + std ⊙ c, the forward output
// is that code, and the gradients are the straight-through estimator plus the commitment loss's — checked against the
// formulas, since stop-gradients make finite differences disagree by design.
import assert from "node:assert/strict";
import { test } from "node:test";
import { gradients } from "../autodiff/grad.js";
import { Graph } from "../graph/value.js";
import { vectorQuantize } from "../models/quantizer.js";
import { toOnnx } from "../onnx/model.js";
import * as op from "../ops/index.js";
import { values } from "./fd.js";
import { runOnce, session, tensor } from "./ort.js";

const [N, D, K, BETA, LAMBDA] = [7, 4, 5, 0.25, 0.8];

test("nearest affine code forward; straight-through and commitment gradients as the formulas give", async () => {
  const g = new Graph();
  const z = g.input("z", "float64", [N, D]);
  const q = vectorQuantize(z, "vq", K, "vq", BETA);
  const r = values(N * D, 3);
  const loss = op.add(op.reduceSum(op.mul(q.zq, g.constant(r, "float64", [N, D]))), op.mul(q.loss, LAMBDA));
  const p = (n: string) => g.params.get(n)!.value;
  const [gz, gc, gm, gs] = gradients(loss, [z, p("vq.codes"), p("vq.mean"), p("vq.std")]);
  const zv = values(N * D, 1, -2, 2);
  const c = values(K * D, 2, -2, 2);
  const mean = values(D, 4, -0.5, 0.5);
  const std = values(D, 5, 0.5, 1.5);
  const s = await session(
    toOnnx({
      inputs: [z, p("vq.codes"), p("vq.mean"), p("vq.std")],
      outputs: { zq: q.zq, index: q.index, loss: q.loss, gz: gz!, gc: gc!, gm: gm!, gs: gs! },
    }),
  );
  const out = await runOnce(s, {
    z: tensor(z, zv),
    "vq.codes": tensor(p("vq.codes"), c),
    "vq.mean": tensor(p("vq.mean"), mean),
    "vq.std": tensor(p("vq.std"), std),
  });
  const v = Float64Array.from(c, (x, i) => mean[i % D]! + std[i % D]! * x);
  const index = Array.from({ length: N }, (_, i) => {
    const d = (k: number) => Array.from({ length: D }, (_, j) => (zv[i * D + j]! - v[k * D + j]!) ** 2).reduce((a, b) => a + b, 0);
    return [...Array(K).keys()].sort((a, b) => d(a) - d(b))[0]!;
  });
  assert.deepEqual(Array.from(out.index as BigInt64Array, Number), index);
  assert.ok(new Set(index).size > 1, "more than one code used");
  const e = (i: number, j: number) => v[index[i]! * D + j]!;
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-10, `${what}: ${a} vs ${b}`);
  let se = 0;
  for (let i = 0; i < N; i++)
    for (let j = 0; j < D; j++) {
      close((out.zq as Float64Array)[i * D + j]!, e(i, j), "z_q is the code");
      se += (zv[i * D + j]! - e(i, j)) ** 2;
    }
  close((out.loss as Float64Array)[0]!, se / (N * D), "commitment loss (both terms have the same value)");
  const gv = new Float64Array(K * D);
  for (let i = 0; i < N; i++)
    for (let j = 0; j < D; j++) {
      const diff = zv[i * D + j]! - e(i, j);
      // Straight-through: r, plus the encoder's commitment term (1 − β)·2(z − e)/(N·D).
      close((out.gz as Float64Array)[i * D + j]!, r[i * D + j]! + (LAMBDA * (1 - BETA) * 2 * diff) / (N * D), "∂z");
      gv[index[i]! * D + j]! += (LAMBDA * BETA * 2 * -diff) / (N * D);
    }
  for (let k = 0; k < K; k++) for (let j = 0; j < D; j++) close((out.gc as Float64Array)[k * D + j]!, gv[k * D + j]! * std[j]!, "∂codes");
  for (let j = 0; j < D; j++) {
    let m = 0;
    let st = 0;
    for (let k = 0; k < K; k++) {
      m += gv[k * D + j]!;
      st += gv[k * D + j]! * c[k * D + j]!;
    }
    close((out.gm as Float64Array)[j]!, m, "∂mean");
    close((out.gs as Float64Array)[j]!, st, "∂std");
  }
});
