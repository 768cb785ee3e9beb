/**
 * npm run bench:io — read time and peak memory for every shared dataset (full load, each reader that applies)
 * and for a synthetic 100,000 × 20,000 CSR .h5ad at ~5% density that the script writes itself (full load and
 * row-range streaming in blocks of 10,000 cells). Each measurement runs in its own process so peak RSS
 * (VmHWM) is that reader's alone. Last line: BENCH io key=value …
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { H5adFile } from "../main/io/h5ad/read.js";
import { H5Writer } from "../main/io/hdf5/writer.js";
import { readDataset } from "../main/io/read.js";

const root = join(fileURLToPath(import.meta.url), "..", "..");
const shared = join(root, "..", "shared", "data");
const cache = join(root, ".bench");

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** Child mode: `bench-io.ts --measure full|stream <path>` prints one JSON line. */
async function measure(mode: string, path: string) {
  const t0 = performance.now();
  let cells = 0;
  let nnz = 0;
  if (mode === "full") {
    const { dataset } = await readDataset(path);
    cells = dataset.X.nRows;
    nnz = dataset.X.kind === "csr" ? dataset.X.indptr[dataset.X.nRows] : dataset.X.values.length;
  } else {
    const f = await H5adFile.open(path);
    for (let s = 0; s < f.nObs; s += 10_000) {
      const block = f.readRows(s, Math.min(f.nObs, s + 10_000));
      cells += block.nRows;
      nnz += block.kind === "csr" ? block.indptr[block.nRows] : block.values.length;
    }
    f.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`${JSON.stringify({ seconds, peakMb: peakRssMb(), cells, nnz })}\n`);
}

/** Writes the synthetic matrix block by block (never whole in memory): ~5% of genes per cell, counts 1–10. */
function writeSynthetic(path: string, nCells: number, nGenes: number, density: number) {
  const w = new H5Writer(path);
  let seed = 42;
  const rand = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const perCell = Math.round(nGenes * density);
  const nnz = nCells * perCell;
  const X = w.root
    .group("X")
    .attr("encoding-type", "csr_matrix")
    .attr("encoding-version", "0.1.0")
    .attr("shape", BigInt64Array.of(BigInt(nCells), BigInt(nGenes)));
  const data = X.stream("data", "f4", [nnz]);
  const indices = X.stream("indices", "i4", [nnz]);
  const step = nGenes / perCell;
  for (let s = 0; s < nCells; s += 5000) {
    const n = Math.min(5000, nCells - s);
    const d = new Float32Array(n * perCell);
    const ix = new Int32Array(n * perCell);
    for (let k = 0; k < n * perCell; k++) {
      const j = k % perCell;
      ix[k] = Math.min(nGenes - 1, Math.floor(j * step + rand() * step));
      d[k] = 1 + Math.floor(rand() * 10);
    }
    data.write(d);
    indices.write(ix);
  }
  const indptr = new BigInt64Array(nCells + 1);
  for (let r = 0; r <= nCells; r++) indptr[r] = BigInt(r * perCell);
  X.array("indptr", indptr);
  for (const [name, n, prefix] of [
    ["obs", nCells, "cell"],
    ["var", nGenes, "gene"],
  ] as const) {
    const g = w.root
      .group(name)
      .attr("encoding-type", "dataframe")
      .attr("encoding-version", "0.2.0")
      .attr("_index", "_index")
      .attr("column-order", []);
    g.strings(
      "_index",
      Array.from({ length: n }, (_, i) => `${prefix}${i}`),
    )
      .attr("encoding-type", "string-array")
      .attr("encoding-version", "0.2.0");
  }
  w.root.attr("encoding-type", "anndata").attr("encoding-version", "0.1.0");
  w.close();
}

function run(mode: string, path: string) {
  const out = execFileSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--measure", mode, path], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  return JSON.parse(out.trim().split("\n").pop() ?? "{}") as { seconds: number; peakMb: number; cells: number; nnz: number };
}

async function main() {
  const inputs = [
    "pbmc3k/pbmc3k_seurat_tutorial_2638cells_2000hvg_counts.h5ad",
    "pbmc3k/seurat_tutorial_2000hvg_counts_mtx",
    "pbmc3k/pbmc_small_seuratobject_80cells_230genes.h5ad",
    "pbmc3k/pbmc_small_mtx",
    "cellbench/cellbench_3cl_celseq2_dropseq.h5ad",
    "kang_ifnb/kang_ifnb_2000cells_ctrl_stim.h5ad",
    "pancreas/cepo_sce_pancreas_528cells_1403genes_3batches.h5ad",
    "hsmm/hsmm_271cells_fpkm.h5ad",
    "osmfish/osmfish_gimvi_4530cells_33genes.h5ad",
  ];
  console.log("dataset                                                          mode     seconds  peak MB     cells         nnz");
  const row = (name: string, mode: string, r: ReturnType<typeof run>) =>
    console.log(
      `${name.padEnd(64)} ${mode.padEnd(7)} ${r.seconds.toFixed(2).padStart(8)} ${r.peakMb.toFixed(0).padStart(8)} ${String(r.cells).padStart(9)} ${String(r.nnz).padStart(11)}`,
    );
  let sharedTotal = 0;
  for (const rel of inputs) {
    const r = run("full", join(shared, rel));
    sharedTotal += r.seconds;
    row(rel, "full", r);
  }
  mkdirSync(cache, { recursive: true });
  const synth = join(cache, "synthetic_100000x20000_5pct.h5ad");
  let writeS = Number.NaN;
  if (!existsSync(synth)) {
    const t0 = performance.now();
    writeSynthetic(synth, 100_000, 20_000, 0.05);
    writeS = (performance.now() - t0) / 1000;
    console.log(`wrote ${synth} (${(statSync(synth).size / 2 ** 30).toFixed(2)} GiB) in ${writeS.toFixed(1)} s`);
  }
  const full = run("full", synth);
  row("synthetic 100,000 × 20,000 (5%)", "full", full);
  const stream = run("stream", synth);
  row("synthetic 100,000 × 20,000 (5%)", "stream", stream);
  const mnnzS = (r: typeof full) => (r.nnz / 1e6 / r.seconds).toFixed(1);
  console.log(
    `BENCH io shared_total_s=${sharedTotal.toFixed(2)} synth_write_s=${Number.isNaN(writeS) ? "cached" : writeS.toFixed(1)} synth_full_s=${full.seconds.toFixed(2)} synth_full_peak_mb=${full.peakMb.toFixed(0)} synth_full_mnnz_s=${mnnzS(full)} synth_stream_s=${stream.seconds.toFixed(2)} synth_stream_peak_mb=${stream.peakMb.toFixed(0)} synth_stream_mnnz_s=${mnnzS(stream)}`,
  );
}

if (process.argv[2] === "--measure") await measure(process.argv[3], process.argv[4]);
else await main();
