/**
 * The command line's commands, one table: each command declares the files it reads and writes from its flags and
 * arguments (`files`), and `main.ts` checks them — inputs are what they should be and none of a project's database
 * files, outputs overwrite nothing the user or a project keeps — before the command runs. A command cannot be added
 * without saying what it touches; `refusals-commands.test.ts` runs every one against the dangerous targets.
 *
 * Each command's module is imported only when that command runs (or its outputs are named): loading them all
 * (onnxruntime, scran.js, h5wasm, Chromium's driver, echarts) cost ~8 s of CPU before even `--help` could print.
 */
import { join } from "node:path";
import type { parseArgs } from "node:util";
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
import { SCPALM_DEFAULTS, SCPALM_LIMITS } from "../analyses/scpalm/settings.js";
import type { Format } from "../io/detect.js";
import { type Input, present, TEXT_LIMITS } from "../io/inputs.js";
import type { Orientation } from "../io/table.js";
import { SCPALM_CONFIGS } from "../models/scpalm-hyper.js";
import { baselineList, bounded, num, oneOf } from "./flags.js";
import { UsageError } from "./output.js";

export const OPTIONS = {
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
  seed: { type: "string" },
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

export type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

/** A command's flags and its positional arguments (after the command's own words). */
export interface Args {
  v: Flags;
  pos: string[];
}

/** What a command reads and writes, checked before it runs. */
export interface CommandFiles {
  reads: readonly Input[];
  writes: readonly string[];
  /** The command creates the writes' folder when it is missing (a folder output). */
  makesFolder: boolean;
}

export interface Command {
  /** Its words on the command line: `inspect`, `drugs predict-pairs`. */
  name: string;
  files(a: Args): CommandFiles | Promise<CommandFiles>;
  run(a: Args): Promise<void>;
}

/** The `i`-th positional argument, or a usage error saying what the command needs there. */
function arg(a: Args, i: number, command: string, what: string): string {
  const v = a.pos[i];
  if (v === undefined) throw new UsageError(`'${command}' needs ${what}`);
  return v;
}

function flag(a: Args, name: keyof Flags, command: string, what: string): string {
  const v = a.v[name];
  if (typeof v !== "string") throw new UsageError(`'${command}' needs --${name} ${what}`);
  return v;
}

const NOTHING: CommandFiles = { reads: [], writes: [], makesFolder: false };
const dataset = (path: string, what = "the dataset"): Input => ({ path, what, kind: "dataset" });
const folderInput = (path: string, what: string): Input => ({ path, what, kind: "folder" });
/** A flag that is a small text file when it names one (a gene list), else a value. */
const listFile = (v: string | undefined, what: string): Input[] =>
  v !== undefined ? present({ path: v, what, kind: "file", maxBytes: TEXT_LIMITS.list }) : [];
const priorFiles = (v: Flags): Input[] =>
  (v.prior ?? [])
    .filter((p) => !["bundled", "self", "random", "shuffled"].includes(p))
    .map((path) => ({ path, what: "--prior", kind: "file" }));
const isRunId = (v: string) => /^\d+$/.test(v);
const formatOf = (v: Flags) => oneOf(v.format, ["h5ad", "10x-h5", "10x-mtx", "table"] as const satisfies readonly Format[], "format");
const orientationOf = (v: Flags) =>
  oneOf(v.orientation, ["genes-by-cells", "cells-by-genes"] as const satisfies readonly Orientation[], "orientation");

/** The scPaLM settings flags, within the API's limits. */
const scpalmSeed = (v: Flags) => bounded(v.seed, "seed", SCPALM_LIMITS.seed) ?? SCPALM_DEFAULTS.seed;
const scpalmModel = async (folder: string | undefined, what: string): Promise<Input[]> => {
  const { bundledScPaLMFolder, MODEL_FILE } = await import("../analyses/scpalm/pretrain.js");
  const at = folder ?? bundledScPaLMFolder();
  return present(folderInput(at, what), { path: join(at, MODEL_FILE), what, kind: "file" });
};

export const COMMANDS: readonly Command[] = [
  {
    name: "start",
    files: () => NOTHING,
    run: async ({ v }) => (await import("./start.js")).startCommand({ browser: v.browser, port: num(v.port, "port"), open: !v["no-open"] }),
  },
  {
    name: "inspect",
    files: (a) => ({ ...NOTHING, reads: [dataset(arg(a, 0, "inspect", "a file"), "the file")] }),
    run: async (a) =>
      (await import("./inspect.js")).inspectCommand(a.pos[0]!, { format: formatOf(a.v), orientation: orientationOf(a.v), json: a.v.json }),
  },
  {
    name: "import",
    files: (a) => {
      flag(a, "project", "import", "<dir>");
      return { ...NOTHING, reads: [dataset(arg(a, 0, "import", "a file"), "the file to import")] };
    },
    run: async ({ v, pos }) =>
      (await import("./project.js")).importCommand(pos[0]!, v.project!, {
        name: v.name,
        json: v.json,
        quiet: v.quiet,
        format: formatOf(v) as never,
        orientation: orientationOf(v) as never,
      }),
  },
  {
    name: "preprocess",
    files: (a) => ({
      reads: [dataset(arg(a, 0, "preprocess", "a file"))],
      writes: [flag(a, "out", "preprocess", "<file.h5ad>")],
      makesFolder: false,
    }),
    run: async ({ v, pos }) =>
      (await import("./preprocess.js")).preprocessCommand(pos[0]!, v.out!, {
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
      }),
  },
  {
    name: "integrate",
    files: async (a) => {
      const out = flag(a, "out", "integrate", "<result.h5ad>");
      if (!a.pos.length) throw new UsageError("'integrate' needs at least one dataset file");
      const { integrationFiles } = await import("../analyses/integrate/export.js");
      return {
        reads: [...a.pos.map((f) => dataset(f)), ...priorFiles(a.v), ...(await scpalmModel(a.v["scpalm-model"], "--scpalm-model"))],
        writes: Object.values(integrationFiles(out)),
        makesFolder: false,
      };
    },
    run: async ({ v, pos }) =>
      (await import("./integrate.js")).integrateCommand(pos, {
        out: v.out!,
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
      }),
  },
  {
    name: "impute",
    files: async (a) => {
      const out = flag(a, "out", "impute", "<result.h5ad>");
      if (a.pos.length) throw new UsageError(`'impute' takes its files as --reference/--target or --dropouts, not '${a.pos[0]}'`);
      const { imputeFiles } = await import("../analyses/impute/export.js");
      const { v } = a;
      return {
        reads: [
          ...(v.reference ? [dataset(v.reference, "--reference")] : []),
          ...(v.target ? [dataset(v.target, "--target")] : []),
          ...(v.dropouts ? [dataset(v.dropouts, "--dropouts")] : []),
          ...listFile(v.panel, "--panel"),
          ...(v.genes !== "all" ? listFile(v.genes, "--genes") : []),
          ...priorFiles(v),
        ],
        writes: Object.values(imputeFiles(out)),
        makesFolder: false,
      };
    },
    run: async ({ v }) => {
      const evaluation = v.evaluate === undefined ? IMPUTE_DEFAULTS.evaluation : parseEvaluation(v.evaluate);
      if (!evaluation)
        throw new UsageError(
          `--evaluate must be kfold:K (K from ${IMPUTE_LIMITS.folds.min} to ${IMPUTE_LIMITS.folds.max}), logo or none; got '${v.evaluate}'`,
        );
      return (await import("./impute.js")).imputeCommand({
        out: v.out!,
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
    },
  },
  {
    name: "markers",
    files: async (a) => {
      const out = flag(a, "out", "markers", "<folder>");
      const what = arg(a, 0, "markers", "a result .h5ad or a run id");
      const { markersFiles } = await import("../analyses/markers/export.js");
      return {
        reads: [
          ...(isRunId(what) ? [] : [{ path: what, what: "the integration result", kind: "file" as const }]),
          ...(a.v.gmt ?? []).map((path) => ({ path, what: "--gmt", kind: "file" as const, maxBytes: TEXT_LIMITS.geneSets })),
        ],
        writes: markersFiles(out, true),
        makesFolder: true,
      };
    },
    run: async ({ v, pos }) => {
      if (!v.groupby) throw new UsageError("'markers' needs --groupby <obs column> (e.g. the cell types or the Leiden clusters)");
      return (await import("./markers.js")).markersCommand(pos[0]!, {
        groupby: v.groupby,
        out: v.out!,
        project: v.project,
        gmt: v.gmt ?? [],
        resolution: bounded(v.resolution, "resolution", MARKERS_LIMITS.resolution) ?? MARKERS_DEFAULTS.resolution,
        neighbors: bounded(v.neighbors, "neighbors", MARKERS_LIMITS.neighbors) ?? MARKERS_DEFAULTS.neighbors,
        json: v.json,
        quiet: v.quiet,
      });
    },
  },
  {
    name: "drugs train",
    files: async (a) => {
      const out = flag(a, "out", "drugs train", "<folder>");
      const { drugDataDir } = await import("./drugs.js");
      return {
        reads: [folderInput(drugDataDir(a.v.data), "--data")],
        writes: [...DRUG_SPLITS.map((s) => join(out, `model-${s}.safetensors`)), join(out, "metrics.csv"), join(out, "per-drug.csv")],
        makesFolder: true,
      };
    },
    run: async ({ v }) =>
      (await import("./drugs.js")).drugsTrainCommand({
        out: v.out!,
        data: v.data,
        splits: !v.split || v.split === "all" ? [...DRUG_SPLITS] : v.split.split(",").map((s) => oneOf(s.trim(), DRUG_SPLITS, "split")!),
        seed: bounded(v.seed, "seed", DRUG_LIMITS.seed) ?? DRUG_DEFAULTS.seed,
        preset: oneOf(v.preset, ["quick", "standard", "thorough"] as const, "preset") ?? DRUG_DEFAULTS.preset,
        epochs: bounded(v.epochs, "epochs", DRUG_LIMITS.epochs),
        omics: v.omics ? v.omics.split(",").map((s) => oneOf<OmicsKind>(s.trim(), OMICS, "omics")!) : [...DRUG_DEFAULTS.omics],
        json: v.json,
        quiet: v.quiet,
      }),
  },
  {
    name: "drugs predict",
    files: async (a) => {
      const out = flag(a, "out", "drugs predict", "<folder>");
      const { drugFiles } = await import("../analyses/drugs/export.js");
      return {
        reads: [dataset(arg(a, 0, "drugs predict", "a dataset file")), ...(a.v.model ? present(folderInput(a.v.model, "--model")) : [])],
        writes: Object.values(drugFiles(out, a.v.project !== undefined, true)),
        makesFolder: true,
      };
    },
    run: async ({ v, pos }) => {
      if (!v.groupby) throw new UsageError("'drugs predict' needs --groupby <obs column> (clusters, cell types or samples)");
      return (await import("./drugs.js")).drugsPredictCommand({
        file: pos[0]!,
        groupby: v.groupby,
        out: v.out!,
        drugs: v.drugs && v.drugs !== "all" ? v.drugs.split(",").map((d) => d.trim()) : undefined,
        smiles: v.smiles ?? [],
        cancerType: v["cancer-type"],
        model: v.model,
        project: v.project,
        json: v.json,
        quiet: v.quiet,
      });
    },
  },
  {
    name: "drugs predict-pairs",
    files: (a) => ({
      reads: [
        {
          path: arg(a, 0, "drugs predict-pairs", "a pairs .csv (DepMap_ID, SMILES)"),
          what: "the pairs file",
          kind: "file",
          maxBytes: TEXT_LIMITS.table,
        },
        ...(a.v.model ? present(folderInput(a.v.model, "--model")) : []),
      ],
      writes: [flag(a, "out", "drugs predict-pairs", "<pred.csv>")],
      makesFolder: false,
    }),
    run: async ({ v, pos }) =>
      (await import("./drugs.js")).drugsPredictPairsCommand({ file: pos[0]!, out: v.out!, model: v.model, json: v.json }),
  },
  {
    name: "scpalm pretrain",
    files: async (a) => {
      const out = flag(a, "out", "scpalm pretrain", "<model folder>");
      const { scpalmFiles } = await import("../analyses/scpalm/export.js");
      const config = a.v.config;
      return {
        reads: [
          ...a.pos.map((f) => dataset(f)),
          ...(config !== undefined && !Object.hasOwn(SCPALM_CONFIGS, config)
            ? present({ path: config, what: "--config", kind: "file", maxBytes: TEXT_LIMITS.settings })
            : []),
          ...(a.v.from ? await scpalmModel(a.v.from, "--from") : []),
        ],
        writes: Object.values(scpalmFiles("train", out)),
        makesFolder: true,
      };
    },
    run: async ({ v, pos }) =>
      (await import("./scpalm.js")).scpalmPretrainCommand({
        files: pos,
        out: v.out!,
        config: v.config ?? SCPALM_DEFAULTS.config,
        from: v.from,
        seed: scpalmSeed(v),
        epochs: bounded(v.epochs, "epochs", SCPALM_LIMITS.epochs),
        json: v.json,
        quiet: v.quiet,
      }),
  },
  {
    name: "scpalm embed",
    files: async (a) => {
      const out = flag(a, "out", "scpalm embed", "<result.h5ad>");
      const { embedFiles } = await import("./scpalm.js");
      return {
        reads: [dataset(arg(a, 0, "scpalm embed", "a dataset file")), ...(await scpalmModel(a.v.model, "--model"))],
        writes: embedFiles(out),
        makesFolder: false,
      };
    },
    run: async ({ v, pos }) =>
      (await import("./scpalm.js")).scpalmEmbedCommand({
        file: pos[0]!,
        out: v.out!,
        model: v.model,
        label: v.label,
        batch: v.batch,
        json: v.json,
        quiet: v.quiet,
      }),
  },
  {
    name: "scpalm pathways",
    files: async (a) => {
      const out = flag(a, "out", "scpalm pathways", "<folder>");
      const { scpalmFiles } = await import("../analyses/scpalm/export.js");
      return {
        reads: [dataset(arg(a, 0, "scpalm pathways", "a dataset file")), ...(await scpalmModel(a.v.model, "--model"))],
        writes: Object.values(scpalmFiles("pathways", out)),
        makesFolder: true,
      };
    },
    run: async ({ v, pos }) =>
      (await import("./scpalm.js")).scpalmPathwaysCommand({
        file: pos[0]!,
        out: v.out!,
        model: v.model,
        top: bounded(v.top, "top", SCPALM_LIMITS.top) ?? SCPALM_DEFAULTS.top,
        json: v.json,
        quiet: v.quiet,
      }),
  },
  {
    name: "report",
    files: (a) => {
      const what = arg(a, 0, "report", "a run id or a result .h5ad");
      return {
        reads: isRunId(what) ? [] : [{ path: what, what: "the result", kind: "file" }],
        writes: [flag(a, "out", "report", "<file.pdf>")],
        makesFolder: false,
      };
    },
    run: async ({ v, pos }) => (await import("./report.js")).reportCommand(pos[0]!, { out: v.out!, project: v.project, json: v.json }),
  },
  {
    name: "project create",
    // The project's folder is made (it must be new or empty): its database is the one file named here.
    files: (a) => ({ ...NOTHING, writes: [join(arg(a, 0, "project create", "a folder"), "project.sqlite")], makesFolder: true }),
    run: async ({ v, pos }) => (await import("./project.js")).projectCreate(pos[0]!, v.name, v.json),
  },
  {
    name: "project info",
    // The folder is the project's own concern: anything that is not a project there is refused as such (exit 4).
    files: (a) => {
      arg(a, 0, "project info", "a folder");
      return NOTHING;
    },
    run: async ({ v, pos }) => (await import("./project.js")).projectInfoCommand(pos[0]!, v.json),
  },
  {
    name: "project list",
    // A root that is not there holds no projects; one that is must be a folder.
    files: (a) => ({ ...NOTHING, reads: a.pos[0] ? present(folderInput(a.pos[0], "the projects folder")) : [] }),
    run: async ({ v, pos }) =>
      (await import("./project.js")).projectList(pos[0] ?? join((await import("../store/home.js")).studioHome(), "projects"), v.json),
  },
];

/** The command that `words` (the positionals) name, and the arguments after its words; null when none does. */
export function findCommand(words: readonly string[]): { command: Command; rest: string[] } | null {
  for (const n of [2, 1]) {
    const name = words.slice(0, n).join(" ");
    const command = COMMANDS.find((c) => c.name === name);
    if (command && words.length >= n) return { command, rest: words.slice(n) };
  }
  return null;
}

/** The sub-commands of a command group (`drugs` → train, predict, predict-pairs). */
export const subcommands = (group: string) =>
  COMMANDS.filter((c) => c.name.startsWith(`${group} `)).map((c) => c.name.slice(group.length + 1));
