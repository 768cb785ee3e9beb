/**
 * The markers report: gene modules on the contextual embeddings (gene UMAP), which cell type each module marks,
 * the top enriched terms per module, a marker dot plot per group, marker-set quality against the static prior,
 * methods with every parameter, timings and versions.
 */

import { MIN_MODULE_GENES } from "../../analysis/modules.js";
import { dotPlotData, dotPlotOption } from "../../isomorphic/dotplot.js";
import { escapeHtml, LEVELS, levelOf, PAGE_CSS, PALETTE, sampleRows, svg } from "../../report/common.js";
import type { MarkersResult } from "./workflow.js";

export interface MarkersReportContext {
  source: string;
  groupby: string;
  appVersion: string;
}

const fmtP = (q: number) => (q < 1e-3 ? q.toExponential(1) : q.toFixed(3));

function geneUmap(r: MarkersResult): string {
  const c = r.contextual;
  const byModule = Array.from({ length: c.modules }, () => [] as number[][]);
  const loose: number[][] = [];
  r.genes.forEach((_, g) => {
    (byModule[c.module[g]!] ?? loose).push([c.umap[2 * g]!, c.umap[2 * g + 1]!]);
  });
  return svg(
    {
      color: [...PALETTE],
      title: { text: "Genes on the contextual embedding (UMAP), by module", left: "center", textStyle: { fontSize: 12 } },
      grid: { left: 10, right: 110, top: 30, bottom: 10 },
      xAxis: { type: "value", scale: true, show: false },
      yAxis: { type: "value", scale: true, show: false },
      legend: { orient: "vertical", right: 0, top: 30, textStyle: { fontSize: 9 }, itemWidth: 8, itemHeight: 8 },
      series: [
        ...byModule.map((data, m) => ({ name: `module ${m}`, type: "scatter", symbolSize: 3, data })),
        ...(loose.length ? [{ name: "no module", type: "scatter", symbolSize: 2, itemStyle: { color: "#bbb" }, data: loose }] : []),
      ],
    },
    680,
    360,
  );
}

function enrichmentBars(r: MarkersResult, module: number): string | null {
  const top = r.enrichment
    .filter((e) => e.module === module && e.q < 0.05)
    .sort((a, b) => a.q - b.q)
    .slice(0, 6)
    .reverse();
  if (!top.length) return null;
  return svg(
    {
      title: { text: `Module ${module}: top enriched terms`, left: "center", textStyle: { fontSize: 11 } },
      grid: { left: 250, right: 20, top: 25, bottom: 30 },
      xAxis: { type: "value", name: "−log10 q", nameLocation: "middle", nameGap: 20 },
      yAxis: { type: "category", data: top.map((e) => (e.description || e.term).slice(0, 45)), axisLabel: { fontSize: 8 } },
      series: [
        { type: "bar", data: top.map((e) => -Math.log10(Math.max(e.q, 1e-300))), itemStyle: { color: PALETTE[module % PALETTE.length] } },
      ],
    },
    680,
    170,
  );
}

function dotPlot(r: MarkersResult): string {
  return svg(
    {
      ...dotPlotOption(dotPlotData(r), "page"),
      title: {
        text: "Top markers per group: dot size = fraction expressing, colour = log2 fold change",
        left: "center",
        textStyle: { fontSize: 11 },
      },
    },
    680,
    Math.max(220, 60 + 22 * r.groups.length),
  );
}

/** Modules whose cells are drawn: the most specific, at most `max`. */
const shownModules = (r: MarkersResult, max = 8) => [...r.associations].sort((a, b) => b.specificity - a.specificity).slice(0, max);

/** The cells coloured by one module's score in 8 levels (≤ 0: grey), high scores drawn last. */
function cellScoreFigure(r: MarkersResult, module: number, rows: number[]): string {
  const umap = r.cellUmap!;
  const modules = r.contextual.modules;
  let max = 0;
  for (const i of rows) max = Math.max(max, r.scores[i * modules + module]!);
  const levels = LEVELS.map(() => [] as number[][]);
  for (const i of rows) {
    const v = r.scores[i * modules + module]!;
    const l = levelOf(v, 0, max);
    levels[l]!.push([umap[2 * i]!, umap[2 * i + 1]!]);
  }
  const a = r.associations[module]!;
  return svg(
    {
      title: { text: `Module ${module} score (marks ${a.group})`, left: "center", textStyle: { fontSize: 11 } },
      grid: { left: 10, right: 10, top: 28, bottom: 10 },
      xAxis: { type: "value", scale: true, show: false },
      yAxis: { type: "value", scale: true, show: false },
      series: levels.map((data, l) => ({
        type: "scatter",
        symbolSize: rows.length > 5000 ? 1.5 : 2.5,
        itemStyle: { color: LEVELS[l] },
        data,
      })),
    },
    330,
    240,
  );
}

export function markersReportHtml(r: MarkersResult, ctx: MarkersReportContext): string {
  const q = r.quality;
  const loose = r.contextual.module.filter((m) => m < 0).length;
  const modulesTable = r.associations
    .map((a) => {
      const members = r.genes
        .map((g, i) => ({ g, i }))
        .filter(({ i }) => r.contextual.module[i] === a.module)
        .sort((x, y) => r.contextual.centrality[y.i]! - r.contextual.centrality[x.i]!)
        .slice(0, 8)
        .map(({ g }) => g);
      const best = r.enrichment.filter((e) => e.module === a.module).sort((x, y) => x.q - y.q)[0];
      return `<tr><td>${a.module}</td><td class="num">${a.genes}</td><td>${escapeHtml(a.group)}</td><td class="num">${a.specificity.toFixed(2)}</td><td>${escapeHtml(members.join(", "))}</td><td>${best && best.q < 0.05 ? `${escapeHtml(best.description || best.term)} (q ${fmtP(best.q)})` : "—"}</td></tr>`;
    })
    .join("\n");
  const bars = r.associations.map((a) => enrichmentBars(r, a.module)).filter((x): x is string => x !== null);
  const rows = r.cellUmap ? sampleRows(r.cellUmap.length / 2) : [];
  const cellFigures = r.cellUmap ? shownModules(r).map((a) => `<figure>${cellScoreFigure(r, a.module, rows)}</figure>`) : [];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Markers and gene modules</title><style>${PAGE_CSS}</style></head><body>
<h1>Markers and gene modules</h1>
<div class="sub">${escapeHtml(ctx.source.split(/[\\/]/).pop())} · groups: ${escapeHtml(ctx.groupby)} (${r.groups.length}) · ${r.genes.length.toLocaleString("en")} genes · ${r.contextual.modules} modules${loose ? ` (${loose} genes in none)` : ""}</div>

<h2>Methods</h2>
<p class="methods">Gene modules were found on sciLaMA's contextual gene embeddings (μ of the gene VAE) with a shared-nearest-neighbour
graph (${r.params.neighbors} neighbours, rank weights) and Leiden clustering (modularity, resolution ${r.params.resolution}; clusters of fewer
than ${MIN_MODULE_GENES} genes are left in no module), and a gene UMAP (scran.js). The same clustering on the bundled static prior
(GO + pathways) gives the comparison. Each cell's module score is scanpy's score_genes: the mean log-normalised
expression of the module's genes minus that of expression-matched control genes (25 bins, 50 controls per bin); a
module marks the group with the highest mean score, and its specificity is the margin over the next group. Enrichment: one-sided hypergeometric test of each module against the ${r.species} GO BP/CC/MF,
Reactome and hallmark collections (sets of 5–1,000 genes within the ${r.genes.length.toLocaleString("en")} analysed genes,
which are the background), Benjamini–Hochberg within each collection. Markers: Wilcoxon rank-sum of each group against
the rest with tie correction, two-sided normal p-values, Benjamini–Hochberg, log2 fold change of the un-logged means
(scanpy's rank_genes_groups definitions).</p>

<h2>Gene modules</h2>
<figure>${geneUmap(r)}</figure>
<table><thead><tr><th>Module</th><th class="num">Genes</th><th>Marks</th><th class="num">Specificity</th><th>Most central genes</th><th>Top term</th></tr></thead><tbody>
${modulesTable}
</tbody></table>

${
  cellFigures.length
    ? `<h2>Cells by module score</h2>
<p>The ${cellFigures.length} most specific modules on the cell UMAP of the integration (grey: score ≤ 0, not above the control genes; darker red: higher)${rows.length * 2 < r.cellUmap!.length ? `; a random sample of ${rows.length.toLocaleString("en")} of ${(r.cellUmap!.length / 2).toLocaleString("en")} cells` : ""}.</p>
<div class="figs">${cellFigures.join("\n")}</div>`
    : ""
}

<h2>Marker-set quality</h2>
<p>Known marker sets (${Object.entries(q.markerSets)
    .map(([k, v]) => `${escapeHtml(k)}: ${escapeHtml(v.join(", "))}`)
    .join("; ")}) as clusters in each gene embedding.</p>
<table><thead><tr><th>Embedding</th><th class="num">Davies–Bouldin (lower is better)</th><th class="num">Calinski–Harabasz (higher is better)</th></tr></thead><tbody>
${q.contextual ? `<tr><td>sciLaMA contextual</td><td class="num">${q.contextual.daviesBouldin.toFixed(3)}</td><td class="num">${q.contextual.calinskiHarabasz.toFixed(2)}</td></tr>` : `<tr><td colspan="3">Fewer than two groups have marker genes of their own: no Davies–Bouldin / Calinski–Harabasz.</td></tr>`}
${q.prior ? `<tr><td>static prior (GO + pathways)</td><td class="num">${q.prior.daviesBouldin.toFixed(3)}</td><td class="num">${q.prior.calinskiHarabasz.toFixed(2)}</td></tr>` : ""}
</tbody></table>

<h2>Enrichment</h2>
${bars.length ? bars.map((b) => `<figure>${b}</figure>`).join("\n") : "<p>No module is enriched at q &lt; 0.05.</p>"}

<h2>Markers per group</h2>
<figure>${dotPlot(r)}</figure>

<h2>Timings and software</h2>
<p>${Object.entries(r.seconds)
    .map(([k, s]) => `${escapeHtml(k)} ${s.toFixed(1)} s`)
    .join(" · ")}. sciLaMA Studio ${escapeHtml(ctx.appVersion)}, Node.js ${process.versions.node}.</p>
</body></html>`;
}
