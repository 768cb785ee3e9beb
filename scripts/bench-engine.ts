/**
 * npm run bench:engine — training throughput of the compiled engine against PyTorch on the same model and data.
 * Model: the 13,000-gene cell VAE of sciLaMA (hidden [900, 400], K = 50, dropout 0.1, AdamW), batch 128 and 512.
 * Data: real counts (CellBench, 13,000 most variable genes, log-normalised and scaled), rows tiled to 2,048 cells.
 * Each configuration runs in its own process (peak RSS is its own) and reports steps/s, cells/s, achieved GFLOP/s
 * and its share of a matmul ceiling measured in that process (one Gemm [B × 13,000] · [13,000 × 900]).
 * PyTorch (Debian's python3-torch, installed here if missing) runs scripts/bench/vae_torch.py on the same file.
 * Last line: BENCH engine b128_vs_torch=… b512_vs_torch=… b128_cells_s=… b512_cells_s=…
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import { matrixCols } from "../main/data/subset.js";
import { readDataset } from "../main/io/read.js";
import { vaeTrainProgram } from "../main/models/vae.js";
import { hvgSeurat } from "../main/pp/hvg.js";
import { log1p, normalizeTotal } from "../main/pp/normalize.js";
import { scale } from "../main/pp/scale.js";
import { LoopRunner } from "../main/train/loop-runner.js";
import type { ProviderChoice } from "../main/train/providers.js";
import { adamw, Graph, initParams, ops, toOnnx } from "../native-models/index.js";
import { ensureTorch, PY, peakRssMb, peerLine } from "./bench/common.js";

const root = join(fileURLToPath(import.meta.url), "..", "..");
const cache = join(root, ".bench");
const GENES = 13000;
const CELLS = 2048;
const HIDDEN = [900, 400];
const K = 50;
const provider = (process.env.SCILAMA_PROVIDER ?? "cpu") as ProviderChoice;

/** FLOPs of one training step: forward 2·B·Σ(in·out) over all Linear layers, backward twice that minus the first layer's input gradient. */
function stepFlops(batch: number): number {
  const enc = [GENES, ...HIDDEN];
  const layers: [number, number][] = [];
  for (let i = 0; i + 1 < enc.length; i++) layers.push([enc[i]!, enc[i + 1]!]);
  layers.push([HIDDEN.at(-1)!, K], [HIDDEN.at(-1)!, K], [K, HIDDEN.at(-1)!], [HIDDEN.at(-1)!, HIDDEN[0]!], [HIDDEN[0]!, GENES]);
  const macs = layers.reduce((s, [a, b]) => s + a * b, 0);
  return 2 * batch * (3 * macs - GENES * HIDDEN[0]!);
}

async function prepareData(path: string): Promise<void> {
  if (existsSync(path)) return;
  const { dataset } = await readDataset(join(root, "..", "shared", "data", "cellbench", "cellbench_3cl_celseq2_dropseq.h5ad"));
  const lognorm = log1p(normalizeTotal(dataset.X));
  const hv = hvgSeurat(lognorm, GENES).highlyVariable;
  const top = [...hv.keys()].filter((i) => hv[i] === 1);
  const { scaled } = scale(matrixCols(lognorm, top));
  const out = new Float32Array(CELLS * GENES);
  for (let r = 0; r < CELLS; r++) out.set(scaled.values.subarray((r % scaled.nRows) * GENES, ((r % scaled.nRows) + 1) * GENES), r * GENES);
  mkdirSync(cache, { recursive: true });
  writeFileSync(path, out);
}

/** Child: matmul ceiling then the compiled training Loop at one batch size; prints one JSON line. */
async function measureOrt(batch: number, dataPath: string) {
  const threads = availableParallelism();
  const g = new Graph();
  const a = g.input("a", "float32", [batch, GENES]);
  const w = g.input("w", "float32", [GENES, HIDDEN[0]!]);
  const gemm = await ort.InferenceSession.create(toOnnx({ inputs: [a, w], outputs: { y: ops.gemm(a, w, null) } }), {
    intraOpNumThreads: threads,
    executionProviders: [provider === "cuda" ? "cuda" : "cpu"],
  });
  const feedsG = {
    a: new ort.Tensor("float32", new Float32Array(batch * GENES).fill(0.5), [batch, GENES]),
    w: new ort.Tensor("float32", new Float32Array(GENES * HIDDEN[0]!).fill(0.01), [GENES, HIDDEN[0]!]),
  };
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    await gemm.run(feedsG);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  const ceiling = (2 * batch * GENES * HIDDEN[0]!) / best / 1e9;
  await gemm.release();

  const data = new Float32Array(readFileSync(dataPath).buffer.slice(0));
  const cfg = { features: GENES, hidden: HIDDEN, latent: K, dropout: 0.1 };
  const t0 = performance.now();
  const { program, graph } = vaeTrainProgram(cfg, adamw(), batch);
  const compileSec = (performance.now() - t0) / 1000;
  const runner = await LoopRunner.open(program, initParams(graph.paramsOf(), 0), { seed: 0, provider, threads });
  const steps = batch === 128 ? 10 : 5;
  const runs = batch === 128 ? 3 : 2;
  let cursor = 0;
  const runOnce = async () => {
    const idx = new BigInt64Array(steps * batch);
    for (let i = 0; i < idx.length; i++) idx[i] = BigInt((cursor++ * 7919) % CELLS);
    const t = performance.now();
    const r = await runner.run(
      steps,
      { batch: idx, rowWeight: new Float32Array(steps * batch).fill(1), beta: new Float32Array(steps).fill(1) },
      { data },
      new Float64Array(steps).fill(1e-3),
    );
    return { sec: (performance.now() - t) / 1000, loss: r.loss! };
  };
  const first = await runOnce();
  let sec = 0;
  let last = first.loss;
  for (let i = 0; i < runs; i++) {
    const r = await runOnce();
    sec += r.sec;
    last = r.loss;
  }
  const stepsS = (steps * runs) / sec;
  const gflops = (stepFlops(batch) * stepsS) / 1e9;
  console.log(
    JSON.stringify({
      batch,
      steps_s: stepsS,
      cells_s: stepsS * batch,
      gflops,
      ceiling,
      share: gflops / ceiling,
      peak_mb: peakRssMb(),
      first_loss: first.loss[0],
      last_loss: last.at(-1),
      compile_s: compileSec,
      provider: runner.opened.provider,
      threads,
      params: graph.paramsOf().reduce((s, p) => s + p.value.size, 0),
    }),
  );
  await runner.close();
}

async function main() {
  if (process.argv[2] === "--measure") return measureOrt(Number(process.argv[3]), process.argv[4]!);
  const dataPath = join(cache, `engine-cellbench-${CELLS}x${GENES}.f32`);
  await prepareData(dataPath);
  const torchProblem = ensureTorch();
  const rows: Record<string, number | string>[] = [];
  for (const batch of [128, 512]) {
    const out = execFileSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--measure", String(batch), dataPath], {
      encoding: "utf8",
      maxBuffer: 1 << 24,
    });
    const ours = JSON.parse(out.trim().split("\n").at(-1)!) as Record<string, number | string>;
    let torch: Record<string, string> = {};
    if (!torchProblem) {
      const peer = execFileSync(
        PY,
        [
          join(root, "scripts", "bench", "vae_torch.py"),
          "--data",
          dataPath,
          "--cells",
          String(CELLS),
          "--genes",
          String(GENES),
          "--batch",
          String(batch),
          "--steps",
          batch === 128 ? "20" : "8",
          "--threads",
          String(availableParallelism()),
        ],
        { encoding: "utf8" },
      );
      torch = peerLine(peer, "vae");
    }
    rows.push({
      ...ours,
      torch_steps_s: torch.steps_s ?? "",
      torch_cells_s: torch.cells_s ?? "",
      torch_peak_mb: torch.peak_rss_mb ?? "",
      torch_version: torch.torch ?? "",
    });
  }
  const f = (x: number | string, d = 1) => (typeof x === "number" ? x.toFixed(d) : x);
  console.log(
    `\nsciLaMA cell VAE, ${GENES} genes, hidden [${HIDDEN}], K=${K}, ${rows[0]!.params} parameters, AdamW, ${rows[0]!.threads} threads, provider ${rows[0]!.provider}`,
  );
  console.log(
    "batch | ours steps/s | ours cells/s | GFLOP/s | matmul ceiling | share | peak MB | torch steps/s | torch cells/s | torch peak MB | ratio",
  );
  const ratios: number[] = [];
  for (const r of rows) {
    const ratio = r.torch_cells_s ? Number(r.cells_s) / Number(r.torch_cells_s) : Number.NaN;
    ratios.push(ratio);
    console.log(
      `${r.batch} | ${f(r.steps_s, 2)} | ${f(r.cells_s)} | ${f(r.gflops)} | ${f(r.ceiling)} | ${(Number(r.share) * 100).toFixed(0)}% | ${f(r.peak_mb, 0)} | ${r.torch_steps_s} | ${r.torch_cells_s} | ${r.torch_peak_mb} | ${ratio.toFixed(2)}×`,
    );
  }
  if (torchProblem) console.log(torchProblem);
  console.log(
    `compile time ${f(rows[0]!.compile_s, 3)} s; PyTorch ${rows[0]!.torch_version}; loss ${f(rows[0]!.first_loss)} → ${f(rows[0]!.last_loss)} over the timed steps at batch 128`,
  );
  console.log(
    `BENCH engine b128_vs_torch=${ratios[0]!.toFixed(2)} b512_vs_torch=${ratios[1]!.toFixed(2)} b128_cells_s=${f(rows[0]!.cells_s)} b512_cells_s=${f(rows[1]!.cells_s)}`,
  );
}

await main();
