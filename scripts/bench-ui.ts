/**
 * npm run bench:ui — the results page with 100,000 cells in Debian's Chromium: a project whose integration run holds a
 * generated result of `SCILAMA_BENCH_CELLS` cells (default 100,000; 12 cell types as blobs on the UMAP, 5 batches,
 * 200 genes) is served by the web host; the script times the result's load through the API, the first drawing of the
 * UMAP, recolouring by another column and by a gene, and the frame rate while zooming with the mouse wheel, and
 * prints the browser's JS heap and the host's peak RSS.
 * Last line: BENCH ui cells=… api_ms=… first_draw_ms=… recolor_ms=… gene_ms=… zoom_fps=… zoom_max_frame_ms=… peak_mb=…
 */
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { Studio } from "../main/api/studio.js";
import type { Dataset } from "../main/data/dataset.js";
import { categorical } from "../main/data/frame.js";
import { csrFromTriplets } from "../main/data/sparse.js";
import { startHost } from "../main/host/server.js";
import { writeH5ad } from "../main/io/h5ad/write.js";
import { CHROMIUM } from "../main/report/chromium.js";
import { Project } from "../main/store/project.js";
import { createRun, finishRun, markRunning, setArtifact } from "../main/store/runs.js";
import { appVersion, rendererDir } from "../main/version.js";
import { Rng } from "../native-models/index.js";

const CELLS = Number(process.env.SCILAMA_BENCH_CELLS ?? 100_000);
const TYPES = 12;
const BATCHES = 5;
const GENES = 200;

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** A result file shaped as the integration workflow writes it. */
function syntheticResult(): Dataset {
  const rng = new Rng(7, 1);
  const type = Int32Array.from({ length: CELLS }, () => Math.floor(rng.uniform() * TYPES));
  const batch = Int32Array.from({ length: CELLS }, () => Math.floor(rng.uniform() * BATCHES));
  const noise = new Float32Array(CELLS * 2);
  rng.fillNormal(noise, 0.6);
  const umap = new Float32Array(CELLS * 2);
  for (let c = 0; c < CELLS; c++) {
    const a = (2 * Math.PI * type[c]!) / TYPES;
    umap[2 * c] = 8 * Math.cos(a) + noise[2 * c]!;
    umap[2 * c + 1] = 8 * Math.sin(a) + noise[2 * c + 1]!;
  }
  // Each gene is expressed (log-normalised ~1–3) in ~30% of the cells of one type, and sparsely elsewhere.
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let c = 0; c < CELLS; c++)
    for (let g = 0; g < GENES; g++)
      if ((g % TYPES === type[c] && rng.uniform() < 0.3) || rng.uniform() < 0.01) {
        rows.push(c);
        cols.push(g);
        vals.push(1 + 2 * rng.uniform());
      }
  const X = csrFromTriplets(CELLS, GENES, Int32Array.from(rows), Int32Array.from(cols), Float32Array.from(vals));
  const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
  const typeNames = names("type ", TYPES);
  const batchNames = names("batch ", BATCHES);
  const obs = new Map([
    [
      "batch",
      categorical(
        Array.from(batch, (b) => batchNames[b]!),
        batchNames,
      ),
    ],
    [
      "cell_type",
      categorical(
        Array.from(type, (t) => typeNames[t]!),
        typeNames,
      ),
    ],
    ["leiden", categorical(Array.from(type, String))],
  ]);
  const metrics = {
    method: ["unintegrated PCA", "sciLaMA (bundled)"],
    ari: [0.5, 0.6],
    nmi: [0.6, 0.7],
    asw: [0.5, 0.55],
    batchAsw: [0.7, 0.85],
    ilisi: [0.1, 0.3],
    clisi: [0.99, 0.98],
  };
  return {
    X: { kind: "csr", ...X },
    obs: { index: names("cell", CELLS), columns: obs },
    var: { index: names("GENE", GENES), columns: new Map() },
    obsm: new Map([["X_umap", { nRows: CELLS, nCols: 2, values: umap }]]),
    varm: new Map(),
    layers: new Map(),
    uns: {
      sciLaMA: {
        files: ["synthetic.h5ad"],
        batch: "batch",
        label: "cell_type",
        prior: "synthetic",
        preset: "quick",
        seed: 0,
        hvg: GENES,
        hyper: {},
        coverage: { datasetGenes: GENES, covered: GENES, dropped: 0, byPrior: {} },
        steps: { step: [1], status: ["completed"], epochs: [1], bestEpoch: [1], seconds: [1] },
        device: "cpu",
        seconds: {},
        metrics,
      },
    },
  };
}

const home = mkdtempSync(join(tmpdir(), "studio-bench-ui-"));
process.env.SCILAMA_HOME = home;
let t = performance.now();
const project = Project.create(join(home, "projects", "bench"), "UI bench");
const runId = createRun(project, "integrate", {
  datasets: [],
  batch: "batch",
  label: "cell_type",
  prior: "bundled",
  preset: "quick",
  hyper: {},
  seed: 0,
  hvg: GENES,
  baselines: [],
});
markRunning(project, runId);
const rel = join("runs", String(runId), "result.h5ad");
mkdirSync(project.path("runs", String(runId)), { recursive: true });
writeH5ad(project.path(rel), syntheticResult());
setArtifact(project, runId, "h5ad", rel);
finishRun(project, runId, "succeeded", { timings: {} });
project.close();
console.log(`generated a ${CELLS.toLocaleString("en")}-cell result in ${((performance.now() - t) / 1000).toFixed(1)} s`);

const studio = new Studio(appVersion());
await studio.home(); // the demo project, so the first call below times the result alone
const host = await startHost({ studio, rendererDir: rendererDir() });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on("pageerror", (e) => console.error(`page error: ${e.stack ?? e.message}`));
  page.on("console", (m) => m.type() === "error" && console.error(`page console: ${m.text()}`));
  const frame = () => page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  t = performance.now();
  await page.goto(`${host.url}#/project/${encodeURIComponent(join(home, "projects", "bench"))}/run/${runId}`);
  await page.locator('[data-chart*="umap"] canvas').first().waitFor({ timeout: 300_000 });
  await frame();
  const firstDraw = performance.now() - t;
  await page.screenshot({ path: join(home, "umap.png") });
  const apiMs = await page.evaluate(() => {
    const e = performance.getEntriesByType("resource").find((r) => r.name.includes("api/run.result"));
    return e ? e.duration : Number.NaN;
  });

  t = performance.now();
  await page.locator("#color-by").selectOption("cell_type");
  await frame();
  const recolor = performance.now() - t;

  t = performance.now();
  await page.getByLabel("Colour by a gene's expression").fill("GENE3");
  await page.getByRole("button", { name: "Show" }).click();
  await page.waitForFunction(() => (document.querySelector("#color-by") as HTMLSelectElement | null)?.value === "__gene");
  await frame();
  const geneMs = performance.now() - t;
  await page.screenshot({ path: join(home, "umap-gene.png") });

  await page.locator("#color-by").selectOption("batch");
  await frame();
  const box = (await page.locator('[data-chart*="umap"]').first().boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  // A string, not a function: tsx's name-keeping helper does not exist in the page.
  await page.evaluate(`(() => {
    window.frames_ = [];
    const tick = (ts) => { window.frames_.push(ts); if (window.frames_.length < 100000) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  for (let i = 0; i < 30; i++) {
    await page.mouse.wheel(0, i < 15 ? -120 : 120);
    await page.waitForTimeout(50);
  }
  await page.waitForTimeout(300);
  const frames = await page.evaluate(() => (window as unknown as { frames_: number[] }).frames_);
  const gaps = frames.slice(1).map((f, i) => f - frames[i]!);
  const span = (frames.at(-1)! - frames[0]!) / 1000;
  const fps = gaps.length / span;
  const maxFrame = Math.max(...gaps);
  const heapMb = await page.evaluate(
    () => ((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? Number.NaN) / 2 ** 20,
  );
  const peak = peakRssMb();

  console.log(`screenshots: ${join(home, "umap.png")}, ${join(home, "umap-gene.png")}`);
  console.log(`\nresults page, ${CELLS.toLocaleString("en")} cells (Chromium ${browser.version()}, canvas, echarts large mode)`);
  console.log(`  result through the API (read + JSON):  ${apiMs.toFixed(0)} ms`);
  console.log(`  first UMAP drawn after navigation:     ${firstDraw.toFixed(0)} ms`);
  console.log(`  recolour by another column:            ${recolor.toFixed(0)} ms`);
  console.log(`  colour by a gene (API + redraw):       ${geneMs.toFixed(0)} ms`);
  console.log(`  wheel-zooming: ${fps.toFixed(1)} frames/s, longest frame ${maxFrame.toFixed(0)} ms`);
  console.log(`  page JS heap ${heapMb.toFixed(0)} MB, host peak RSS ${peak.toFixed(0)} MB`);
  console.log(
    `BENCH ui cells=${CELLS} api_ms=${apiMs.toFixed(0)} first_draw_ms=${firstDraw.toFixed(0)} recolor_ms=${recolor.toFixed(0)} gene_ms=${geneMs.toFixed(0)} zoom_fps=${fps.toFixed(1)} zoom_max_frame_ms=${maxFrame.toFixed(0)} peak_mb=${peak.toFixed(0)}`,
  );
} finally {
  await browser.close();
  await host.close();
  await studio.close();
}
