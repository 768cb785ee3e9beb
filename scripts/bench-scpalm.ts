/**
 * npm run bench:scpalm — scPaLM's training speed against PyTorch on the same model and the same real cells (Kang
 * 2018's PBMCs, log-normalised): the desktop configuration at batch 128 over the bundled model's vocabulary (stage 1,
 * the embedding of every gene plus two transformers and the quantiser, and stage 2), and one stage-1 step of the
 * paper's configuration (N = 256, hidden 768, 12 + 12 layers, K = 128) at batch 8 over all 9,015 of Kang's genes.
 * Each configuration runs in its own process (peak RSS is its own); PyTorch (Debian's python3-torch, installed here if
 * missing) runs scripts/bench/scpalm_torch.py on the same cells.
 * Last line: BENCH scpalm desktop_cells_s=… desktop_vs_torch=… paper_step_s=… peak_mb=…
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MODEL_FILE } from "../main/analyses/scpalm/pretrain.js";
import { readDataset } from "../main/io/read.js";
import { scPaLMArchitecture, scPaLMInitialParams, stage1Program, stage2Program } from "../main/models/scpalm.js";
import { buildCorpus, corpusPart } from "../main/models/scpalm-corpus.js";
import { loadScPaLMModel } from "../main/models/scpalm-files.js";
import { architectureOf, SCPALM_DESKTOP, SCPALM_PAPER, type ScPaLMHyper } from "../main/models/scpalm-hyper.js";
import { LoopRunner } from "../main/train/loop-runner.js";
import type { ProviderChoice } from "../main/train/providers.js";
import type { TypedArray } from "../native-models/index.js";
import { ensureTorch, PY, peakRssMb, peerLine } from "./bench/common.js";

const root = join(fileURLToPath(import.meta.url), "..", "..");
const cache = join(root, ".bench");
const KANG = join(root, "..", "shared", "data", "kang_ifnb", "kang_ifnb_2000cells_ctrl_stim.h5ad");
const provider = (process.env.SCILAMA_PROVIDER ?? "cpu") as ProviderChoice;
const CONFIGS = { desktop: { hyper: SCPALM_DESKTOP, batch: 128, steps: 6 }, paper: { hyper: SCPALM_PAPER, batch: 8, steps: 1 } } as const;
type Config = keyof typeof CONFIGS;

/** Kang's cells over the vocabulary of `config` (the bundled model's, or all of Kang's genes): x and the presence row. */
async function prepareData(config: Config): Promise<{ x: string; present: string; cells: number; genes: number }> {
  const { dataset } = await readDataset(KANG);
  const bundled = join(root, "resources", "scpalm-model", MODEL_FILE);
  const vocabulary = config === "desktop" && existsSync(bundled) ? loadScPaLMModel(bundled).meta.genes : dataset.var.index;
  const { corpus } = buildCorpus([corpusPart("kang", dataset, KANG)], vocabulary);
  mkdirSync(cache, { recursive: true });
  const x = join(cache, `scpalm-${config}-x.f32`);
  const present = join(cache, `scpalm-${config}-present.f32`);
  writeFileSync(x, corpus.x);
  writeFileSync(present, corpus.presence);
  return { x, present, cells: corpus.cells, genes: vocabulary.length };
}

/** Child: `steps` steps of stage 1 (and for the desktop, stage 2) in one run after a warm-up run; one JSON line. */
async function measure(config: Config, xPath: string, presentPath: string, cells: number, genes: number) {
  const { hyper: base, batch, steps } = CONFIGS[config];
  const hyper: ScPaLMHyper = { ...base, batch };
  const a = scPaLMArchitecture(hyper, genes);
  const x = new Float32Array(readFileSync(xPath).buffer.slice(0));
  const presence = new Float32Array(readFileSync(presentPath).buffer.slice(0));
  const threads = availableParallelism();
  const params = scPaLMInitialParams(a, hyper, 0);
  const time = async (stage: 1 | 2) => {
    const width = genes + 1 + (stage === 2 ? a.tokens : 0);
    const data = new Float32Array(cells * width);
    for (let c = 0; c < cells; c++) {
      data.set(x.subarray(c * genes, (c + 1) * genes), c * width);
      for (let t = 0; t < (stage === 2 ? a.tokens : 0); t++) data[c * width + genes + 1 + t] = (c + t) % a.codes;
    }
    const t0 = performance.now();
    const program = stage === 1 ? stage1Program(a, hyper) : stage2Program(a, hyper);
    const compile = (performance.now() - t0) / 1000;
    const runner = await LoopRunner.open(program, params, { seed: 0, provider, threads });
    let cursor = 0;
    const run = async (n: number) => {
      const idx = new BigInt64Array(n * batch);
      for (let i = 0; i < idx.length; i++) idx[i] = BigInt((cursor++ * 7919) % cells);
      const perStep: Record<string, TypedArray> = { batch: idx, rowWeight: new Float32Array(n * batch).fill(1) };
      if (stage === 2) perStep.clWeight = new Float32Array(n).fill(hyper.contrastive.weight);
      const constants: Record<string, TypedArray> = { data, presence };
      if (stage === 2) constants.centroids = new Float32Array(hyper.contrastive.clusters * a.hidden).map((_, i) => Math.sin(i));
      const t = performance.now();
      await runner.run(n, perStep, constants, new Float64Array(n).fill(1e-3));
      return (performance.now() - t) / 1000;
    };
    await run(1);
    const sec = await run(steps);
    await runner.close();
    return { steps_s: steps / sec, cells_s: (steps * batch) / sec, compile_s: compile, provider: runner.opened.provider };
  };
  const s1 = await time(1);
  const s2 = config === "desktop" ? await time(2) : null;
  console.log(JSON.stringify({ config, batch, genes, threads, stage1: s1, stage2: s2, peak_mb: peakRssMb() }));
}

async function main() {
  if (process.argv[2] === "--measure") {
    const [, , , config, x, present, cells, genes] = process.argv;
    return measure(config as Config, x!, present!, Number(cells), Number(genes));
  }
  const torchProblem = ensureTorch();
  const rows: { config: Config; ours: Record<string, unknown>; torch: Record<string, string> }[] = [];
  for (const config of Object.keys(CONFIGS) as Config[]) {
    const d = await prepareData(config);
    const out = execFileSync(
      process.execPath,
      ["--import", "tsx", fileURLToPath(import.meta.url), "--measure", config, d.x, d.present, String(d.cells), String(d.genes)],
      { encoding: "utf8", maxBuffer: 1 << 24 },
    );
    const ours = JSON.parse(out.trim().split("\n").at(-1)!);
    const { hyper, batch, steps } = CONFIGS[config];
    const arch = JSON.stringify(architectureOf(hyper));
    const torch = torchProblem
      ? {}
      : peerLine(
          execFileSync(
            PY,
            [
              join(root, "scripts", "bench", "scpalm_torch.py"),
              ...["--x", d.x, "--present", d.present, "--cells", String(d.cells), "--genes", String(d.genes)],
              ...[
                "--arch",
                arch,
                "--batch",
                String(batch),
                "--steps",
                String(Math.max(steps, 3)),
                "--threads",
                String(availableParallelism()),
              ],
            ],
            { encoding: "utf8" },
          ),
          "scpalm",
        );
    rows.push({ config, ours, torch });
  }
  const f = (v: unknown, d = 2) => (typeof v === "number" ? v.toFixed(d) : String(v ?? "—"));
  console.log(`\nscPaLM training, ${rows[0]!.ours.threads} threads, provider ${(rows[0]!.ours.stage1 as { provider: string }).provider}`);
  console.log(
    "config | genes | batch | stage 1 steps/s | cells/s | stage 2 cells/s | peak MB | torch stage 1 steps/s | torch cells/s | torch peak MB | ratio",
  );
  const ratio = (r: (typeof rows)[number]) =>
    Number((r.ours.stage1 as { cells_s: number }).cells_s) / Number(r.torch.cells_s ?? Number.NaN);
  for (const r of rows) {
    const s1 = r.ours.stage1 as { steps_s: number; cells_s: number };
    const s2 = r.ours.stage2 as { cells_s: number } | null;
    console.log(
      `${r.config} | ${r.ours.genes} | ${r.ours.batch} | ${f(s1.steps_s, 3)} | ${f(s1.cells_s, 1)} | ${s2 ? f(s2.cells_s, 1) : "—"} | ${f(r.ours.peak_mb, 0)} | ${r.torch.steps_s ?? "—"} | ${r.torch.cells_s ?? "—"} | ${r.torch.peak_rss_mb ?? "—"} | ${f(ratio(r))}×`,
    );
  }
  if (torchProblem) console.log(torchProblem);
  const desktop = rows.find((r) => r.config === "desktop")!;
  const paper = rows.find((r) => r.config === "paper")!;
  console.log(
    `BENCH scpalm desktop_cells_s=${f((desktop.ours.stage1 as { cells_s: number }).cells_s, 1)} desktop_vs_torch=${f(ratio(desktop))} paper_step_s=${f(1 / (paper.ours.stage1 as { steps_s: number }).steps_s, 1)} peak_mb=${f(Math.max(Number(desktop.ours.peak_mb), Number(paper.ours.peak_mb)), 0)}`,
  );
}

await main();
