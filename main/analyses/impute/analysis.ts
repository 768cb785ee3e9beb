/**
 * The imputation as the lifecycle runs it: the worker reads, trains, scores and writes the result files (`worker.ts`);
 * the caller gets stages, training progress and the summary, and the project records it (`export.ts`).
 */
import { basename } from "node:path";
import type { Matrix } from "../../data/dataset.js";
import { readDataset } from "../../io/read.js";
import { SettingError } from "../../isomorphic/limits.js";
import { expressionOf } from "../../pp/expression.js";
import { readPrior } from "../../priors/index.js";
import { GeneInputs, type PriorChoice, priorInputs } from "../integrate/gene-inputs.js";
import type { Analysis } from "../lifecycle.js";
import { MIN_DENOISE_CELLS, maskProblem } from "./denoise.js";
import { type ImputeInput, type ImputeSummary, imputeFiles, recordImputation } from "./export.js";
import { chooseGenes, placeableByPrior } from "./genes.js";

export type { ImputeInput, ImputeSummary };

/** The genes and cell count of the expression an analysis would use from `file`. */
async function expressionShape(file: string): Promise<{ genes: string[]; cells: number; matrix: Matrix }> {
  const { dataset } = await readDataset(file);
  const e = expressionOf(dataset, file);
  return { genes: e.genes, cells: e.matrix.nRows, matrix: e.matrix };
}

/** The priors (each file must parse), and which of `genes` they cover. */
async function priorCoverage(prior: PriorChoice, genes: readonly string[], alsoBundled: boolean) {
  if (typeof prior === "object") for (const p of prior.priors) if (p !== "bundled") await readPrior(p.file);
  const inputs = await GeneInputs.load(prior, alsoBundled);
  const covered = new Uint8Array(genes.length);
  for (const i of inputs.coverage(genes).covered) covered[i] = 1;
  return { inputs, covered };
}

export const IMPUTATION: Analysis<ImputeInput, ImputeSummary> = {
  kind: "impute",
  worker: new URL("./worker.js", import.meta.url),
  inputs: (o) => [
    ...(o.mode === "panel"
      ? [
          { path: o.reference, what: "the reference", kind: "dataset" as const },
          { path: o.target, what: "the target", kind: "dataset" as const },
        ]
      : [{ path: o.file, what: "the dataset", kind: "dataset" as const }]),
    ...priorInputs(o.prior),
  ],
  files: ({ out }) => ({
    writes: Object.values(imputeFiles(out)),
    makesFolder: false,
  }),
  // Everything the gene names and cell counts can tell is refused here, in the words the run itself would use.
  check: async (o) => {
    if (o.mode === "dropouts") {
      const { genes, cells, matrix } = await expressionShape(o.file);
      const { covered } = await priorCoverage(o.prior, genes, false);
      const problems = [];
      if (cells < MIN_DENOISE_CELLS)
        problems.push(`${basename(o.file)} has ${cells} cells; dropout imputation needs at least ${MIN_DENOISE_CELLS}`);
      if (covered.reduce((n, c) => n + c, 0) < 2) problems.push(`the prior covers fewer than 2 of ${basename(o.file)}'s genes`);
      const mask = problems.length ? null : maskProblem(basename(o.file), matrix, covered, o.mask, o.nonzero);
      if (mask) problems.push(mask);
      if (problems.length) throw new SettingError(problems.join("; "));
      return;
    }
    const ref = await expressionShape(o.reference);
    const tgt = await expressionShape(o.target);
    const { inputs, covered } = await priorCoverage(o.prior, ref.genes, o.baselines.includes("shuffled"));
    const priorCovers = placeableByPrior(inputs);
    chooseGenes({
      referenceGenes: ref.genes,
      targetGenes: tgt.genes,
      targetCells: tgt.cells,
      covered,
      panel: o.panel ?? null,
      genes: o.genes ?? null,
      ...(priorCovers ? { priorCovers } : {}),
    });
  },
  record: recordImputation,
};
