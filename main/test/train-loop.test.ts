// The compiled training Loop: S steps in one run equal S single-step runs bit for bit, the in-graph optimizers
// reproduce PyTorch's update rules, and seeds make CPU runs reproducible.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import {
  adamw,
  compileTrainProgram,
  Graph,
  initParams,
  type Optimizer,
  ops,
  sgd,
  type TypedArray,
  vae,
} from "../../native-models/index.js";
import { readDataset } from "../io/read.js";
import { vaeTrainProgram } from "../models/vae.js";
import { log1p, normalizeTotal } from "../pp/normalize.js";
import { scale } from "../pp/scale.js";
import { blockedSource, denseSource } from "../train/data.js";
import { fit } from "../train/fit.js";
import { LoopRunner } from "../train/loop-runner.js";
import { PBMC_SMALL, tempDir } from "./helpers.js";

async function pbmcSmall(): Promise<{ values: Float32Array; rows: number; cols: number }> {
  const { dataset } = await readDataset(PBMC_SMALL);
  const { scaled } = scale(log1p(normalizeTotal(dataset.X)));
  return { values: scaled.values as Float32Array, rows: scaled.nRows, cols: scaled.nCols };
}

const cfg = { features: 230, hidden: [64, 32], latent: 8, dropout: 0.1 };

test("a Loop of S steps equals S runs of one step, bit for bit", async () => {
  const d = await pbmcSmall();
  const B = 16;
  const S = 6;
  const { program, graph } = vaeTrainProgram(cfg, adamw({ weightDecay: 0.01 }), B);
  const init = initParams(graph.paramsOf(), 4);
  const batch = BigInt64Array.from({ length: S * B }, (_, i) => BigInt((i * 7) % d.rows));
  const rowWeight = new Float32Array(S * B).fill(1);
  const beta = Float32Array.from({ length: S }, (_, s) => s / S);
  const lr = Array.from({ length: S }, (_, s) => 1e-3 * 0.9 ** s);
  const whole = await LoopRunner.open(program, init, { seed: 3, provider: "cpu" });
  const single = await LoopRunner.open(program, init, { seed: 3, provider: "cpu" });
  const reportsWhole = await whole.run(S, { batch, rowWeight, beta }, { data: d.values }, lr);
  const losses: number[] = [];
  for (let s = 0; s < S; s++) {
    const r = await single.run(
      1,
      { batch: batch.subarray(s * B, (s + 1) * B), rowWeight: rowWeight.subarray(s * B, (s + 1) * B), beta: beta.subarray(s, s + 1) },
      { data: d.values },
      [lr[s]!],
    );
    losses.push(r.loss![0]!);
  }
  assert.deepEqual([...reportsWhole.loss!], losses);
  assert.ok(losses[S - 1]! < losses[0]!, `loss went from ${losses[0]} to ${losses[S - 1]}`);
  for (const [name, v] of whole.state) assert.deepEqual(v, single.state.get(name), `state ${name} differs`);
  await whole.close();
  await single.close();
});

/** Runs the in-graph optimizer on loss Σ c·(w − target)² for a few steps, in float64, and returns w after each. */
async function optimizerTrace(opt: Optimizer, lrs: number[]): Promise<Float64Array[]> {
  const g = new Graph();
  const w = g.param("w", [4], { group: "w", dtype: "float64", init: { kind: "zeros" } });
  const target = g.input("target", "float64", [4]);
  const c = g.constant(Float64Array.of(1, 3, 0.5, 10), "float64", [4]);
  const loss = ops.reduceSum(ops.mul(ops.square(ops.sub(w, target)), c));
  const program = compileTrainProgram({ graph: g, loss, trainable: ["w"], optimizer: opt, constants: [target] });
  const runner = await LoopRunner.open(program, new Map([["w", Float64Array.of(1, -2, 0.5, 3)]]), { seed: 0, provider: "cpu" });
  const trace: Float64Array[] = [];
  for (const lr of lrs) {
    await runner.run(1, {}, { target: Float64Array.of(0.3, 0.1, -1, 2) }, [lr]);
    trace.push(runner.state.get("w") as Float64Array);
  }
  await runner.close();
  return trace;
}

/** torch.optim.AdamW / SGD's documented algorithms, step by step in plain JS. */
function referenceTrace(kind: "adamw" | "sgd", lrs: number[], hp: Record<string, number>): Float64Array[] {
  const w = Float64Array.of(1, -2, 0.5, 3);
  const target = [0.3, 0.1, -1, 2];
  const c = [1, 3, 0.5, 10];
  const m = new Float64Array(4);
  const v = new Float64Array(4);
  const trace: Float64Array[] = [];
  lrs.forEach((lr, i) => {
    const t = i + 1;
    for (let k = 0; k < 4; k++) {
      let g = 2 * c[k]! * (w[k]! - target[k]!);
      if (kind === "adamw") {
        w[k]! *= 1 - lr * hp.weightDecay!;
        m[k] = hp.beta1! * m[k]! + (1 - hp.beta1!) * g;
        v[k] = hp.beta2! * v[k]! + (1 - hp.beta2!) * g * g;
        const mhat = m[k]! / (1 - hp.beta1! ** t);
        const vhat = v[k]! / (1 - hp.beta2! ** t);
        w[k]! -= (lr * mhat) / (Math.sqrt(vhat) + hp.eps!);
      } else {
        g += hp.weightDecay! * w[k]!;
        m[k] = t === 1 ? g : hp.momentum! * m[k]! + g;
        w[k]! -= lr * m[k]!;
      }
    }
    trace.push(w.slice());
  });
  return trace;
}

function assertClose(a: TypedArray[], b: Float64Array[], tol: number): void {
  a.forEach((x, i) => {
    (x as Float64Array).forEach((v, k) => {
      assert.ok(Math.abs(v - b[i]![k]!) <= tol * (1 + Math.abs(b[i]![k]!)), `step ${i + 1}, w[${k}]: ${v} vs ${b[i]![k]}`);
    });
  });
}

test("in-graph AdamW equals the textbook AdamW (decoupled decay, bias correction, lr schedule)", async () => {
  const hp = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 };
  const lrs = [0.1, 0.1, 0.05, 0.05, 0.02, 0.3, 0.01];
  assertClose(await optimizerTrace(adamw(hp), lrs), referenceTrace("adamw", lrs, hp), 1e-12);
});

test("in-graph SGD with momentum and weight decay equals PyTorch's rule", async () => {
  const hp = { momentum: 0.8, weightDecay: 0.01 };
  const lrs = [0.01, 0.02, 0.01, 0.005, 0.01];
  assertClose(await optimizerTrace(sgd(hp), lrs), referenceTrace("sgd", lrs, hp), 1e-12);
});

test("the same seed reproduces a CPU fit exactly; another seed does not", async () => {
  const d = await pbmcSmall();
  const run = async (seed: number) => {
    const { program, graph } = vaeTrainProgram(cfg, adamw(), 16);
    return fit({
      program,
      params: initParams(graph.paramsOf(), seed),
      data: denseSource(d.values, d.rows, d.cols),
      batch: 16,
      epochs: 3,
      seed,
      provider: "cpu",
      schedule: (e) => ({ lr: 1e-3, inputs: { beta: e / 3 } }),
    });
  };
  const [a, b, c] = [await run(1), await run(1), await run(2)];
  assert.equal(a.steps, 15);
  assert.deepEqual(a.history, b.history);
  for (const [k, v] of a.params) assert.deepEqual(v, b.params.get(k), `parameter ${k} differs between identical runs`);
  assert.notDeepEqual(a.history, c.history);
  assert.equal(a.provider, "cpu");
});

test("frozen parameter groups get no update; the trainable ones do", async () => {
  const d = await pbmcSmall();
  const g = new Graph();
  const data = g.input("data", "float32", ["rows", cfg.features]);
  const x = ops.gather(data, g.input("batch", "int64", [16]));
  const m = vae(g, x, cfg, "train");
  const program = compileTrainProgram({ graph: g, loss: m.loss, trainable: ["dec"], optimizer: adamw(), constants: [data] });
  assert.ok(program.frozen.every((p) => p.group === "enc") && program.frozen.length > 0);
  assert.ok(program.state.every((s) => s.param.startsWith("dec")));
  const init = initParams(g.paramsOf(), 1);
  const runner = await LoopRunner.open(program, init, { seed: 1, provider: "cpu" });
  await runner.run(
    3,
    {
      batch: BigInt64Array.from({ length: 48 }, (_, i) => BigInt(i % d.rows)),
      rowWeight: new Float32Array(48).fill(1),
      beta: new Float32Array(3).fill(1),
    },
    { data: d.values },
    [1e-3, 1e-3, 1e-3],
  );
  const after = runner.params();
  for (const [name, v] of init) {
    if (name.startsWith("enc")) assert.deepEqual(after.get(name), v, `${name} moved although frozen`);
    else assert.notDeepEqual(after.get(name), v, `${name} did not train`);
  }
  await runner.close();
});

test("data fed block by block: stopping inside a block and resuming equals the uninterrupted fit", async (t) => {
  const d = await pbmcSmall();
  const dir = tempDir(t);
  const base = () => {
    const { program, graph } = vaeTrainProgram(cfg, adamw(), 8);
    return {
      program,
      params: initParams(graph.paramsOf(), 5),
      data: blockedSource(d.values, d.rows, d.cols, 30),
      batch: 8,
      epochs: 2,
      seed: 5,
      provider: "cpu" as const,
      maxStepsPerRun: 2,
      schedule: () => ({ lr: 1e-3, inputs: { beta: 1 } }),
    };
  };
  const whole = await fit(base());
  // 80 rows in blocks of 30, 30, 20 → 4 + 4 + 3 steps per epoch.
  assert.equal(whole.steps, 22);
  let calls = 0;
  const ck = join(dir, "blocks.safetensors");
  const stopped = await fit({ ...base(), checkpointPath: ck, shouldStop: () => ++calls > 3 });
  assert.equal(stopped.status, "stopped");
  assert.ok(stopped.steps > 2 && stopped.steps < 11, `stopped after ${stopped.steps} steps`);
  const resumed = await fit({ ...base(), checkpointPath: ck, resumeFrom: ck });
  assert.deepEqual(resumed.history, whole.history);
  for (const [k, v] of whole.params) assert.deepEqual(resumed.params.get(k), v, `${k} differs`);
});
