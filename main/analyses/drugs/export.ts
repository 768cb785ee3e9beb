/**
 * Writes a drug-response prediction into a folder: `predictions.csv` (group × drug: ln IC50, sd, rank, against the
 * CCLE median, percentile among the type's lines), `groups.csv` (cells pooled, nearest CCLE lines) and, for the app,
 * the whole result as `result.json`; and records what a run produced in its project.
 */
import { mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import type { DrugResult } from "../../api/contract.js";
import { atomicWrite, toCsv } from "../../io/csv.js";
import type { Project } from "../../store/project.js";
import { recordDevice, setArtifact, setMetric } from "../../store/runs.js";
import type { DrugPrediction, DrugPredictOptions } from "./predict.js";

/** What a run computes from: the prediction's options, and the model folder (absent: the bundled model). */
export interface DrugOptions extends DrugPredictOptions {
  model?: string;
}

/** The job's input: its options, the folder its files go to, whether to write the app's view of the result (naming
 *  the dataset as the project does), and whether to print the report beside the tables (the command line; the app
 *  prints on demand). */
export interface DrugInput {
  options: DrugOptions;
  folder: string;
  view: { dataset: string } | null;
  report: { provenance: string; appVersion: string } | null;
}

/** What a finished job reports: the prediction itself (the CLI prints it), the files, the stages' seconds. */
export interface DrugSummary {
  prediction: DrugPrediction;
  members: number;
  written: Record<string, string>;
  seconds: Record<string, number>;
}

const TABLES = { predictions: "predictions.csv", groups: "groups.csv" };
export const VIEW_FILE = "result.json";
const REPORT = { heatmap: "heatmap.svg", report: "report.pdf" };

/** Every file a job writes into `folder`, by kind. */
export function drugFiles(folder: string, view: boolean, report: boolean): Record<string, string> {
  return Object.fromEntries(
    Object.entries({ ...TABLES, ...(view ? { view: VIEW_FILE } : {}), ...(report ? REPORT : {}) }).map(([kind, f]) => [
      kind,
      join(folder, f),
    ]),
  );
}

export function writeDrugResponse(p: DrugPrediction, folder: string, view: DrugResult | null): Record<string, string> {
  mkdirSync(folder, { recursive: true });
  const w = drugFiles(folder, view !== null, false);
  const nd = p.drugs.length;
  atomicWrite(
    w.predictions!,
    toCsv(
      ["group", "drug", "CID", "pred_ln_IC50", "pred_sd", "rank", "relative_to_ccle_median", `percentile_${p.cancerType ?? "all_lines"}`],
      p.groups.flatMap((g, k) =>
        p.drugs.map((d, j) => {
          const i = k * nd + j;
          return [
            g,
            d.name,
            d.cid ?? "",
            p.pred[i]!,
            p.sd[i]!,
            p.rank[i]!,
            d.ccleMedian === null ? null : p.pred[i]! - d.ccleMedian,
            p.percentile[i]!,
          ];
        }),
      ),
    ),
  );
  atomicWrite(
    w.groups!,
    toCsv(
      ["group", "cells", "nearest_ccle_lines"],
      p.groups.map((g, k) => [
        g,
        p.sizes[k]!,
        p.nearest[k]!.map((l) => `${l.name ?? l.id} (${l.tcga ?? "?"}, r=${l.r.toFixed(2)})`).join("; "),
      ]),
    ),
  );
  if (view) atomicWrite(w.view!, JSON.stringify(view));
  return w;
}

/** Records in the project what the run produced: its files, the groups compared and the model's genes found. */
export function recordDrugResponse(p: Project, id: number, s: DrugSummary): void {
  // The ensemble predicts in onnxruntime on the CPU (inference is a few seconds).
  recordDevice(p, id, "cpu");
  for (const [kind, path] of Object.entries(s.written)) setArtifact(p, id, kind, relative(p.dir, path));
  setMetric(p, id, "groups", s.prediction.groups.length);
  setMetric(p, id, "drugs", s.prediction.drugs.length);
  setMetric(p, id, "genes matched", s.prediction.coverage.matched, `of ${s.prediction.coverage.total}`);
  if (s.prediction.leftOut) setMetric(p, id, "cells left out", s.prediction.leftOut, "no value (NA) in the grouping column");
}
