/**
 * The integration as the lifecycle runs it: the worker trains, scores and writes the result files (`worker.ts`); the
 * caller gets stages, training progress and this summary, and the project records it (`export.ts`).
 */
import { join } from "node:path";
import { present } from "../../io/inputs.js";
import { SettingError } from "../../isomorphic/limits.js";
import { readScPaLMMeta } from "../../models/scpalm-files.js";
import { readPrior } from "../../priors/index.js";
import { groupColumnProblem, readCellColumns } from "../columns.js";
import type { Analysis } from "../lifecycle.js";
import { MODEL_FILE, noModelIn } from "../scpalm/pretrain.js";
import { type IntegrationInput, type IntegrationSummary, integrationFiles, recordIntegration } from "./export.js";
import { priorInputs } from "./gene-inputs.js";

export type { IntegrationInput, IntegrationSummary };

/** A stop before the chosen model is trained keeps nothing; during the baselines the result is written with the
 *  rows scored so far. */
export const INTEGRATION: Analysis<IntegrationInput, IntegrationSummary> = {
  kind: "integrate",
  worker: new URL("./worker.js", import.meta.url),
  inputs: (o) => [
    ...o.files.map((path) => ({ path, what: "the dataset", kind: "dataset" as const })),
    ...priorInputs(o.prior),
    ...(o.scpalmModel ? present({ path: join(o.scpalmModel.folder, MODEL_FILE), what: "the scPaLM model", kind: "file" }) : []),
  ],
  files: ({ out }) => ({
    writes: Object.values(integrationFiles(out)),
    makesFolder: false,
  }),
  // Prior files must parse (a DataError says where not). The batch and label columns must exist in every file and
  // group its cells (a single value, a measurement such as nCount_RNA or one group per cell would silently give no
  // metric or one batch per value). A chosen scPaLM model must exist and be sound, and its embedding be asked for.
  check: async ({ files, names, batch, label, prior, baselines, scpalmModel }) => {
    if (typeof prior === "object") for (const p of prior.priors) if (p !== "bundled") await readPrior(p.file);
    if (scpalmModel) {
      const noModel = noModelIn(scpalmModel.folder);
      if (noModel) throw new SettingError(noModel);
      readScPaLMMeta(join(scpalmModel.folder, MODEL_FILE)); // a damaged model file is refused before training
      if (!baselines.includes("scpalm"))
        throw new SettingError("an scPaLM model was chosen but the scPaLM embedding (baseline 'scpalm') was not");
    }
    if (!batch && !label) return;
    const frames = await readCellColumns(files, names);
    const problems = [
      batch ? groupColumnProblem("batch", batch, frames, "batchNote") : null,
      label ? groupColumnProblem("label", label, frames, "labelNote") : null,
    ].filter((p) => p !== null);
    if (problems.length) throw new SettingError(problems.join("; "));
  },
  record: recordIntegration,
};
