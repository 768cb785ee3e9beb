/**
 * `scilama drugs …`: the drug-response model. `train` evaluates it on the three splits beside the trivial baselines
 * (and keeps each split's model); progress on stderr, the tables on stdout; Ctrl-C stops and writes nothing.
 * `predict` applies the bundled ensemble to a dataset's groups; `predict-pairs` to (CCLE line, SMILES) pairs.
 */
import { existsSync, mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { DRUG_RESPONSE } from "../analyses/drugs/analysis.js";
import { loadBundle, readModel } from "../analyses/drugs/bundle.js";
import { evaluateSplit, type SplitEvaluation } from "../analyses/drugs/evaluate.js";
import { saveDrugModel } from "../analyses/drugs/model-files.js";
import { predictPairs, readPairs } from "../analyses/drugs/pairs.js";
import type { CustomMolecule } from "../analyses/drugs/predict.js";
import { type DRUG_SPLITS, type OmicsKind, SPLIT_MEANING } from "../analyses/drugs/settings.js";
import { loadTrainingSet, trainedModelMeta } from "../analyses/drugs/training-set.js";
import { runAnalysis } from "../analyses/lifecycle.js";
import type { BaselineRow } from "../drugs/baselines.js";
import { atomicWrite, toCsv } from "../io/csv.js";
import { DRUG_PRESETS, type DrugPreset } from "../models/drug-hyper.js";
import { requireChromium } from "../report/chromium.js";
import { Project } from "../store/project.js";
import { APP_ROOT, appVersion } from "../version.js";
import { stopped, untilDone } from "./interrupt.js";
import { print, progressPrinter, sayer, UsageError } from "./output.js";

/** The GDSC/CCLE training data: --data, else $SCILAMA_DRUG_DATA, else the shared data beside the app's source tree. */
export function drugDataDir(flag: string | undefined): string {
  const dir = flag ?? process.env.SCILAMA_DRUG_DATA ?? join(APP_ROOT, "..", "shared", "data", "drug_response");
  if (!existsSync(join(dir, "tgsa_ln_ic50_long_with_smiles.csv")))
    throw new UsageError(`no GDSC/CCLE training data in ${dir}; give the folder with --data (see the README's drug-response section)`);
  return dir;
}

export interface DrugsTrainOptions {
  out: string;
  data?: string;
  splits: (typeof DRUG_SPLITS)[number][];
  seed: number;
  preset: DrugPreset;
  epochs?: number;
  omics: OmicsKind[];
  json: boolean;
  quiet: boolean;
}

export function metricsTable(rows: readonly BaselineRow[]): string {
  const width = Math.max(6, ...rows.map((r) => r.method.length));
  const head = `${"method".padEnd(width)}  ${["PCC", "SCC", "RMSE", "median drug PCC"].map((h) => h.padStart(h.length > 6 ? 16 : 7)).join("")}  drugs`;
  return [
    head,
    "-".repeat(head.length),
    ...rows.map(
      (r) =>
        `${r.method.padEnd(width)}  ${[r.pcc, r.scc, r.rmse].map((v) => v.toFixed(3).padStart(7)).join("")}${r.medianDrugPcc.toFixed(3).padStart(16)}  ${String(r.drugs).padStart(5)}`,
    ),
  ].join("\n");
}

export async function drugsTrainCommand(o: DrugsTrainOptions): Promise<void> {
  const say = sayer(o.quiet);
  const dir = drugDataDir(o.data);
  const hyper = { ...DRUG_PRESETS[o.preset], ...(o.epochs ? { maxEpochs: o.epochs } : {}) };
  let stop = false;
  const onInt = () => {
    say("stopping after the current training block…");
    stop = true;
  };
  process.once("SIGINT", onInt);
  try {
    say(`· reading and featurizing the training data in ${dir}`);
    const set = await loadTrainingSet(dir, o.omics);
    const results: SplitEvaluation[] = [];
    for (const split of o.splits) {
      say(`· ${split}: ${SPLIT_MEANING[split]}`);
      let last = 0;
      const r = await evaluateSplit(set, split, o.seed, hyper, {
        shouldStop: () => stop,
        onProgress: (p) => {
          if (performance.now() - last < 5000) return;
          last = performance.now();
          say(
            `  ${split} | epoch ${p.epoch + 1}/${p.epochs} | loss ${p.losses.loss?.toFixed(3) ?? ""} | ${p.cellsPerSec.toFixed(0)} pairs/s | ${p.provider}`,
          );
        },
      });
      if (r.trained.status === "stopped") throw stopped("training", null);
      say(`  ${split}: best epoch ${r.trained.bestEpoch + 1} of ${r.trained.history.length}, ${r.trained.seconds.toFixed(0)} s`);
      results.push(r);
    }
    mkdirSync(o.out, { recursive: true });
    for (const r of results)
      saveDrugModel(
        join(o.out, `model-${r.split}.safetensors`),
        r.trained.params,
        trainedModelMeta(
          set,
          {
            split: r.split,
            seed: r.seed,
            bestEpoch: r.trained.bestEpoch,
            pairs: r.pairs.train,
            seconds: r.trained.seconds,
            preset: o.preset,
          },
          r.rows,
        ),
      );
    atomicWrite(
      join(o.out, "metrics.csv"),
      toCsv(
        ["split", "seed", "method", "pcc", "scc", "rmse", "median_drug_pcc", "drugs", "train_pairs", "test_pairs"],
        results.flatMap((r) =>
          r.rows.map((m) => [r.split, r.seed, m.method, m.pcc, m.scc, m.rmse, m.medianDrugPcc, m.drugs, r.pairs.train, r.pairs.test]),
        ),
      ),
    );
    atomicWrite(
      join(o.out, "per-drug.csv"),
      toCsv(
        ["split", "drug", "test_pairs", "pcc"],
        results.flatMap((r) => r.perDrug.map((d) => [r.split, set.data.pairs.drugs[d.drug]!.name, d.n, d.pcc])),
      ),
    );
    print(
      o.json,
      results.map((r) => ({ split: r.split, seed: r.seed, pairs: r.pairs, bestEpoch: r.trained.bestEpoch, rows: r.rows })),
      () =>
        [
          ...results.flatMap((r) => [
            `${r.split} — ${SPLIT_MEANING[r.split]} (${r.pairs.train} train, ${r.pairs.val} validation, ${r.pairs.test} test pairs; seed ${r.seed})`,
            metricsTable(r.rows),
            "",
          ]),
          `wrote ${o.out}/metrics.csv, per-drug.csv and model-<split>.safetensors`,
        ].join("\n"),
    );
  } finally {
    process.off("SIGINT", onInt);
  }
}

export interface DrugsPredictOptions {
  file: string;
  groupby: string;
  out: string;
  drugs?: string[];
  smiles: string[];
  cancerType?: string;
  model?: string;
  project?: string;
  json: boolean;
  quiet: boolean;
}

/** `--smiles NAME:SMILES`, or a bare SMILES named by its position. (A ':' in a SMILES only ever sits inside brackets,
 *  as in atom maps [CH3:1], so a prefix without '[' is a name.) */
export function molecules(values: readonly string[]): CustomMolecule[] {
  return values.map((v, i) => {
    const at = v.indexOf(":");
    return at > 0 && !v.slice(0, at).includes("[")
      ? { name: v.slice(0, at).trim(), smiles: v.slice(at + 1).trim() }
      : { name: `molecule ${i + 1}`, smiles: v.trim() };
  });
}

export async function drugsPredictCommand(o: DrugsPredictOptions): Promise<void> {
  requireChromium(); // its report.pdf is printed at the end
  const say = sayer(o.quiet);
  const project = o.project ? Project.open(o.project) : null;
  try {
    const run = await runAnalysis(DRUG_RESPONSE, {
      options: {
        file: o.file,
        groupby: o.groupby,
        ...(o.drugs ? { drugs: o.drugs } : {}),
        molecules: molecules(o.smiles),
        cancerType: o.cancerType ?? null,
        ...(o.model ? { model: o.model } : {}),
      },
      // A run recorded in a project also gets the result the app shows.
      input: () => ({
        folder: o.out,
        view: project ? { dataset: basename(o.file) } : null,
        report: { provenance: project ? `${project.name}, recorded as a run` : "scilama drugs predict", appVersion: appVersion() },
      }),
      ...(project ? { record: { project, config: o, datasetIds: [] } } : {}),
      onEvent: progressPrinter(o.quiet),
    });
    const outcome = await untilDone(run, "stopping after the current stage…");
    if (outcome.status === "cancelled") throw stopped("prediction", run.runId);
    const p = outcome.summary.prediction;
    say(`  ${p.coverage.matched} of the model's ${p.coverage.total} genes found in the dataset; the others are set to the average line`);
    const nd = p.drugs.length;
    print(o.json, p, () =>
      [
        p.warning,
        ...(p.leftOut
          ? [`${p.leftOut.toLocaleString("en")} cells left out: their '${o.groupby}' is missing (NA), so they are in no group`]
          : []),
        "",
        ...p.groups.flatMap((g, k) => {
          const top = [...p.drugs.keys()].sort((a, b) => p.rank[k * nd + a]! - p.rank[k * nd + b]!).slice(0, 5);
          return [
            `${g} (${p.sizes[k]} cells; nearest CCLE lines: ${p.nearest[k]!.slice(0, 3)
              .map((l) => l.name ?? l.id)
              .join(", ")})`,
            ...top.map(
              (d) =>
                `  ${String(p.rank[k * nd + d]).padStart(3)}. ${p.drugs[d]!.name.padEnd(24)} ln IC50 ${p.pred[k * nd + d]!.toFixed(2)} ± ${p.sd[k * nd + d]!.toFixed(2)}`,
            ),
          ];
        }),
        `wrote ${o.out}/predictions.csv, groups.csv, heatmap.svg and report.pdf`,
        ...(run.runId ? [`recorded as run ${run.runId} of ${project!.dir}`] : []),
      ].join("\n"),
    );
  } finally {
    project?.close();
  }
}

export async function drugsPredictPairsCommand(o: { file: string; out: string; model?: string; json: boolean }): Promise<void> {
  // The model folder and the pairs are checked (a wrong folder, a damaged file, a malformed pairs file, a molecule
  // RDKit cannot read or too large for the model) before the model is loaded and anything is written.
  const pairs = await readPairs(readModel(o.model).reference, o.file);
  const r = await predictPairs(await loadBundle(o.model), pairs);
  atomicWrite(
    o.out,
    toCsv(
      [...r.header, "pred_ln_IC50", "pred_sd"],
      r.rows.map((row, i) => [...row, r.pred[i]!, r.sd[i]!]),
    ),
  );
  print(o.json, { rows: r.rows.length, out: o.out }, () => `wrote ${r.rows.length} predictions to ${o.out}`);
}
