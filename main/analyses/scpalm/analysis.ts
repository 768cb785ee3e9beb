/**
 * scPaLM as the lifecycle runs it, in two modes: a training (pre-training or fine-tuning, resumable from its
 * checkpoints) and the pathway tokens of a dataset through a model. The worker runs the workflow and writes the files
 * (`worker.ts`); the caller gets stages, training progress and the summary, and the project records it (`export.ts`).
 */
import { basename, join } from "node:path";
import { matrixNnz } from "../../data/dataset.js";
import { DataError } from "../../io/errors.js";
import { present } from "../../io/inputs.js";
import { readDataset } from "../../io/read.js";
import { rangeProblem, SettingError } from "../../isomorphic/limits.js";
import { type CorpusPart, corpusPart, coverageProblem, vocabularyMatch, vocabularyOf } from "../../models/scpalm-corpus.js";
import { readScPaLMMeta } from "../../models/scpalm-files.js";
import { architectureOf, validateScPaLMHyper } from "../../models/scpalm-hyper.js";
import type { Analysis } from "../lifecycle.js";
import { recordScPaLM, type ScPaLMInput, type ScPaLMJobSummary, scpalmFiles } from "./export.js";
import { MODEL_FILE, noModelIn, VOCABULARY_PER_DATASET } from "./pretrain.js";
import { SCPALM_LIMITS, SCPALM_MIN_CELLS } from "./settings.js";
import { checkpointFiles } from "./workflow.js";

/** A refusal about a dataset in the words the user knows it by (the app's name for it, not its stored file). */
function named(e: unknown, part: { file: string; name: string }): unknown {
  const stored = `${basename(part.file)}: `;
  if (e instanceof DataError && part.name !== basename(part.file) && e.message.startsWith(stored))
    e.message = `dataset '${part.name}': ${e.message.slice(stored.length)}`;
  return e;
}

/** A dataset as the job will read it (its expression found and normalised), refused in the user's words. */
async function datasetPart(file: string, name: string): Promise<CorpusPart> {
  try {
    return corpusPart(name, (await readDataset(file)).dataset, file);
  } catch (e) {
    throw named(e, { file, name });
  }
}

/** Refuses the first dataset that measures too few of the vocabulary's genes (the job's own rule, `buildCorpus`). */
function covered(parts: readonly CorpusPart[], vocabulary: readonly string[]): void {
  for (const p of parts) {
    const problem = coverageProblem(p.file, vocabularyMatch(p.genes, vocabulary).measured, vocabulary.length);
    if (problem) throw named(problem, p);
  }
}

export type { ScPaLMInput, ScPaLMJobSummary };

export const SCPALM: Analysis<ScPaLMInput, ScPaLMJobSummary> = {
  kind: "scpalm",
  worker: new URL("./worker.js", import.meta.url),
  inputs: (o) =>
    o.mode === "train"
      ? [
          ...o.files.map((path) => ({ path, what: "the dataset", kind: "dataset" as const })),
          ...(o.from ? present({ path: join(o.from, MODEL_FILE), what: "the model to fine-tune", kind: "file" }) : []),
        ]
      : [
          { path: o.file, what: "the dataset", kind: "dataset" },
          ...present({ path: join(o.model, MODEL_FILE), what: "the scPaLM model", kind: "file" }),
        ],
  files: ({ options: o, out }) => ({
    writes: Object.values(scpalmFiles(o.mode, out)),
    makesFolder: true,
  }),
  // Everything the settings, the model files' headers and the datasets' genes and cell counts can tell is refused
  // here, before a run is recorded or training starts, in the words the job itself would use.
  check: async (o) => {
    const problems: string[] = [];
    if (o.mode === "train") {
      if (!o.files.length) problems.push("training needs at least one dataset");
      try {
        validateScPaLMHyper(o.hyper);
      } catch (e) {
        problems.push((e as Error).message);
      }
      const seed = rangeProblem("seed", o.seed, SCPALM_LIMITS.seed);
      if (seed) problems.push(seed);
      const noFrom = o.from ? noModelIn(o.from) : null;
      if (noFrom) problems.push(noFrom);
      if (o.resume && !checkpointFiles(o.resume).length) problems.push(`there are no checkpoints to resume from in ${o.resume}`);
      if (problems.length) throw new SettingError(problems.join("; "));
      // What the job will train on: the model's vocabulary and architecture when fine-tuning, else the datasets'.
      const base = o.from ? readScPaLMMeta(join(o.from, MODEL_FILE)) : null;
      if (base) validateScPaLMHyper({ ...o.hyper, ...architectureOf(base.hyper) });
      const parts = await Promise.all(o.files.map((f, i) => datasetPart(f, o.names[i] ?? basename(f))));
      const silent = parts.find((p) => matrixNnz(p.lognorm) === 0);
      if (silent)
        throw named(
          new DataError(
            silent.file,
            "expression in some of its cells",
            "every value 0",
            "Check that the file holds the expression matrix (X, layers['counts'] or raw), not an empty one.",
          ),
          silent,
        );
      const vocabulary = base ? base.genes : vocabularyOf(parts, VOCABULARY_PER_DATASET);
      covered(parts, vocabulary);
      const cells = parts.reduce((n, p) => n + p.lognorm.nRows, 0);
      if (cells < SCPALM_MIN_CELLS.train)
        throw named(
          new DataError(
            o.files[0]!,
            `at least ${SCPALM_MIN_CELLS.train} cells to train scPaLM on`,
            `${cells}`,
            "Train on a dataset with more cells.",
          ),
          parts[0]!,
        );
      const tokens = base ? base.hyper.tokens : o.hyper.tokens;
      if (vocabulary.length < tokens)
        throw new SettingError(
          `the datasets give a vocabulary of ${vocabulary.length} genes (each one's ${VOCABULARY_PER_DATASET} most variable, together), fewer than the ${tokens} pathway tokens; choose at most ${vocabulary.length} tokens, or add datasets that measure more genes`,
        );
    } else {
      const top = rangeProblem("top", o.top, SCPALM_LIMITS.top);
      if (top) problems.push(top);
      const noModel = noModelIn(o.model);
      if (noModel) problems.push(noModel);
      if (problems.length) throw new SettingError(problems.join("; "));
      const { genes } = readScPaLMMeta(join(o.model, MODEL_FILE));
      const part = await datasetPart(o.file, o.name);
      covered([part], genes);
      const cells = part.lognorm.nRows;
      if (cells < SCPALM_MIN_CELLS.pathways)
        throw named(
          new DataError(
            o.file,
            `at least ${SCPALM_MIN_CELLS.pathways} cells (pathway tokens are compared across cells, and shown on a map of them)`,
            `${cells}`,
            "Use a dataset with more cells.",
          ),
          part,
        );
    }
  },
  record: recordScPaLM,
};
