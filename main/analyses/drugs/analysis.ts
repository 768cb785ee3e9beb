/**
 * The drug-response prediction as the lifecycle runs it: the worker loads the bundled ensemble, predicts every group ×
 * drug and writes the files (`worker.ts`); the caller gets the stages and the summary, and the project records it
 * (`export.ts`).
 */
import { SettingError } from "../../isomorphic/limits.js";
import type { Analysis } from "../lifecycle.js";
import { loadReference } from "./bundle.js";
import { type DrugInput, type DrugSummary, drugFiles, recordDrugResponse } from "./export.js";
import { preparePrediction } from "./predict.js";
import { PREDICT_LIMITS } from "./settings.js";

export type { DrugInput, DrugSummary };

export const DRUG_RESPONSE: Analysis<DrugInput, DrugSummary> = {
  kind: "drug-response",
  worker: new URL("./worker.js", import.meta.url),
  inputs: (o) => [
    { path: o.file, what: "the dataset", kind: "dataset" },
    ...(o.model ? [{ path: o.model, what: "the model folder", kind: "folder" as const }] : []),
  ],
  files: ({ folder, view, report }) => ({
    writes: Object.values(drugFiles(folder, view !== null, report !== null)),
    makesFolder: true,
  }),
  // Everything the prediction refuses before the model runs — drug names, SMILES, the cancer type, the grouping (one
  // group), too few of the model's genes — is refused here in the engine's own words, before a run is recorded.
  check: async (o) => {
    const L = PREDICT_LIMITS;
    const molecules = o.molecules?.length ?? 0;
    if (molecules > L.molecules.max)
      throw new SettingError(`${molecules} molecules were given; at most ${L.molecules.max} can be predicted in one run`);
    const { profiles } = await preparePrediction(loadReference(o.model), o);
    const groups = profiles.groups.length;
    if (groups > L.groups.max)
      throw new SettingError(
        `the grouping '${o.groupby}' has ${groups.toLocaleString("en")} groups; at most ${L.groups.max} can be compared in one run — choose clusters, cell types or samples`,
      );
  },
  record: recordDrugResponse,
};
