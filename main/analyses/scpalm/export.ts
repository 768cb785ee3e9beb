/**
 * Writes an scPaLM run's files and records them. Training: the model folder holds the model and its training log
 * (written by `pretrainFromFiles`), the view the app shows (view.json) and the report's HTML. Pathway tokens: the CSV
 * tables the CLI has always written, each cell's codes (codes.i32, for showing which cells use a token), the view and
 * the report's HTML.
 */
import { mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import { termCard } from "../../analysis/enrichment.js";
import type { PathwayToken, ScPaLMPathwaysSummary, ScPaLMTrainingSummary } from "../../api/contract.js";
import { atomicWrite, toCsv } from "../../io/csv.js";
import type { Project } from "../../store/project.js";
import { recordDevice, setArtifact, setMetric } from "../../store/runs.js";
import type { TokenGenes } from "./pathways.js";
import { LOG_FILE, MODEL_FILE } from "./pretrain.js";
import { pathwaysReportHtml, type ScPaLMReportContext, trainingReportHtml } from "./report.js";
import type { PathwayTokensResult, ScPaLMOptions, ScPaLMPathwaysOptions, TrainedScPaLM } from "./workflow.js";

export type { ScPaLMReportContext };

/** The job's input: what it computes from, the folder its files go to (for a training, the model folder). */
export interface ScPaLMInput {
  options: ScPaLMOptions;
  out: string;
  context: ScPaLMReportContext;
}

const VIEW = { view: "view.json", html: "report.html" };
const TRAINING_FILES = { model: MODEL_FILE, log: LOG_FILE, ...VIEW };
const PATHWAY_FILES = { tokens: "tokens.csv", enrichment: "enrichment.csv", codes: "codes.i32", ...VIEW };

/** Every file a job writes into `out`, by kind. */
export function scpalmFiles(mode: ScPaLMOptions["mode"], out: string): Record<string, string> {
  return Object.fromEntries(Object.entries(mode === "train" ? TRAINING_FILES : PATHWAY_FILES).map(([k, f]) => [k, join(out, f)]));
}

/** What a finished training reports (the CLI prints it; the rest is in the files). */
export interface ScPaLMTrainingJobSummary {
  mode: "train";
  written: Record<string, string>;
  cells: number;
  genes: number;
  codes: number;
  codesUsed: number;
  provider: string;
  stages: { stage: number; epochs: number; seconds: number; last: Record<string, number> | null }[];
  seconds: Record<string, number>;
}

export interface ScPaLMPathwaysJobSummary {
  mode: "pathways";
  written: Record<string, string>;
  cells: number;
  vocabulary: number;
  measured: number;
  used: TokenGenes[];
  provider: string;
  seconds: Record<string, number>;
}

export type ScPaLMJobSummary = ScPaLMTrainingJobSummary | ScPaLMPathwaysJobSummary;

export function trainingSummary(t: TrainedScPaLM, start: string | null): ScPaLMTrainingSummary {
  const { meta } = t.model;
  return {
    kind: "training",
    hyper: meta.hyper,
    start,
    genes: meta.genes.length,
    corpus: meta.corpus,
    cells: t.cells,
    codesUsed: t.result.codesUsed,
    stages: t.result.stages.map((s) => ({ stage: s.stage, epochs: s.epochs, seconds: s.seconds, history: s.history })),
    provider: t.result.provider,
    seconds: t.seconds,
  };
}

/** Writes the view and the report beside the model (which `pretrainFromFiles` wrote) and sums the job up. */
export function writeTraining(t: TrainedScPaLM, out: string, ctx: ScPaLMReportContext): ScPaLMTrainingJobSummary {
  const written = scpalmFiles("train", out);
  const summary = trainingSummary(t, ctx.model);
  atomicWrite(written.view!, JSON.stringify(summary));
  atomicWrite(written.html!, trainingReportHtml(summary, ctx));
  return {
    mode: "train",
    written,
    cells: t.cells,
    genes: summary.genes,
    codes: summary.hyper.codes,
    codesUsed: summary.codesUsed,
    provider: summary.provider,
    stages: summary.stages.map((s) => ({ stage: s.stage, epochs: s.epochs, seconds: s.seconds, last: s.history.at(-1)?.losses ?? null })),
    seconds: t.seconds,
  };
}

/** The app's view of a used token: its best terms, as the markers view shows a module's. */
function tokenCard(t: TokenGenes): PathwayToken {
  return {
    code: t.code,
    cells: t.cells,
    fraction: t.fraction,
    genes: t.genes,
    scores: t.scores,
    terms: t.terms.slice(0, 10).map(termCard),
  };
}

export function pathwaysSummary(r: PathwayTokensResult, dataset: string, model: string): ScPaLMPathwaysSummary {
  return {
    kind: "pathways",
    dataset,
    model,
    cells: r.cells,
    tokens: r.tokens,
    codes: r.codes,
    vocabulary: r.vocabulary,
    measured: r.measured,
    used: r.used.map(tokenCard),
    umap: Array.from(r.umap),
    umapSource: r.umapSource,
    provider: r.provider,
    seconds: r.seconds,
  };
}

export function writePathways(
  r: PathwayTokensResult,
  o: ScPaLMPathwaysOptions,
  out: string,
  ctx: ScPaLMReportContext,
): ScPaLMPathwaysJobSummary {
  const written = scpalmFiles("pathways", out);
  mkdirSync(out, { recursive: true });
  atomicWrite(
    written.tokens!,
    toCsv(
      ["code", "cells", "fraction", "genes", "best_term", "best_q"],
      r.used.map((t) => [t.code, t.cells, t.fraction, t.genes.join(" "), t.terms[0]?.term ?? null, t.terms[0]?.q ?? null]),
    ),
  );
  atomicWrite(
    written.enrichment!,
    toCsv(
      ["code", "collection", "term", "overlap", "set_size", "p", "q"],
      r.used.flatMap((t) => t.terms.map((e) => [t.code, e.collection, e.term, e.overlap.join(" "), e.setSize, e.p, e.q])),
    ),
  );
  atomicWrite(written.codes!, new Uint8Array(r.cellCodes.buffer, r.cellCodes.byteOffset, r.cellCodes.byteLength));
  // The CLI names a model by its folder.
  const summary = pathwaysSummary(r, o.name, ctx.model ?? o.model);
  atomicWrite(written.view!, JSON.stringify(summary));
  atomicWrite(written.html!, pathwaysReportHtml(summary, ctx));
  return {
    mode: "pathways",
    written,
    cells: r.cells,
    vocabulary: r.vocabulary,
    measured: r.measured,
    used: r.used,
    provider: r.provider,
    seconds: r.seconds,
  };
}

/** Records in the project what the run produced: its files, the device it ran on, and its headline figures. */
export function recordScPaLM(p: Project, id: number, s: ScPaLMJobSummary): void {
  for (const [kind, path] of Object.entries(s.written)) setArtifact(p, id, kind, relative(p.dir, path));
  recordDevice(p, id, s.provider);
  setMetric(p, id, "cells", s.cells);
  if (s.mode === "train") {
    setMetric(p, id, "codes_used", s.codesUsed);
    setMetric(p, id, "codes", s.codes);
    for (const st of s.stages) for (const [k, v] of Object.entries(st.last ?? {})) setMetric(p, id, k, v, `stage ${st.stage}`);
  } else {
    setMetric(p, id, "tokens_used", s.used.length);
    setMetric(p, id, "genes_measured", s.measured);
  }
}
