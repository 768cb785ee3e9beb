/**
 * The imputation report: what was imputed from what, the methods in words with every parameter, the gene coverage,
 * the metrics table (mean ± s.e.m. per method and gene set, the baselines beside sciLaMA) with the recommendation,
 * per-gene accuracy, or for dropout runs the RMSE/MAE table; timings and versions.
 */
import type { ImputedGene } from "../../api/contract.js";
import type { Json } from "../../data/dataset.js";
import { dropoutTables } from "../../isomorphic/dropout-tables.js";
import { escapeHtml, PAGE_CSS, PALETTE, svg } from "../../report/common.js";
import type { DropoutRow, ScPaLMDropouts } from "./denoise.js";
import type { MethodRow } from "./scores.js";
import { GENE_SET_ORDER, GENE_SETS } from "./scores.js";

export interface ImputeReportData {
  runId: number;
  project: string;
  file: string;
  mode: "panel" | "dropouts";
  /** The result's `uns['impute']`. */
  record: Record<string, Json>;
  methods: MethodRow[];
  recommended: Partial<Record<MethodRow["set"], string>>;
  dropouts: DropoutRow[];
  genes: ImputedGene[];
  cells: number;
  appVersion: string;
  createdAt: string;
}

const fmt = (v: unknown, digits = 3) => (typeof v === "number" && Number.isFinite(v) ? v.toFixed(digits) : "—");
const e = escapeHtml;

function hyperText(h: Record<string, Json>): string {
  const beta = (h.beta ?? {}) as Record<string, Json>;
  return (
    `hidden layers ${e(JSON.stringify(h.hidden))}, embedding size K = ${e(h.latent)}, dropout ${e(h.dropout)}, alignment weight γ = ${e(h.gamma)}, ` +
    `AdamW (learning rate ${e(h.lr)}, decay ×${e(h.lrDecay)} per epoch, weight decay ${e(h.weightDecay)}), batch size ${e(h.batch)}, ` +
    `β = 0 for ${e(beta.zeroEpochs)} epochs then +${e(beta.step)} per epoch up to ${e(beta.max)}, at most ${e(h.maxEpochs)} epochs per step ` +
    `with early stopping on a ${e(Number(h.valFraction) * 100)}% validation split (patience ${e(h.patience)}, from epoch ${e(h.earlyStopStart)})`
  );
}

function panelMethods(d: ImputeReportData): string {
  const r = d.record;
  const c = (r.coverage ?? {}) as Record<string, Json>;
  return (
    `The target (${e(r.target)}) measured a panel of ${e(c.panel)} genes; the other genes were predicted from the reference (${e(r.reference)}). ` +
    `Genes were matched by id across the reference, the target and the gene prior (${e(r.prior)}). Each dataset was normalised to 10,000 counts per cell ` +
    `and log-transformed on its own (the panel over the panel's genes) and z-scored gene by gene (clipped at ±10). sciLaMA (Hu et al., ICML 2025) was ` +
    `trained on the reference with its cell encoder reading only the panel genes and its decoder reconstructing every modelled gene (${hyperText((r.hyper ?? {}) as Record<string, Json>)}; ` +
    `preset “${e(r.preset)}”, seed ${e(r.seed)}, on ${e(r.device)}). The target's cells were encoded from their panel and each other gene predicted as ` +
    `x̂ = h<sub>cell</sub> · h<sub>gene</sub> + b, in the reference's z-scores, then in its log-normalised units, clipped to the range the reference measured of the gene${clippedText(r.clipped)}. ` +
    `Accuracy (evaluation: ${e(r.evaluation)}): ${r.evaluation === "none" ? "no panel gene was held out; " : "panel genes hidden from the encoder in turn and predicted (one model per fold), and "}` +
    `the genes the target measured outside the panel scored directly; per gene the Pearson (PCC) and Spearman (SCC) correlation across cells, the Jensen–Shannon divergence ` +
    `(JSD) of the gene's distribution over cells and the RMSE of the z-scored values (Li et al., 2022), averaged over genes with the standard error of the mean. ` +
    `Every method was scored on the same genes and cells: the reference gene mean (the floor: it correlates with nothing), kNN regression from the ` +
    `reference over the panel (50 neighbours, SpaGE) and, where asked, sciLaMA with the paper's controls in place of the prior (self-informed, random, shuffled).`
  );
}

/** How many values were clipped, from `uns['impute']['clipped']` (absent in results written before it was kept). */
function clippedText(c: Json | undefined): string {
  const v = (c ?? null) as { values?: number; of?: number } | null;
  if (typeof v?.values !== "number" || typeof v.of !== "number" || !v.of) return "";
  return ` (${v.values.toLocaleString("en")} of ${v.of.toLocaleString("en")} values, ${fmt((100 * v.values) / v.of, 1)}%)`;
}

function dropoutMethods(d: ImputeReportData): string {
  const r = d.record;
  return (
    `In ${e(r.file)}, ${fmt(Number(r.mask) * 100, 0)}% of each cell's entries${r.nonzero ? " (among its non-zero entries)" : ""} were masked ` +
    `(${Number(r.masked).toLocaleString("en")} entries, ${Number(r.maskedZeros).toLocaleString("en")} of them zeros) and sciLaMA trained on the masked data ` +
    `(genes z-scored on it; prior ${e(r.prior)}; ${hyperText((r.hyper ?? {}) as Record<string, Json>)}; preset “${e(r.preset)}”, seed ${e(r.seed)}, on ${e(r.device)}). ` +
    `Every entry was reconstructed as x̂ = h<sub>cell</sub> · h<sub>gene</sub> + b in log-normalised units, clipped to the gene's range in the masked data (at least 0)${clippedText(r.clipped)}; RMSE and MAE on the masked entries ` +
    `beside zeros, each gene's mean, its non-zero mean and kNN smoothing (the mean of the 15 nearest cells in 50 principal components). ` +
    scpalmText(r.scpalm as ScPaLMDropouts | null | undefined)
  );
}

function scpalmText(s: ScPaLMDropouts | null | undefined): string {
  if (!s) return "";
  if ("skipped" in s) return `scPaLM was not scored: ${e(s.skipped)}`;
  return (
    `scPaLM (the bundled desktop model, zero shot as the paper's Table 1) read the masked data and predicted each entry by its stage-1 decoder ` +
    `(clipped at 0); it knows ${s.genes.toLocaleString("en")} of the genes, so its ${s.entries.toLocaleString("en")} masked entries are a second table ` +
    `in which every method is scored again.`
  );
}

function dropoutTablesHtml(d: ImputeReportData): string {
  const s = d.record.scpalm as ScPaLMDropouts | null | undefined;
  return dropoutTables(d.dropouts, s && "genes" in s ? s.genes : null)
    .map(
      (t) => `<h3>${e(t.title)}</h3>
<table><thead><tr><th>Method</th><th class="num">RMSE</th><th class="num">MAE</th></tr></thead><tbody>
${t.rows.map((x) => `<tr><td>${x.method === t.best ? `<b>${e(x.method)}</b>` : e(x.method)}</td><td class="num">${fmt(x.rmse)}</td><td class="num">${fmt(x.mae)}</td></tr>`).join("\n")}
</tbody></table>`,
    )
    .join("\n");
}

function coverageTable(c: Record<string, Json>): string {
  const rows: [string, Json | undefined][] = [
    ["Reference genes", c.referenceGenes],
    ["Target genes", c.targetGenes],
    ["Measured by both", c.shared],
    ["Reference genes with a prior", c.withPrior],
    ["Panel genes used", c.panel],
    ["Genes imputed", c.imputed],
    ["… of them measured by the target (scored directly)", c.scored],
  ];
  const without = Array.isArray(c.panelWithoutPrior) ? c.panelWithoutPrior : [];
  return `<table><tbody>${rows.map(([k, v]) => `<tr><td>${k}</td><td class="num">${e(v ?? "—")}</td></tr>`).join("")}</tbody></table>${
    without.length ? `<p>Panel genes without a prior, not used: ${e(without.join(", "))}.</p>` : ""
  }`;
}

function methodsTable(d: ImputeReportData): string {
  return GENE_SET_ORDER.filter((set) => d.methods.some((m) => m.set === set))
    .map((set) => {
      const rows = d.methods.filter((m) => m.set === set);
      return `<h3>${e(GENE_SETS[set][0]!.toUpperCase() + GENE_SETS[set].slice(1))} (${rows[0]!.genes} genes)</h3>
<table><thead><tr><th>Method</th><th class="num">PCC</th><th class="num">SCC</th><th class="num">JSD</th><th class="num">RMSE</th></tr></thead><tbody>
${rows
  .map(
    (m) =>
      `<tr${m.method === d.recommended[set] ? ' class="best"' : ""}><td>${e(m.method)}${m.method === d.recommended[set] ? " ★" : ""}</td>${(
        ["pcc", "scc", "jsd", "rmse"] as const
      )
        .map((k) => `<td class="num">${fmt(m[k])} ± ${fmt(m[`${k}Sem`])}</td>`)
        .join("")}</tr>`,
  )
  .join("\n")}
</tbody></table>
<p>Recommended (best mean PCC): <b>${e(d.recommended[set] ?? "—")}</b>.</p>`;
    })
    .join("\n");
}

/** PCC per gene of the trained model and each baseline, genes sorted by the model's PCC. */
function geneFigure(d: ImputeReportData, main: string): string | null {
  const scored = d.genes.filter((g) => g.pcc[main] !== null && g.pcc[main] !== undefined);
  if (!scored.length) return null;
  scored.sort((a, b) => (b.pcc[main] ?? 0) - (a.pcc[main] ?? 0));
  const shown = scored.slice(0, 40);
  const methods = [...new Set(d.methods.map((m) => m.method))];
  return svg(
    {
      color: [...PALETTE],
      title: {
        text: `PCC per gene${shown.length < scored.length ? ` (the ${shown.length} best of ${scored.length})` : ""}`,
        left: "center",
        textStyle: { fontSize: 11 },
      },
      legend: { bottom: 0, textStyle: { fontSize: 9 } },
      grid: { left: 40, right: 10, top: 28, bottom: 80 },
      xAxis: { type: "category", data: shown.map((g) => g.gene), axisLabel: { rotate: 60, fontSize: 8 } },
      yAxis: { type: "value", min: -0.2, max: 1 },
      series: methods.map((m) => ({ name: m, type: "bar", data: shown.map((g) => g.pcc[m] ?? null) })),
    },
    680,
    300,
  );
}

export function imputeReportHtml(d: ImputeReportData): string {
  const r = d.record;
  const main = `sciLaMA (${String(r.prior)})`;
  const seconds = (r.seconds ?? {}) as Record<string, number>;
  const figure = d.mode === "panel" ? geneFigure(d, main) : null;
  const sub =
    d.mode === "panel"
      ? `${e(r.reference)} → ${e(r.target)} · ${d.cells.toLocaleString("en")} target cells · panel of ${e((r.panel as Json[] | undefined)?.length ?? "—")} genes`
      : `${e(r.file)} · ${d.cells.toLocaleString("en")} cells · dropouts`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Imputation</title><style>${PAGE_CSS} tr.best td { font-weight: bold; }</style></head><body>
<h1>Imputation</h1>
<div class="sub">${sub} · run ${d.runId} of ${e(d.project)} · ${e(d.createdAt.slice(0, 10))}</div>

<h2>Methods</h2>
<p class="methods">${d.mode === "panel" ? panelMethods(d) : dropoutMethods(d)}</p>

<h2>Parameters</h2>
<table><tbody>
${Object.entries(r)
  .filter(([k]) => !["methods", "errors", "coverage", "seconds", "layers", "recommended", "hyper"].includes(k))
  .map(
    ([k, v]) => `<tr><td>${e(k)}</td><td>${e(Array.isArray(v) ? v.join(", ") : typeof v === "object" ? JSON.stringify(v) : v)}</td></tr>`,
  )
  .join("\n")}
${Object.entries((r.hyper ?? {}) as Record<string, Json>)
  .map(([k, v]) => `<tr><td>hyper.${e(k)}</td><td>${e(typeof v === "object" ? JSON.stringify(v) : v)}</td></tr>`)
  .join("\n")}
</tbody></table>

${
  d.mode === "panel"
    ? `<h2>Gene coverage</h2>
${coverageTable((r.coverage ?? {}) as Record<string, Json>)}

<h2>Accuracy: every method on the same genes and cells</h2>
${d.methods.length ? methodsTable(d) : "<p>No accuracy was estimated (evaluation none and no gene measured outside the panel).</p>"}
${figure ? `<figure>${figure}</figure>` : ""}`
    : `<h2>Errors on the masked entries</h2>
${
  d.dropouts.length
    ? `${dropoutTablesHtml(d)}
<p>Lower is better; the lowest RMSE of each table in bold.</p>`
    : "<p>No entries were masked: the denoised layer only, no benchmark.</p>"
}`
}

<h2>Timings and software</h2>
<p>${Object.entries(seconds)
    .map(([k, s]) => `${e(k)} ${Number(s).toFixed(1)} s`)
    .join(" · ")}. Result file ${e(d.file)}. sciLaMA Studio ${e(d.appVersion)}, Node.js ${process.versions.node}.</p>
</body></html>`;
}
