/**
 * `scilama impute`: genes a target did not measure, predicted from a reference onto its panel (with the accuracy
 * estimated on the panel and on the target's other genes, every baseline in one table), or dropouts within one
 * dataset (`--dropouts`). Progress on stderr, the table on stdout; Ctrl-C stops cleanly, writes nothing and exits 130.
 */
import { existsSync, readFileSync } from "node:fs";
import { IMPUTATION } from "../analyses/impute/analysis.js";
import type { DropoutRow, ScPaLMDropouts } from "../analyses/impute/denoise.js";
import type { ImputeOptions } from "../analyses/impute/export.js";
import type { MethodRow } from "../analyses/impute/scores.js";
import { clippedNote, GENE_SET_ORDER, GENE_SETS } from "../analyses/impute/scores.js";
import type { Evaluation, PanelBaseline, Preset } from "../analyses/impute/settings.js";
import { priorChoice } from "../analyses/integrate/gene-inputs.js";
import { runAnalysis } from "../analyses/lifecycle.js";
import { IMPUTE_METRICS } from "../analysis/impute/metrics.js";
import { dropoutTables } from "../isomorphic/dropout-tables.js";
import { Project } from "../store/project.js";
import { stopped, untilDone } from "./interrupt.js";
import { print, progressPrinter, runLines, sayer, UsageError } from "./output.js";

export interface ImputeCommandOptions {
  out: string;
  reference?: string;
  target?: string;
  dropouts?: string;
  panel?: string;
  genes?: string;
  evaluation: Evaluation;
  /** Folds over the target's other genes for the unseen-gene estimate (0: none). */
  unseen: number;
  prior: string[];
  preset: Preset;
  seed: number;
  baselines: PanelBaseline[];
  mask: number;
  nonzero: boolean;
  epochs?: number;
  project?: string;
  json: boolean;
  quiet: boolean;
}

/** A gene list given as a file (one gene per line, or separated by commas or spaces) or as g1,g2,… */
export function geneList(v: string, flag: string): string[] {
  const text = existsSync(v) ? readFileSync(v, "utf8") : v;
  const genes = text
    .split(/[\s,;]+/)
    .map((g) => g.trim())
    .filter(Boolean);
  if (!genes.length) throw new UsageError(`${flag} names no gene ('${v}')`);
  return genes;
}

const HEADS = { pcc: "PCC", scc: "SCC", jsd: "JSD", rmse: "RMSE" } as const;

/** A value of a table: three decimals (no "-0.000"), "n/a" where there is none — a table never shows NaN. */
const num = (v: number) => (Number.isFinite(v) ? (v + 0).toFixed(3).replace(/^-(0\.0+)$/, "$1") : "n/a");

export function imputeTable(rows: readonly MethodRow[], recommended: Partial<Record<MethodRow["set"], string>>): string {
  const width = Math.max(6, ...rows.map((r) => r.method.length));
  const head = `${"method".padEnd(width)}  ${IMPUTE_METRICS.map((k) => HEADS[k].padStart(15)).join("")}   genes`;
  const out: string[] = [];
  for (const set of GENE_SET_ORDER) {
    const mine = rows.filter((r) => r.set === set);
    if (!mine.length) continue;
    out.push(`${GENE_SETS[set]}:`, head, "-".repeat(head.length));
    for (const r of mine)
      out.push(
        `${r.method.padEnd(width)}  ${IMPUTE_METRICS.map((k) => `${num(r[k])} ± ${num(r[`${k}Sem`])}`.padStart(15)).join("")}   ${r.genes}`,
      );
    out.push(`best mean PCC: ${recommended[set] ?? "none (no method could be scored on these genes)"}`, "");
  }
  return out.join("\n");
}

export function dropoutTable(rows: readonly DropoutRow[], scpalm: ScPaLMDropouts | null): string {
  const width = Math.max(6, ...rows.map((r) => r.method.length));
  const head = `${"method".padEnd(width)}  ${"RMSE".padStart(8)} ${"MAE".padStart(8)}`;
  const tables = dropoutTables(rows, scpalm && "genes" in scpalm ? scpalm.genes : null).flatMap((t) => [
    `${t.title}:`,
    head,
    "-".repeat(head.length),
    ...t.rows.map((r) => `${r.method.padEnd(width)}  ${num(r.rmse).padStart(8)} ${num(r.mae).padStart(8)}`),
    `lowest RMSE: ${t.best}`,
    "",
  ]);
  if (scpalm && "skipped" in scpalm) tables.push(`scPaLM was not scored: ${scpalm.skipped}`);
  return tables.join("\n").trimEnd();
}

export async function imputeCommand(o: ImputeCommandOptions): Promise<void> {
  if (!o.out.endsWith(".h5ad")) throw new UsageError("--out must name a .h5ad file");
  if (o.dropouts && (o.reference || o.target))
    throw new UsageError("--dropouts imputes within one dataset; it cannot be combined with --reference/--target");
  if (!o.dropouts && (!o.reference || !o.target))
    throw new UsageError("'impute' needs --reference <file> and --target <file> (or --dropouts <file>)");
  const prior = priorChoice(o.prior, "--prior");
  const hyper = o.epochs ? { hyper: { maxEpochs: o.epochs } } : {};
  const options: ImputeOptions = o.dropouts
    ? { mode: "dropouts", file: o.dropouts, mask: o.mask, nonzero: o.nonzero, prior, preset: o.preset, seed: o.seed, ...hyper }
    : {
        mode: "panel",
        reference: o.reference!,
        target: o.target!,
        ...(o.panel ? { panel: geneList(o.panel, "--panel") } : {}),
        ...(o.genes && o.genes !== "all" ? { genes: geneList(o.genes, "--genes") } : {}),
        evaluation: o.evaluation,
        unseenFolds: o.unseen,
        prior,
        preset: o.preset,
        seed: o.seed,
        baselines: o.baselines,
        ...hyper,
      };
  const project = o.project ? Project.open(o.project) : null;
  try {
    const run = await runAnalysis(IMPUTATION, {
      options,
      input: () => ({ out: o.out }),
      ...(project ? { record: { project, config: o, datasetIds: [] } } : {}),
      onEvent: progressPrinter(o.quiet),
    });
    const outcome = await untilDone(run, "stopping after the current training block…");
    if (outcome.status === "cancelled") throw stopped("imputation", run.runId);
    const r = outcome.summary;
    const w = r.written;
    const c = r.coverage;
    if (c)
      sayer(o.quiet)(
        `genes: reference ${c.referenceGenes}, target ${c.targetGenes}, shared ${c.shared}; panel ${c.panel}; ${c.imputed} imputed, ${c.scored} of them scored against the target${c.priorOnly ? `; ${c.priorOnly} the reference does not measure, placed by the prior alone (z-scores, no accuracy estimate)` : ""}`,
      );
    if (r.clipped.values) sayer(o.quiet)(clippedNote(r.clipped, r.mode));
    print(o.json, { ...r, runId: run.runId }, () =>
      [
        r.mode === "panel"
          ? r.methods.length
            ? imputeTable(r.methods, r.recommended)
            : "(no accuracy estimate: --evaluate none and no target gene outside the panel)"
          : r.dropouts.length
            ? `${r.masked} masked entries (${((100 * r.maskedZeros) / Math.max(1, r.masked)).toFixed(1)}% zeros)\n${dropoutTable(r.dropouts, r.scpalm)}`
            : "(no mask: the denoised values are in the layer sciLaMA_denoised)",
        "",
        ...runLines(`${w.h5ad}, ${w.metrics}, ${w.genes}, ${w.cellModel}, ${w.geneModel}`, run.runId, project?.dir, r.seconds),
      ].join("\n"),
    );
  } finally {
    project?.close();
  }
}
