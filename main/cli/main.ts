/** The `scilama` command line. Every command can print JSON (--json); exit codes are listed in README.md. */

// The commands are a table (`commands.ts`), each declaring what it reads and writes; this checks that before any runs.
import { parseArgs } from "node:util";
import { DRUG_DEFAULTS, OMICS } from "../analyses/drugs/settings.js";
import { checkFiles } from "../analyses/files.js";
import { IMPUTE_DEFAULTS, PANEL_BASELINES } from "../analyses/impute/settings.js";
import { BASELINES, INTEGRATION_DEFAULTS, PRESET_NAMES, SCALINGS } from "../analyses/integrate/settings.js";
import { MARKERS_DEFAULTS } from "../analyses/markers/settings.js";
import { checkInputs } from "../io/inputs.js";
import { projectClaims } from "../store/runs.js";
import { findCommand, OPTIONS, subcommands } from "./commands.js";
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
Exit codes: 0 ok · 1 internal error · 2 usage · 3 bad input data · 4 project problem · 5 disk full · 130 stopped (Ctrl-C).`;

async function run(argv: string[]): Promise<void> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: v, positionals: pos } = parsed;
  if (v.help || !pos.length) {
    process.stdout.write(`${HELP}\n`);
    if (!pos.length && !v.help) throw new UsageError("no command given");
    return;
  }
  const found = findCommand(pos);
  if (!found) {
    const subs = subcommands(pos[0]!);
    if (!subs.length) throw new UsageError(`unknown command '${pos[0]}'; see 'scilama --help'`);
    if (pos[1] === undefined) throw new UsageError(`'${pos[0]}' needs ${subs.join(", ")}`);
    throw new UsageError(`unknown ${pos[0]} command '${pos[1]}' (${subs.join(", ")})`);
  }
  const args = { v, pos: found.rest };
  // What the command reads and writes is checked before it runs: nothing it names is opened before then.
  const files = await found.command.files(args);
  checkInputs(files.reads);
  checkFiles(files, files.reads, null, args.v.project ? projectClaims(args.v.project) : []);
  return found.command.run(args);
}

run(process.argv.slice(2)).then(
  () => process.exit(EXIT.ok),
  (e: unknown) => {
    const code = exitCodeFor(e);
    process.stderr.write(`${code === EXIT.interrupted ? "stopped" : "error"}: ${(e as Error).message}\n`);
    if (code === EXIT.internal) process.stderr.write(`${(e as Error).stack ?? ""}\n`);
    process.exit(code);
  },
);
