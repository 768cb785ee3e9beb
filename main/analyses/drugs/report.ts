/**
 * The drug-response report: what the model is and what it was trained on, how the groups were put on its scale (and
 * why the predictions are relative), its accuracy on held-out pairs beside the baselines, the cell-line warning; then
 * the clustered heatmap, the top drugs of each group, the nearest CCLE lines and the structures of the top drugs.
 */
import type { DrugResult } from "../../api/contract.js";
import { drugSvg } from "../../drugs/svg.js";
import { clusterOrder } from "../../isomorphic/cluster.js";
import { recommendedMethod } from "../../isomorphic/drug-evaluation.js";
import { drugHeatmapOption, heatmapLimit, mostVariable, topByRank } from "../../isomorphic/drug-heatmap.js";
import { escapeHtml, PAGE_CSS, svg } from "../../report/common.js";
import { tcgaName } from "./tcga.js";

export interface DrugReportData extends DrugResult {
  /** Where the prediction comes from: "run 3 of <project>", or the command line. */
  provenance: string;
  appVersion: string;
  createdAt: string;
}

const e = escapeHtml;
const fmt = (v: number | null | undefined, digits = 2) => (typeof v === "number" && Number.isFinite(v) ? v.toFixed(digits) : "—");
const signed = (v: number) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(2)}`;

/** At most this many drugs in the report's heatmap: those whose predictions differ most between the groups. */
export const REPORT_HEATMAP_DRUGS = 60;

function methods(r: DrugReportData): string {
  const pooled = r.sizes.some((n) => n > 1);
  const type = r.cancerType ? `${r.cancerType} (${tcgaName(r.cancerType)})` : null;
  return `<p class="methods"><b>Model.</b> A DeepCDR-style network (Liu et al., Bioinformatics 2020): each drug is the graph of its heavy
atoms (DeepChem's 75 atom features), read by four graph-convolution (GCN) layers; each cell line is its expression of
${r.coverage.total} cancer census genes (CCLE, each gene z-scored across the cell lines), read by a dense network; a
convolutional head joins the two and predicts the natural log of the IC50 (µM). It was trained on GDSC2's measured ln
IC50 of its drugs on the CCLE cell lines. The app uses an <b>ensemble</b> of ${r.members} such models trained with different
seeds on every pair (each stopping early on its own 10% validation pairs): a prediction is their mean, and ± their
standard deviation — how much the members disagree, not a confidence interval.</p>
<p class="methods"><b>Your groups.</b> The cells of ${e(r.dataset)} were grouped by <b>${e(r.groupby)}</b>${
    pooled ? " and each group's cells pooled (pseudobulk: counts summed, scaled to 10,000 and log-transformed)" : ""
  }; the model's genes were matched by symbol or Entrez id (${r.coverage.matched} of ${r.coverage.total} found; a missing gene is set
to the average line), and each gene was <b>z-scored across the groups</b>. The scale is therefore relative: the model
learnt on expression standardised across cell lines, and a dataset from another technology, of single cells or of
tissue has no level comparable with it — so a group at the average of your groups reads as an average cell line, and
the predictions say how the groups differ from one another, not how any one of them would respond in absolute terms.
Each prediction is shown against the drug's median ln IC50 over all CCLE lines (the heatmap's colour: blue below the
median, i.e. more sensitive than the typical line; red above) and placed among the measured lines of ${
    type ? e(type) : "all types"
  } as a percentile. A new molecule, which no line was screened with, is read against the model's own predictions for the CCLE lines.</p>`;
}

function evaluation(r: DrugReportData): string {
  if (!r.evaluation.length)
    return "<p>This model bundle carries no evaluation tables: its accuracy on held-out pairs is not known. Read its predictions with that in mind.</p>";
  return `<p>Each table: the model trained on one split of GDSC2's pairs and scored on the held-out pairs, beside baselines fitted
on the same training pairs — each drug's mean (<i>drug mean</i>), an additive model of drug and cell-line effects, and the mean
over the 25 cell lines nearest in expression (<i>kNN-25</i>). Pooled PCC mostly measures which drug it is (drugs differ far more
than lines do); the median per-drug PCC — how well the lines are told apart under one drug — is what comparing your groups rests on.
“Leave cell lines out” is the case of a new sample.</p>
${r.evaluation
  .map(
    (t) => `<h3>${e(t.meaning[0]!.toUpperCase() + t.meaning.slice(1))}</h3>
<table><thead><tr><th>Method</th><th class="num">PCC</th><th class="num">SCC</th><th class="num">RMSE</th><th class="num">median drug PCC</th><th class="num">drugs</th></tr></thead><tbody>
${t.rows
  .map(
    (m, i) =>
      `<tr${i === 0 ? ' class="best"' : ""}><td>${e(m.method)}${i === 0 ? " (the model)" : ""}</td><td class="num">${fmt(m.pcc, 3)}</td><td class="num">${fmt(m.scc, 3)}</td><td class="num">${fmt(m.rmse, 3)}</td><td class="num">${fmt(m.medianDrugPcc, 3)}</td><td class="num">${m.drugs}</td></tr>`,
  )
  .join("\n")}
</tbody></table>
<p>Best here (median per-drug PCC): <b>${e(recommendedMethod(t.rows))}</b></p>`,
  )
  .join("\n")}`;
}

/** The clustered heatmap as SVG (the report's figure, also written beside the tables by the command line). */
export function heatmapSvg(r: DrugResult): { svg: string; shown: number; limit: number } {
  const shown = mostVariable(r.pred, r.groups.length, r.drugs.length, REPORT_HEATMAP_DRUGS);
  const nd = r.drugs.length;
  const at = (g: number, d: number, v: number[]) => v[g * nd + shown[d]!]!;
  const sub = (v: number[]) => r.groups.flatMap((_, g) => shown.map((_, d) => at(g, d, v)));
  const h = {
    groups: r.groups,
    drugs: shown.map((d) => r.drugs[d]!.name),
    custom: shown.map((d) => r.drugs[d]!.custom),
    pred: sub(r.pred),
    sd: sub(r.sd),
    relative: sub(r.relative),
  };
  const order = clusterOrder(h.relative, r.groups.length, shown.length);
  const height = Math.min(900, 110 + 16 * r.groups.length);
  return { svg: svg(drugHeatmapOption(h, order, "page"), 680, height), shown: shown.length, limit: heatmapLimit(h.relative) };
}

function heatmap(r: DrugReportData): string {
  const nd = r.drugs.length;
  const { svg: figure, shown, limit } = heatmapSvg(r);
  return `<figure>${figure}
<figcaption>Predicted ln IC50 minus the drug's CCLE median (blue: below, more sensitive; the colours saturate beyond
±${limit.toFixed(1)}), rows and columns ordered by average-linkage clustering${
    shown < nd ? `; the ${shown} of ${nd} drugs whose predictions differ most between the groups` : ""
  }. * a molecule you gave.</figcaption></figure>`;
}

function tops(r: DrugReportData): string {
  const nd = r.drugs.length;
  return r.groups
    .map((g, k) => {
      const near = r.nearest[k]!.slice(0, 3).map((l) => `${e(l.name ?? l.id)} (${e(l.tcga ?? "?")}, r = ${l.r.toFixed(2)})`);
      return `<h3>${e(g)} <span class="sub">(${r.sizes[k]!.toLocaleString("en")} ${r.sizes[k] === 1 ? "cell" : "cells"}; nearest CCLE lines: ${near.join(", ")})</span></h3>
<table><thead><tr><th class="num">Rank</th><th>Drug</th><th>Targets</th><th class="num">ln IC50 ± sd</th><th class="num">vs median</th><th class="num">percentile</th></tr></thead><tbody>
${topByRank(r.rank, k, nd, 10)
  .map((d) => {
    const i = k * nd + d;
    const x = r.drugs[d]!;
    return `<tr><td class="num">${r.rank[i]}</td><td>${e(x.name)}${x.custom ? " *" : ""}</td><td class="small">${e(x.targets.join(", ") || "—")}</td><td class="num">${fmt(r.pred[i])} ± ${fmt(r.sd[i])}</td><td class="num">${signed(r.relative[i]!)}</td><td class="num">${fmt(r.percentile[i], 0)}</td></tr>`;
  })
  .join("\n")}
</tbody></table>`;
    })
    .join("\n");
}

/** The top five drugs of every group (at most 12 in all), drawn by RDKit and embedded as images. */
async function structures(r: DrugReportData): Promise<string> {
  const chosen = [...new Set(r.groups.flatMap((_, k) => topByRank(r.rank, k, r.drugs.length, 5)))].slice(0, 12);
  const cells: string[] = [];
  for (const d of chosen) {
    const x = r.drugs[d]!;
    const drawing = await drugSvg(x.smiles, { width: 220, height: 160 });
    cells.push(`<figure class="structure"><img alt="${e(x.name)}" src="data:image/svg+xml;base64,${Buffer.from(drawing).toString("base64")}" />
<figcaption><b>${e(x.name)}</b>${x.targets.length ? ` · ${e(x.targets.join(", "))}` : ""}${x.pathway ? ` · ${e(x.pathway)}` : ""}</figcaption></figure>`);
  }
  return `<div class="figs">${cells.join("\n")}</div>`;
}

export async function drugReportHtml(r: DrugReportData): Promise<string> {
  const type = r.cancerType ? `${r.cancerType} (${tcgaName(r.cancerType)})` : "all cell lines";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drug response</title><style>${PAGE_CSS}
  tr.best td { font-weight: bold; } .warning { border: 1px solid #e6a700; background: #fff8e1; padding: 6pt 8pt; margin: 8pt 0; }
  h3 .sub { font-weight: normal; font-size: 9pt; color: #5b6576; } td.small { font-size: 8pt; }
  figure.structure { width: 220px; } figure.structure img { width: 220px; height: 160px; }
</style></head><body>
<h1>Drug response</h1>
<div class="sub">${e(r.dataset)} · ${r.groups.length} groups by ${e(r.groupby)} · ${r.drugs.length} drugs · placed among ${e(type)} · ${e(r.provenance)} · ${e(r.createdAt.slice(0, 10))}</div>
<p class="warning"><b>Read with care.</b> ${e(r.warning)}</p>

<h2>Methods</h2>
${methods(r)}

<h2>Accuracy on held-out pairs</h2>
${evaluation(r)}

<h2>Predictions</h2>
${heatmap(r)}

<h2>Top drugs of each group</h2>
${tops(r)}

<h2>Structures of the top drugs</h2>
${await structures(r)}

<h2>Genes and software</h2>
<p>${r.coverage.matched} of the model's ${r.coverage.total} genes found in the dataset${
    r.coverage.missing.length ? ` (missing, e.g.: ${e(r.coverage.missing.slice(0, 15).join(", "))})` : ""
  }. ${r.members} ensemble members. sciLaMA Studio ${e(r.appVersion)}, Node.js ${process.versions.node}.</p>
</body></html>`;
}
