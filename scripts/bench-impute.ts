/**
 * npm run bench:impute — panel imputation at the size of the sciLaMA paper's osmFISH task: a 3,000-cell × 3,654-gene
 * reference and a 4,530-cell × 30-gene target, generated (8 cell types, each gene's mean a base level times a type
 * effect; Poisson counts with a library size per cell, the target's 4× shallower, as a targeted assay is). Genes are
 * named after the bundled prior's, so all are covered. Times the chosen model's training, its prediction of the
 * 3,624 unmeasured genes for the target, and 5-fold and leave-one-gene-out evaluation (LOGO: 30 models, estimated
 * from the first 5 folds unless SCILAMA_BENCH_LOGO=full); peak resident memory of the process.
 * Options: --preset quick|standard|thorough (default quick), --seed N.
 * Last line: BENCH impute train_s=… predict_s=… kfold_s=… logo_s=… peak_mb=… pcc_panel=… pcc_knn=…
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { imputePanel } from "../main/analyses/impute/panel.js";
import type { Preset } from "../main/analyses/impute/settings.js";
import type { Dataset } from "../main/data/dataset.js";
import { csrFromTriplets } from "../main/data/sparse.js";
import { writeH5ad } from "../main/io/h5ad/write.js";
import { bundledPrior } from "../main/priors/index.js";
import { Rng } from "../native-models/random.js";

const { values } = parseArgs({ options: { preset: { type: "string", default: "quick" }, seed: { type: "string", default: "1" } } });
const preset = values.preset as Preset;
const seed = Number(values.seed);

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

const TYPES = 8;
const GENES = 3654;
const PANEL = 30;
const rng = new Rng(seed, 0x494d50);
const genes = bundledPrior().genes.slice(0, GENES);
// Each gene: a base level (log-normal) and, for one gene in five, a type it marks (×2–×10).
const base = Float64Array.from({ length: GENES }, () => Math.exp(-2 + 1.5 * rng.normal()));
const effect = Float64Array.from({ length: TYPES * GENES }, () => (rng.uniform() < 0.2 ? 2 + 8 * rng.uniform() : 1));
// The panel: the 30 genes with the largest effect relative to their spread across types, among expressed ones.
const spread = Array.from({ length: GENES }, (_, g) => {
  const v = Array.from({ length: TYPES }, (_, t) => Math.log(effect[t * GENES + g]!));
  const m = v.reduce((a, b) => a + b, 0) / TYPES;
  return { g, s: base[g]! > 0.2 ? v.reduce((a, b) => a + (b - m) ** 2, 0) : 0 };
});
const panel = spread
  .sort((a, b) => b.s - a.s)
  .slice(0, PANEL)
  .map((x) => x.g)
  .sort((a, b) => a - b);

function poisson(lambda: number): number {
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rng.uniform();
  } while (p > l);
  return k - 1;
}

function generate(cells: number, cols: readonly number[], depth: number, prefix: string): Dataset {
  const rows: number[] = [];
  const cs: number[] = [];
  const vs: number[] = [];
  const types = new Int32Array(cells);
  for (let c = 0; c < cells; c++) {
    const t = Math.floor(rng.uniform() * TYPES);
    types[c] = t;
    const lib = depth * Math.exp(0.3 * rng.normal());
    cols.forEach((g, j) => {
      const n = poisson(lib * base[g]! * effect[t * GENES + g]!);
      if (n) {
        rows.push(c);
        cs.push(j);
        vs.push(n);
      }
    });
  }
  const X = csrFromTriplets(cells, cols.length, Int32Array.from(rows), Int32Array.from(cs), Float32Array.from(vs));
  return {
    X: { kind: "csr", ...X },
    obs: {
      index: Array.from({ length: cells }, (_, i) => `${prefix}${i}`),
      columns: new Map([
        [
          "cell_type",
          { kind: "categorical", codes: types, categories: Array.from({ length: TYPES }, (_, t) => `type ${t}`), ordered: false },
        ],
      ]),
    },
    var: { index: cols.map((g) => genes[g]!), columns: new Map() },
    obsm: new Map(),
    varm: new Map(),
    layers: new Map(),
    uns: {},
  };
}

const dir = mkdtempSync(join(tmpdir(), "bench-impute-"));
const reference = join(dir, "reference.h5ad");
const target = join(dir, "target.h5ad");
writeH5ad(reference, generate(3000, [...genes.keys()], 1, "ref"));
writeH5ad(target, generate(4530, panel, 0.25, "tgt"));
console.log(`generated: reference 3000 × ${GENES}, target 4530 × ${PANEL} (${dir})`);

const panelNames = panel.map((g) => genes[g]!);
const common = {
  reference,
  target,
  panel: panelNames,
  prior: { priors: ["bundled" as const] },
  preset,
  seed,
  baselines: ["mean", "knn"] as const,
};
const t0 = performance.now();
const stages = { emit: (e: { type: string; stage?: string }) => e.type === "stage" && console.log(`  · ${e.stage}`) };
const kfold = await imputePanel({ ...common, evaluation: { kind: "kfold", k: 5 } }, stages);
const total = (performance.now() - t0) / 1000;
const s = kfold.seconds;
const row = (m: string) => kfold.methods.find((r) => r.set === "panel" && r.method.startsWith(m));
console.log(`5-fold run: ${total.toFixed(1)} s in all`, s);
for (const r of kfold.methods)
  console.log(`  ${r.method.padEnd(40)} PCC ${r.pcc.toFixed(3)} ± ${r.pccSem.toFixed(3)}  RMSE ${r.rmse.toFixed(3)}`);
// Leave-one-gene-out trains one model per panel gene, each like a fold's: timed on 5 of them unless asked in full.
let logo: number;
if (process.env.SCILAMA_BENCH_LOGO === "full") {
  const l = await imputePanel({ ...common, evaluation: { kind: "logo" } }, stages);
  logo = l.seconds["k-fold"]!;
  console.log(`leave-one-gene-out: ${logo.toFixed(1)} s (${PANEL} models)`);
} else {
  logo = (s["k-fold"]! / 5) * PANEL;
  console.log(`leave-one-gene-out: ~${logo.toFixed(0)} s (${PANEL} models at the 5-fold run's ${(s["k-fold"]! / 5).toFixed(1)} s each)`);
}
const f = (v: number | undefined) => (v ?? Number.NaN).toFixed(3);
console.log(
  `BENCH impute train_s=${f(s.train)} predict_s=${f(s.predict)} kfold_s=${f(s["k-fold"])} logo_s=${logo.toFixed(1)} peak_mb=${peakRssMb().toFixed(0)} pcc_panel=${f(row("sciLaMA")?.pcc)} pcc_knn=${f(row("kNN")?.pcc)}`,
);
