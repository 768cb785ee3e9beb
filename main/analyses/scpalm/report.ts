/**
 * scPaLM's reports. A training: the corpus, the configuration, both stages' losses per epoch and the codes in use,
 * the device and the time. Pathway tokens: how many cells use each token, each token's top genes and best term, with
 * the methods (Appendix D's association, the enrichment test).
 */
import type { ScPaLMPathwaysSummary, ScPaLMTrainingSummary } from "../../api/contract.js";
import { escapeHtml, PAGE_CSS, PALETTE, svg } from "../../report/common.js";

export interface ScPaLMReportContext {
  appVersion: string;
  /** The model a training started from or a pathway-token run read with, as the user knows it (null: from scratch). */
  model: string | null;
}

const fmtQ = (q: number) => (q < 1e-3 ? q.toExponential(1) : q.toFixed(3));

function page(title: string, sub: string, body: string, seconds: Record<string, number>, provider: string, ctx: ScPaLMReportContext) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${PAGE_CSS}</style></head><body>
<h1>${escapeHtml(title)}</h1>
<div class="sub">${sub}</div>
${body}
<h2>Timings and software</h2>
<p>${Object.entries(seconds)
    .map(([k, s]) => `${escapeHtml(k)} ${s.toFixed(1)} s`)
    .join(" · ")} on ${escapeHtml(provider)}. sciLaMA Studio ${escapeHtml(ctx.appVersion)}, Node.js ${process.versions.node}.</p>
</body></html>`;
}

/** One stage's losses per epoch, one line each. */
function lossFigure(s: ScPaLMTrainingSummary["stages"][number]): string {
  const keys = [...new Set(s.history.flatMap((h) => Object.keys(h.losses)))];
  return svg(
    {
      color: [...PALETTE],
      title: { text: `Stage ${s.stage}: mean losses per epoch`, left: "center", textStyle: { fontSize: 12 } },
      legend: { bottom: 0, textStyle: { fontSize: 9 } },
      grid: { left: 50, right: 20, top: 30, bottom: 50 },
      xAxis: { type: "value", name: "epoch", nameLocation: "middle", nameGap: 22, minInterval: 1 },
      yAxis: { type: "value", scale: true },
      series: keys.map((k) => ({
        name: k,
        type: "line",
        showSymbol: s.history.length < 30,
        data: s.history.map((h) => [h.epoch + 1, h.losses[k] ?? null]),
      })),
    },
    330,
    240,
  );
}

export function trainingReportHtml(r: ScPaLMTrainingSummary, ctx: ScPaLMReportContext): string {
  const h = r.hyper;
  const corpus = r.corpus
    .map(
      (c) =>
        `<tr><td>${escapeHtml(c.name)}</td><td class="num">${c.cells.toLocaleString("en")}</td><td class="num">${c.measured.toLocaleString("en")}</td></tr>`,
    )
    .join("\n");
  const stage1 = r.stages.find((s) => s.stage === 1);
  const usage = (stage1?.history ?? []).filter((e) => e.codesUsed !== undefined);
  const body = `
<h2>Methods</h2>
<p class="methods">scPaLM ${r.start ? `fine-tuned from ${escapeHtml(r.start)} (its vocabulary and architecture)` : "pre-trained from scratch"}:
stage 1 trains the gene embedding, the pathway encoder, the affine VQ codebook and the decoder by reconstruction,
replacing codes no sampled cell used before every epoch; stage 2 freezes them and trains the cell token and cell
encoder on masked views (MSE on the left-out tokens' genes${h.contrastive.weight > 0 ? `, plus the contrastive term with weight ${h.contrastive.weight} against k-means pseudo-labels` : ""}).
${h.tokens} tokens, width ${h.hidden}, FFN ${h.ffn}, ${h.layers} layer(s) per transformer, ${h.heads} heads, ${h.codes} codes;
batch ${h.batch}; AdamW at ${h.stage1.lr} then ${h.stage2.lr} (weight decay ${h.weightDecay}); ${h.stage1.epochs} + ${h.stage2.epochs} epochs.</p>

<h2>Corpus</h2>
<p>${r.cells.toLocaleString("en")} cells over a vocabulary of ${r.genes.toLocaleString("en")} genes.</p>
<table><thead><tr><th>Dataset</th><th class="num">Cells</th><th class="num">Vocabulary genes measured</th></tr></thead><tbody>
${corpus}
</tbody></table>

<h2>Training</h2>
<p>${r.codesUsed} of ${h.codes} codes are used by the corpus's tokens after training${usage.length ? ` (${usage[0]!.codesUsed} after the first epoch, ${usage.at(-1)!.codesUsed} after the last one counted)` : ""}.</p>
<div class="figs">${r.stages.map((s) => `<figure>${lossFigure(s)}</figure>`).join("\n")}</div>
<table><thead><tr><th>Stage</th><th class="num">Epochs</th><th class="num">Seconds</th><th>Last epoch's losses</th></tr></thead><tbody>
${r.stages
  .map(
    (s) =>
      `<tr><td>${s.stage}</td><td class="num">${s.epochs}</td><td class="num">${s.seconds.toFixed(1)}</td><td>${Object.entries(
        s.history.at(-1)?.losses ?? {},
      )
        .map(([k, v]) => `${escapeHtml(k)} ${v.toFixed(4)}`)
        .join(", ")}</td></tr>`,
  )
  .join("\n")}
</tbody></table>`;
  return page(
    "scPaLM training",
    `${escapeHtml(r.corpus.map((c) => c.name).join(", "))} · ${r.start ? `fine-tuned from ${escapeHtml(r.start)}` : "pre-trained from scratch"}`,
    body,
    r.seconds,
    r.provider,
    ctx,
  );
}

export function pathwaysReportHtml(r: ScPaLMPathwaysSummary, ctx: ScPaLMReportContext): string {
  const shown = r.used.slice(0, 40);
  const bars = svg(
    {
      title: { text: "Cells using each token (most used first)", left: "center", textStyle: { fontSize: 12 } },
      grid: { left: 50, right: 20, top: 30, bottom: 40 },
      xAxis: { type: "category", data: shown.map((t) => String(t.code)), name: "code", nameLocation: "middle", nameGap: 25 },
      yAxis: { type: "value", name: "share of cells", max: 1 },
      series: [{ type: "bar", data: shown.map((t) => t.fraction), itemStyle: { color: PALETTE[0] } }],
    },
    680,
    220,
  );
  const rows = r.used
    .map((t) => {
      const best = t.terms[0];
      return `<tr><td class="num">${t.code}</td><td class="num">${t.cells.toLocaleString("en")} (${(100 * t.fraction).toFixed(0)}%)</td><td>${escapeHtml(t.genes.join(", "))}</td><td>${best ? `${escapeHtml(best.description || best.term)} (q ${fmtQ(best.q)})` : "—"}</td></tr>`;
    })
    .join("\n");
  const body = `
<h2>Methods</h2>
<p class="methods">Each cell was encoded with ${escapeHtml(r.model)} (${r.measured.toLocaleString("en")} of its ${r.vocabulary.toLocaleString("en")}
vocabulary genes measured; genes it did not measure enter no token). Every cell has ${r.tokens} pathway tokens, each one
of the codebook's ${r.codes} codes. As in the paper's Appendix D, each cell adds its log-normalised expression to every
code its tokens chose, weighted by that code's share of its tokens; each gene's column is then normalised over the codes
(its relative prevalence), and each code's most associated measured genes are its top genes — among those at least 5%
above the code's mean association, so a code every cell uses at the same share (flat over the genes) has none. These were tested for
over-representation in the bundled GO, Reactome and hallmark sets (one-sided hypergeometric test against the measured
vocabulary genes, Benjamini–Hochberg within each collection; terms with q &lt; 0.05 are listed).</p>

<h2>Tokens</h2>
<p>${r.used.length} of ${r.codes} codes are used by the ${r.cells.toLocaleString("en")} cells.</p>
<figure>${bars}</figure>
<table><thead><tr><th class="num">Code</th><th class="num">Cells using it</th><th>Top genes</th><th>Best term</th></tr></thead><tbody>
${rows}
</tbody></table>`;
  return page(
    "scPaLM pathway tokens",
    `${escapeHtml(r.dataset)} · ${escapeHtml(r.model)} · ${r.cells.toLocaleString("en")} cells`,
    body,
    r.seconds,
    r.provider,
    ctx,
  );
}
