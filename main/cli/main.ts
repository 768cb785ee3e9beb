/** The `scilama` command line. Every command can print JSON (--json); exit codes are listed in README.md. */

// Each command's module is imported only when that command runs: loading them all (onnxruntime, scran.js, h5wasm,
// Chromium's driver, echarts) cost ~8 s of CPU before even `--help` could print.
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DRUG_DEFAULTS, DRUG_LIMITS, DRUG_SPLITS, OMICS, type OmicsKind } from "../analyses/drugs/settings.js";
import { IMPUTE_DEFAULTS, IMPUTE_LIMITS, PANEL_BASELINES, type PanelBaseline, parseEvaluation } from "../analyses/impute/settings.js";
import {
  BASELINES,
  type Baseline,
  HYPER_LIMITS,
  INTEGRATION_DEFAULTS,
  INTEGRATION_LIMITS,
  PRESET_NAMES,
  SCALINGS,
} from "../analyses/integrate/settings.js";
import { MARKERS_DEFAULTS, MARKERS_LIMITS } from "../analyses/markers/settings.js";
import type { Format } from "../io/detect.js";
import type { Orientation } from "../io/table.js";
import { type Limit, rangeProblem } from "../isomorphic/limits.js";
import { EXIT, exitCodeFor, UsageError } from "./output.js";

const HELP = `scilama — sciLaMA Studio from the command line

  scilama start [--browser] [--port N] [--no-open] open sciLaMA Studio on the demo project (first launch creates it):
                                                  the desktop window, or browser mode on 127.0.0.1 (printing the address)
  scilama inspect <file|10x folder> [--format F] [--orientation genes-by-cells|cells-by-genes] [--json]
  scilama import <file|10x folder> --project <dir> [--name N] [--format F] [--orientation O] [--json] [--quiet]
  scilama preprocess <file> --out <out.h5ad> [--min-genes N] [--max-genes N] [--min-counts N] [--max-counts N]
                     [--max-mito PCT] [--min-cells N] [--target-sum 10000] [--hvg N] [--hvg-flavor seurat_v3|seurat]
                     [--batch <obs column>] [--subset-hvg] [--scale] [--max-value 10] [--json]
  scilama integrate <files…> --out <result.h5ad> [--batch <obs column>] [--label <obs column>]
                     [--prior bundled|self|random|shuffled|<file> (repeat for several)] [--preset ${PRESET_NAMES.join("|")} (${INTEGRATION_DEFAULTS.preset})] [--seed N]
                     [--hvg N (${INTEGRATION_DEFAULTS.hvg}; 0: all genes)] [--scaling ${SCALINGS.join("|")} (${INTEGRATION_DEFAULTS.scaling}: genes z-scored within each batch)]
                     [--epochs N] [--baselines all|none|${BASELINES.join(",")} (${INTEGRATION_DEFAULTS.baselines.join(",")})]
                     [--scpalm-model <folder> (scpalm's model; the bundled one)] [--project <dir>] [--json] [--quiet]
  scilama markers <result.h5ad | run id --project <dir>> --groupby <obs column> --out <folder>
                     [--gmt <file.gmt> (repeat)] [--resolution ${MARKERS_DEFAULTS.resolution}] [--neighbors ${MARKERS_DEFAULTS.neighbors}] [--json] [--quiet]
                                                  gene modules, the cell types they mark, enrichment, Wilcoxon markers
  scilama impute --reference <file> --target <file> --out <result.h5ad> [--panel <file|g1,g2,…> (all shared genes)]
                     [--genes <file|g1,g2,…|all> (all)] [--evaluate kfold:5|logo|none (kfold:${IMPUTE_DEFAULTS.evaluation.k})] [--unseen K (${IMPUTE_DEFAULTS.unseen})] [--prior …]
                     [--preset ${PRESET_NAMES.join("|")} (${IMPUTE_DEFAULTS.preset})] [--seed N] [--epochs N]
                     [--baselines all|none|${PANEL_BASELINES.join(",")} (${IMPUTE_DEFAULTS.baselines.join(",")})] [--project <dir>] [--json] [--quiet]
                                                  unmeasured genes predicted onto a panel, with the accuracy measured
  scilama impute --dropouts <file> --out <result.h5ad> [--mask ${IMPUTE_DEFAULTS.mask} (0: no benchmark)] [--nonzero] [--prior …] [--preset …]
                                                  dropouts masked and imputed within one dataset; a denoised layer
  scilama drugs train --out <folder> [--split random|cells|drugs|all (all; or a comma list)] [--seed N]
                     [--preset quick|standard|thorough (${DRUG_DEFAULTS.preset})] [--epochs N] [--omics ${OMICS.join(",")} (expression)]
                     [--data <drug_response folder>] [--json] [--quiet]
                                                  the IC50 model on GDSC2 × CCLE, scored on held-out pairs beside the
                                                  drug mean, the additive drug + cell-line model and kNN-25 over cell lines
  scilama drugs predict <file> --groupby <obs column> --out <folder> [--drugs <name,name,…> (all)]
                     [--smiles [NAME:]SMILES (repeat)] [--cancer-type <TCGA code>] [--model <folder>] [--project <dir>] [--json] [--quiet]
                                                  predicted ln IC50 per group × drug (groups z-scored against each other)
  scilama drugs predict-pairs <pairs.csv: DepMap_ID,SMILES> --out <pred.csv> [--model <folder>] [--json]
  scilama scpalm pretrain <files…> --out <model folder> [--config desktop|paper|<settings.json> (desktop)] [--from <model folder>]
                     [--seed N] [--epochs N (each stage)] [--json] [--quiet]
                                                  pre-train scPaLM on datasets (or fine-tune a model with --from);
                                                  the same command again resumes a stopped run
  scilama scpalm embed <file> --out <result.h5ad> [--model <folder> (the bundled desktop model)] [--label <obs column>]
                     [--batch <obs column>] [--json] [--quiet]
                                                  scPaLM cell embeddings (obsm X_scPaLM), clusters and UMAP; with labels
                                                  or batches the scib metrics beside the token mean and PCA
  scilama scpalm pathways <file> --out <folder> [--model <folder>] [--top N (10)] [--json] [--quiet]
                                                  each pathway token's top genes and their enrichment
  scilama report <run id --project <dir> | result.h5ad> --out <file.pdf> [--json]
                                                  the integration report as PDF (printed by Chromium)
  scilama project create <dir> [--name N] [--json]
  scilama project list [<root>] [--json]          (default root: $SCILAMA_HOME/projects)
  scilama project info <dir> [--json]

Formats (detected from content): h5ad, 10x-h5, 10x-mtx, table.
Exit codes: 0 ok · 1 internal error · 2 usage · 3 bad input data · 4 project problem · 5 disk full.`;

const OPTIONS = {
  json: { type: "boolean", default: false },
  browser: { type: "boolean", default: false },
  groupby: { type: "string" },
  gmt: { type: "string", multiple: true },
  resolution: { type: "string" },
  neighbors: { type: "string" },
  port: { type: "string" },
  "no-open": { type: "boolean", default: false },
  quiet: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
  project: { type: "string" },
  name: { type: "string" },
  format: { type: "string" },
  orientation: { type: "string" },
  out: { type: "string" },
  "min-genes": { type: "string" },
  "max-genes": { type: "string" },
  "min-counts": { type: "string" },
  "max-counts": { type: "string" },
  "max-mito": { type: "string" },
  "min-cells": { type: "string" },
  "target-sum": { type: "string", default: "10000" },
  hvg: { type: "string" },
  "hvg-flavor": { type: "string", default: "seurat_v3" },
  batch: { type: "string" },
  "subset-hvg": { type: "boolean", default: false },
  scale: { type: "boolean", default: false },
  "max-value": { type: "string", default: "10" },
  label: { type: "string" },
  prior: { type: "string", multiple: true },
  preset: { type: "string" },
  seed: { type: "string", default: String(INTEGRATION_DEFAULTS.seed) },
  epochs: { type: "string" },
  scaling: { type: "string" },
  baselines: { type: "string" },
  reference: { type: "string" },
  target: { type: "string" },
  dropouts: { type: "string" },
  panel: { type: "string" },
  genes: { type: "string" },
  evaluate: { type: "string" },
  mask: { type: "string" },
  nonzero: { type: "boolean", default: false },
  unseen: { type: "string" },
  split: { type: "string" },
  omics: { type: "string" },
  data: { type: "string" },
  drugs: { type: "string" },
  smiles: { type: "string", multiple: true },
  "cancer-type": { type: "string" },
  model: { type: "string" },
  config: { type: "string" },
  top: { type: "string" },
  from: { type: "string" },
  "scpalm-model": { type: "string" },
} as const;

function num(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${flag} needs a number, got '${v}'`);
  return n;
}

/** A number flag that must lie within a setting's range (refused in the API's words). */
function bounded(v: string | undefined, flag: string, limit: Limit): number | undefined {
  if (v === undefined) return undefined;
  const problem = rangeProblem(`--${flag}`, v.trim() === "" ? Number.NaN : Number(v), limit, v);
  if (problem) throw new UsageError(problem);
  return Number(v);
}

function oneOf<T extends string>(v: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new UsageError(`--${flag} must be one of ${allowed.join(", ")}; got '${v}'`);
  return v as T;
}

/** `all`, `none` or a comma-separated list of `allowed`. */
function baselineList<T extends string>(v: string, allowed: readonly T[]): T[] {
  if (v === "all") return [...allowed];
  if (v === "none") return [];
  return v.split(",").map((b) => oneOf(b.trim(), allowed, "baselines")!);
}

async function run(argv: string[]): Promise<void> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: v, positionals: pos } = parsed;
  const [cmd, ...rest] = pos;
  if (v.help || !cmd) {
    process.stdout.write(`${HELP}\n`);
    if (!cmd && !v.help) throw new UsageError("no command given");
    return;
  }
  const need = (i: number, what: string) => {
    if (rest[i] === undefined) throw new UsageError(`'${cmd}' needs ${what}`);
    return rest[i];
  };
  const format = oneOf(v.format, ["h5ad", "10x-h5", "10x-mtx", "table"] as const satisfies readonly Format[], "format");
  const orientation = oneOf(v.orientation, ["genes-by-cells", "cells-by-genes"] as const satisfies readonly Orientation[], "orientation");
  switch (cmd) {
    case "start":
      return (await import("./start.js")).startCommand({ browser: v.browser, port: num(v.port, "port"), open: !v["no-open"] });
    case "inspect":
      return (await import("./inspect.js")).inspectCommand(need(0, "a file"), { format, orientation, json: v.json });
    case "import":
      if (!v.project) throw new UsageError("'import' needs --project <dir>");
      return (await import("./project.js")).importCommand(need(0, "a file"), v.project, {
        name: v.name,
        json: v.json,
        quiet: v.quiet,
        format: format as never,
        orientation: orientation as never,
      });
    case "preprocess": {
      if (!v.out) throw new UsageError("'preprocess' needs --out <file.h5ad>");
      return (await import("./preprocess.js")).preprocessCommand(need(0, "a file"), v.out, {
        json: v.json,
        minGenes: num(v["min-genes"], "min-genes"),
        maxGenes: num(v["max-genes"], "max-genes"),
        minCounts: num(v["min-counts"], "min-counts"),
        maxCounts: num(v["max-counts"], "max-counts"),
        maxPctMito: num(v["max-mito"], "max-mito"),
        minCells: num(v["min-cells"], "min-cells"),
        targetSum: num(v["target-sum"], "target-sum") ?? 1e4,
        hvg: num(v.hvg, "hvg"),
        hvgFlavor: oneOf(v["hvg-flavor"], ["seurat_v3", "seurat"] as const, "hvg-flavor") ?? "seurat_v3",
        batch: v.batch,
        subsetHvg: v["subset-hvg"],
        scale: v.scale,
        maxValue: num(v["max-value"], "max-value") ?? 10,
      });
    }
    case "integrate": {
      if (!v.out) throw new UsageError("'integrate' needs --out <result.h5ad>");
      return (await import("./integrate.js")).integrateCommand(rest, {
        out: v.out,
        batch: v.batch,
        label: v.label,
        prior: v.prior ?? ["bundled"],
        preset: oneOf(v.preset, PRESET_NAMES, "preset") ?? INTEGRATION_DEFAULTS.preset,
        seed: bounded(v.seed, "seed", INTEGRATION_LIMITS.seed) ?? INTEGRATION_DEFAULTS.seed,
        hvg: bounded(v.hvg, "hvg", INTEGRATION_LIMITS.hvg) ?? INTEGRATION_DEFAULTS.hvg,
        scaling: oneOf(v.scaling, SCALINGS, "scaling") ?? INTEGRATION_DEFAULTS.scaling,
        epochs: bounded(v.epochs, "epochs", HYPER_LIMITS.maxEpochs),
        baselines: v.baselines ? baselineList<Baseline>(v.baselines, BASELINES) : [...INTEGRATION_DEFAULTS.baselines],
        scpalmModel: v["scpalm-model"],
        project: v.project,
        json: v.json,
        quiet: v.quiet,
      });
    }
    case "impute": {
      if (!v.out) throw new UsageError("'impute' needs --out <result.h5ad>");
      if (rest.length) throw new UsageError(`'impute' takes its files as --reference/--target or --dropouts, not '${rest[0]}'`);
      const evaluation = v.evaluate === undefined ? IMPUTE_DEFAULTS.evaluation : parseEvaluation(v.evaluate);
      if (!evaluation)
        throw new UsageError(
          `--evaluate must be kfold:K (K from ${IMPUTE_LIMITS.folds.min} to ${IMPUTE_LIMITS.folds.max}), logo or none; got '${v.evaluate}'`,
        );
      return (await import("./impute.js")).imputeCommand({
        out: v.out,
        reference: v.reference,
        target: v.target,
        dropouts: v.dropouts,
        panel: v.panel,
        genes: v.genes,
        evaluation,
        unseen: bounded(v.unseen, "unseen", IMPUTE_LIMITS.unseen) ?? IMPUTE_DEFAULTS.unseen,
        prior: v.prior ?? ["bundled"],
        preset: oneOf(v.preset, PRESET_NAMES, "preset") ?? IMPUTE_DEFAULTS.preset,
        seed: bounded(v.seed, "seed", IMPUTE_LIMITS.seed) ?? IMPUTE_DEFAULTS.seed,
        baselines: v.baselines ? baselineList<PanelBaseline>(v.baselines, PANEL_BASELINES) : [...IMPUTE_DEFAULTS.baselines],
        mask: bounded(v.mask, "mask", IMPUTE_LIMITS.mask) ?? IMPUTE_DEFAULTS.mask,
        nonzero: v.nonzero,
        epochs: bounded(v.epochs, "epochs", IMPUTE_LIMITS.epochs),
        project: v.project,
        json: v.json,
        quiet: v.quiet,
      });
    }
    case "markers":
      if (!v.out) throw new UsageError("'markers' needs --out <folder>");
      if (!v.groupby) throw new UsageError("'markers' needs --groupby <obs column> (e.g. the cell types or the Leiden clusters)");
      return (await import("./markers.js")).markersCommand(need(0, "a result .h5ad or a run id"), {
        groupby: v.groupby,
        out: v.out,
        project: v.project,
        gmt: v.gmt ?? [],
        resolution: bounded(v.resolution, "resolution", MARKERS_LIMITS.resolution) ?? MARKERS_DEFAULTS.resolution,
        neighbors: bounded(v.neighbors, "neighbors", MARKERS_LIMITS.neighbors) ?? MARKERS_DEFAULTS.neighbors,
        json: v.json,
        quiet: v.quiet,
      });
    case "drugs": {
      const sub = need(0, "train, predict or predict-pairs");
      if (sub === "train") {
        if (!v.out) throw new UsageError("'drugs train' needs --out <folder>");
        return (await import("./drugs.js")).drugsTrainCommand({
          out: v.out,
          data: v.data,
          splits: !v.split || v.split === "all" ? [...DRUG_SPLITS] : v.split.split(",").map((s) => oneOf(s.trim(), DRUG_SPLITS, "split")!),
          seed: bounded(v.seed, "seed", DRUG_LIMITS.seed) ?? DRUG_DEFAULTS.seed,
          preset: oneOf(v.preset, ["quick", "standard", "thorough"] as const, "preset") ?? DRUG_DEFAULTS.preset,
          epochs: bounded(v.epochs, "epochs", DRUG_LIMITS.epochs),
          omics: v.omics ? v.omics.split(",").map((s) => oneOf<OmicsKind>(s.trim(), OMICS, "omics")!) : [...DRUG_DEFAULTS.omics],
          json: v.json,
          quiet: v.quiet,
        });
      }
      if (sub === "predict") {
        if (!v.out) throw new UsageError("'drugs predict' needs --out <folder>");
        if (!v.groupby) throw new UsageError("'drugs predict' needs --groupby <obs column> (clusters, cell types or samples)");
        return (await import("./drugs.js")).drugsPredictCommand({
          file: need(1, "a dataset file"),
          groupby: v.groupby,
          out: v.out,
          drugs: v.drugs && v.drugs !== "all" ? v.drugs.split(",").map((d) => d.trim()) : undefined,
          smiles: v.smiles ?? [],
          cancerType: v["cancer-type"],
          model: v.model,
          project: v.project,
          json: v.json,
          quiet: v.quiet,
        });
      }
      if (sub === "predict-pairs") {
        if (!v.out) throw new UsageError("'drugs predict-pairs' needs --out <pred.csv>");
        return (await import("./drugs.js")).drugsPredictPairsCommand({
          file: need(1, "a pairs .csv (DepMap_ID, SMILES)"),
          out: v.out,
          model: v.model,
          json: v.json,
        });
      }
      throw new UsageError(`unknown drugs command '${sub}' (train, predict, predict-pairs)`);
    }
    case "scpalm": {
      const sub = need(0, "pretrain, embed or pathways");
      if (!v.out) throw new UsageError(`'scpalm ${sub}' needs --out`);
      if (sub === "pretrain")
        return (await import("./scpalm.js")).scpalmPretrainCommand({
          files: rest.slice(1),
          out: v.out,
          config: v.config ?? "desktop",
          from: v.from,
          seed: num(v.seed, "seed") ?? 0,
          epochs: num(v.epochs, "epochs"),
          json: v.json,
          quiet: v.quiet,
        });
      if (sub === "embed")
        return (await import("./scpalm.js")).scpalmEmbedCommand({
          file: need(1, "a dataset file"),
          out: v.out,
          model: v.model,
          label: v.label,
          batch: v.batch,
          json: v.json,
          quiet: v.quiet,
        });
      if (sub === "pathways")
        return (await import("./scpalm.js")).scpalmPathwaysCommand({
          file: need(1, "a dataset file"),
          out: v.out,
          model: v.model,
          top: num(v.top, "top") ?? 10,
          json: v.json,
          quiet: v.quiet,
        });
      throw new UsageError(`unknown scpalm command '${sub}' (pretrain, embed, pathways)`);
    }
    case "report":
      if (!v.out) throw new UsageError("'report' needs --out <file.pdf>");
      return (await import("./report.js")).reportCommand(need(0, "a run id or a result .h5ad"), {
        out: v.out,
        project: v.project,
        json: v.json,
      });
    case "project": {
      const sub = need(0, "create, list or info");
      const { projectCreate, projectInfoCommand, projectList } = await import("./project.js");
      if (sub === "create") return projectCreate(need(1, "a folder"), v.name, v.json);
      if (sub === "info") return projectInfoCommand(need(1, "a folder"), v.json);
      if (sub === "list") return projectList(rest[1] ?? join((await import("../store/home.js")).studioHome(), "projects"), v.json);
      throw new UsageError(`unknown project command '${sub}' (create, list, info)`);
    }
    default:
      throw new UsageError(`unknown command '${cmd}'; see 'scilama --help'`);
  }
}

run(process.argv.slice(2)).then(
  () => process.exit(EXIT.ok),
  (e: unknown) => {
    const code = exitCodeFor(e);
    process.stderr.write(`error: ${(e as Error).message}\n`);
    if (code === EXIT.internal) process.stderr.write(`${(e as Error).stack ?? ""}\n`);
    process.exit(code);
  },
);
