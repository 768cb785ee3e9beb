/**
 * The integration report as one self-contained HTML page, printed to PDF by Chromium (the CLI) or Electron. Figures
 * are SVG rendered server-side by echarts (canvas can print blank); UMAPs of large data are drawn from a seeded
 * sample of at most 20,000 cells, and the caption says so. Every value from data is HTML-escaped.
 */

import { bestOverall } from "../../isomorphic/overall.js";
import { escapeHtml, MAX_POINTS, PAGE_CSS, PALETTE, sampleRows, svg } from "../../report/common.js";
import { METRIC_COLUMNS } from "./evaluate.js";
import type { ReportData } from "./report-data.js";

const METRIC_NAMES: Record<(typeof METRIC_COLUMNS)[number], string> = {
  ari: "ARI",
  nmi: "NMI",
  asw: "cell-type ASW",
  batchAsw: "batch ASW",
  ilisi: "iLISI",
  clisi: "cLISI",
  overall: "overall",
};

type Map = ReportData["maps"][number];

function umapFigure(map: Map, g: ReportData["groups"][number], rows: number[], title: string): string {
  const byCat = g.categories.map(() => [] as number[][]);
  for (const i of rows) {
    const c = g.codes[i]!;
    if (c >= 0) byCat[c]!.push([map.umap[2 * i]!, map.umap[2 * i + 1]!]);
  }
  const many = g.categories.length > 18;
  return svg(
    {
      color: [...PALETTE],
      title: { text: title, left: "center", textStyle: { fontSize: 12 } },
      grid: { left: 10, right: many ? 10 : 110, top: 30, bottom: 10 },
      xAxis: { type: "value", scale: true, show: false },
      yAxis: { type: "value", scale: true, show: false },
      legend: many ? { show: false } : { orient: "vertical", right: 0, top: 30, textStyle: { fontSize: 9 }, itemWidth: 8, itemHeight: 8 },
      series: g.categories.map((name, c) => ({ name, type: "scatter", symbolSize: rows.length > 5000 ? 1.5 : 3, data: byCat[c] })),
    },
    330,
    260,
  );
}

function lossFigure(d: ReportData): string {
  const series = new Map<string, [number, number][]>();
  d.losses.forEach((p, i) => {
    const key = `${p.variant} · ${p.phase}`;
    if (!series.has(key)) series.set(key, []);
    series.get(key)!.push([i + 1, p.loss]);
  });
  return svg(
    {
      color: [...PALETTE],
      title: { text: "Training loss", left: "center", textStyle: { fontSize: 12 } },
      legend: { bottom: 0, textStyle: { fontSize: 9 } },
      grid: { left: 60, right: 20, top: 30, bottom: 60 },
      xAxis: { type: "value", name: "training block", nameLocation: "middle", nameGap: 22 },
      yAxis: { type: "log", name: "loss" },
      series: [...series].map(([name, data]) => ({ name, type: "line", data, showSymbol: false })),
    },
    680,
    260,
  );
}

function metricFigure(d: ReportData): string {
  const cols = METRIC_COLUMNS.filter((k) => d.metrics.some((m) => m[k] !== null));
  return svg(
    {
      color: [...PALETTE],
      legend: { bottom: 0, textStyle: { fontSize: 9 } },
      grid: { left: 40, right: 10, top: 15, bottom: 60 },
      xAxis: { type: "category", data: cols.map((k) => METRIC_NAMES[k]) },
      yAxis: { type: "value", min: 0, max: 1 },
      series: d.metrics.map((m) => ({ name: m.method, type: "bar", data: cols.map((k) => m[k]) })),
    },
    680,
    260,
  );
}

const fmt = (v: number | null | undefined, digits = 3) => (v === null || v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(digits));
const secs = (s: number) => (s < 90 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`);

function methods(d: ReportData): string {
  const h = d.settings.hyper as Record<string, unknown>;
  const beta = (h.beta ?? {}) as Record<string, unknown>;
  const c = d.settings.coverage;
  return (
    `Cells from ${d.datasets.map((x) => escapeHtml(x.name)).join(", ")} were combined on their shared genes` +
    `${d.settings.batch ? `, with <i>${escapeHtml(d.settings.batch)}</i> as the batch` : ""}. Counts were normalised to 10,000 per cell and ` +
    `log-transformed; ${d.settings.hvg && d.settings.hvg < c.covered ? `${d.settings.hvg.toLocaleString("en")} highly variable genes (seurat_v3${d.settings.batch ? ", per batch" : ""}) were selected among` : "sciLaMA modelled all"} ` +
    `the ${c.covered.toLocaleString("en")} of ${c.datasetGenes.toLocaleString("en")} genes that the gene prior (${escapeHtml(d.settings.prior)}) covers, ` +
    (d.settings.batch && d.settings.scaling === "batch"
      ? `and each gene was z-scored within each batch and clipped at ±10. The sciLaMA appendix z-scores genes without saying across or within batches; ` +
        `over all cells, each technology's gene-wise offsets reach the model as signal and batches stay apart (pancreas, three technologies: iLISI 0.009 against 0.563 within batches), ` +
        `so sciLaMA Studio scales within batches unless asked otherwise; the baseline "PCA, per-batch scaled" shows what this scaling alone buys. `
      : `and each gene was z-scored over all cells and clipped at ±10, as the sciLaMA appendix prescribes. `) +
    `sciLaMA (Hu et al., ICML 2025) was trained in three steps — a cell β-VAE; the gene VAE on the prior with the cell networks frozen (γ = 0); ` +
    `then both jointly with alignment weight γ = ${escapeHtml(h.gamma)} — with hidden layers ${escapeHtml(JSON.stringify(h.hidden))}, ` +
    `embedding size K = ${escapeHtml(h.latent)}, dropout ${escapeHtml(h.dropout)}, AdamW (learning rate ${escapeHtml(h.lr)}, ` +
    `decay ×${escapeHtml(h.lrDecay)} per epoch, weight decay ${escapeHtml(h.weightDecay)}), batch size ${escapeHtml(h.batch)}, ` +
    `β = 0 for ${escapeHtml(beta.zeroEpochs)} epochs then +${escapeHtml(beta.step)} per epoch up to ${escapeHtml(beta.max)}, ` +
    `at most ${escapeHtml(h.maxEpochs)} epochs per step with early stopping on a ${escapeHtml(Number(h.valFraction) * 100)}% validation split ` +
    `(patience ${escapeHtml(h.patience)}, from epoch ${escapeHtml(h.earlyStopStart)}; best epoch restored), seed ${d.settings.seed} ` +
    `(preset “${escapeHtml(d.settings.preset)}”). Training ran on ${escapeHtml(d.device)}. ` +
    `The cell embedding (μ) was used for a shared-nearest-neighbour graph (15 neighbours), Leiden clustering and UMAP (scran.js). ` +
    `Metrics follow the scib benchmark (Luecken et al., 2022): ARI and NMI between labels and Leiden clusters at the resolution that maximises NMI, ` +
    `silhouette widths (cell-type ASW, batch ASW), and graph iLISI/cLISI, scaled to [0, 1]; the overall score is scib's 0.6 × bio conservation (mean of ARI, NMI, cell-type ASW, cLISI) + 0.4 × batch correction (mean of batch ASW, iLISI). Baselines were computed on the same cells and genes.`
  );
}

export function reportHtml(d: ReportData): string {
  const rows = d.maps.length ? sampleRows(d.cells, MAX_POINTS) : [];
  const [sciLaMA, scPaLM] = [d.maps.find((m) => m.embedding === "sciLaMA"), d.maps.find((m) => m.embedding === "scPaLM")];
  const cover = d.groups.find((g) => g.role === "label") ?? d.groups[0];
  // Each map coloured by the batch, the label and its own embedding's clusters.
  const figures = (map: Map | undefined, prefix: string) =>
    map
      ? d.groups
          .filter((g) => g.role !== "cluster" || g.name === map.clusters)
          .map((g) => `<figure>${umapFigure(map, g, rows, `${prefix}UMAP by ${g.name} (${g.role})`)}</figure>`)
          .join("\n")
      : "";
  const cols = METRIC_COLUMNS.filter((k) => d.metrics.some((m) => m[k] !== null));
  const main = d.metrics.find((m) => m.method.startsWith("sciLaMA"));
  const best = bestOverall(d.metrics);
  const total = Object.values(d.seconds).reduce((a, b) => a + b, 0);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(d.title)}</title>
<style>${PAGE_CSS}</style></head><body>
<section class="title-page">
  <h1>sciLaMA Studio — integration report</h1>
  <div class="sub">${escapeHtml(d.title)}${d.project ? ` · project “${escapeHtml(d.project)}”` : ""}</div>
  <p>Datasets: ${d.datasets.map((x) => `<b>${escapeHtml(x.name)}</b>`).join(", ")}</p>
  <p>${d.cells.toLocaleString("en")} cells · ${d.genes.toLocaleString("en")} genes modelled · gene prior: ${escapeHtml(d.settings.prior)} · preset: ${escapeHtml(d.settings.preset)}</p>
  ${sciLaMA && cover ? `<figure class="cover-figure">${umapFigure(sciLaMA, cover, rows, `UMAP by ${cover.name} (${cover.role})`)}</figure>` : ""}
  ${main ? `<p class="headline">${escapeHtml(main.method)}: ${cols.map((k) => `${METRIC_NAMES[k]} <b>${fmt(main[k])}</b>`).join(" · ")}</p>` : ""}
  <p class="sub">Created ${escapeHtml(new Date(d.createdAt).toUTCString())} · sciLaMA Studio ${escapeHtml(d.versions["sciLaMA Studio"])}</p>
</section>

<h2>Datasets</h2>
<table><thead><tr><th>Dataset</th><th class="num">Cells</th><th class="num">Genes</th></tr></thead><tbody>
${d.datasets.map((x) => `<tr><td>${escapeHtml(x.name)}</td><td class="num">${x.cells?.toLocaleString("en") ?? "—"}</td><td class="num">${x.genes?.toLocaleString("en") ?? "—"}</td></tr>`).join("\n")}
</tbody></table>
<p>Batch column: ${escapeHtml(d.settings.batch ?? "none")} · label column: ${escapeHtml(d.settings.label ?? "none")} · gene coverage of the prior: ${d.settings.coverage.covered.toLocaleString("en")} of ${d.settings.coverage.datasetGenes.toLocaleString("en")} shared genes.</p>

<h2>Methods</h2>
<p class="methods">${methods(d)}</p>

<h2>Figures</h2>
<div class="figs">
${figures(sciLaMA, scPaLM ? "sciLaMA: " : "")}
${figures(scPaLM, "scPaLM: ")}
</div>
${scPaLM ? `<p class="sub" style="font-size:8pt">scPaLM's maps: the cell token h_C (${escapeHtml(d.scpalmModel ?? "scPaLM model")}), with its own Leiden clusters (scPaLM_leiden).</p>` : ""}
${rows.length < d.cells ? `<p class="sub" style="font-size:8pt">UMAPs show a random sample of ${rows.length.toLocaleString("en")} of ${d.cells.toLocaleString("en")} cells.</p>` : ""}
${d.losses.length ? `<figure>${lossFigure(d)}<figcaption>Mean training loss per block of steps, per model and training step.</figcaption></figure>` : ""}

<h2>Metrics</h2>
${
  d.metrics.length
    ? `<table><thead><tr><th>Method</th>${cols.map((k) => `<th class="num">${METRIC_NAMES[k]}</th>`).join("")}</tr></thead><tbody>
${d.metrics.map((m) => `<tr><td>${escapeHtml(m.method)}</td>${cols.map((k) => `<td class="num">${fmt(m[k])}</td>`).join("")}</tr>`).join("\n")}
</tbody></table>
${best ? `<p>Best overall score: <b>${escapeHtml(best.method)}</b> (${fmt(best.overall)}).</p>` : ""}
<figure>${metricFigure(d)}<figcaption>Higher is better for every metric.</figcaption></figure>`
    : "<p>No labels or batches were given, so no metrics were computed.</p>"
}

<h2>Training and timings</h2>
<table><thead><tr><th>Step</th><th>Status</th><th class="num">Epochs</th><th class="num">Best epoch</th><th class="num">Time</th></tr></thead><tbody>
${d.steps.map((s) => `<tr><td>${s.step}</td><td>${escapeHtml(s.status)}</td><td class="num">${s.epochs}</td><td class="num">${s.bestEpoch}</td><td class="num">${secs(s.seconds)}</td></tr>`).join("\n")}
</tbody></table>
<p>${Object.entries(d.seconds)
    .map(([k, v]) => `${escapeHtml(k)} ${secs(v)}`)
    .join(" · ")} — total ${secs(total)}. Device: ${escapeHtml(d.device)}.</p>

<h2>Software</h2>
<p>${Object.entries(d.versions)
    .map(([k, v]) => `${escapeHtml(k)} ${escapeHtml(v)}`)
    .join(" · ")}. Result file: ${escapeHtml(d.source)}.</p>
</body></html>`;
}
