/**
 * The drug-response prediction as the lifecycle runs it: the worker loads the bundled ensemble, predicts every group ×
 * drug and writes the files (`worker.ts`); the caller gets the stages and the summary, and the project records it
 * (`export.ts`).
 */
import { SettingError } from "../../isomorphic/limits.js";
import { groupColumnProblem, readCellColumns } from "../columns.js";
import type { Analysis } from "../lifecycle.js";
import { readModel } from "./bundle.js";
import { type DrugInput, type DrugSummary, drugFiles, recordDrugResponse } from "./export.js";
import { groupCounts, groupingNote } from "./grouping.js";
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
  // Everything the prediction refuses before the model runs — the model folder and its files, the grouping (missing,
  // one group, a measurement, one group per cell), drug names, SMILES (too large for the model: counted before RDKit
  // reads them), the cancer type, too few of the model's genes — is refused here in the engine's own words, before a
  // run is recorded.
  check: async (o) => {
    const L = PREDICT_LIMITS;
    const molecules = o.molecules?.length ?? 0;
    if (molecules > L.molecules.max)
      throw new SettingError(`${molecules} molecules were given; at most ${L.molecules.max} can be predicted in one run`);
    const { reference } = readModel(o.model);
    // A column that is missing, a measurement or one group per cell is the wrong choice of column; one group (or every
    // value missing) is what the data holds, refused by the engine below with why one group cannot be predicted.
    const frames = await readCellColumns([o.file]);
    const column = frames[0]!.obs.columns.get(o.groupby);
    const grouping =
      !column || groupCounts(column).counts.size >= 2 ? groupColumnProblem("grouping", o.groupby, frames, groupingNote) : null;
    if (grouping) throw new SettingError(grouping);
    const { profiles } = await preparePrediction(reference, o);
    const groups = profiles.groups.length;
    if (groups > L.groups.max)
      throw new SettingError(
        `the grouping '${o.groupby}' has ${groups.toLocaleString("en")} groups; at most ${L.groups.max} can be compared in one run — choose clusters, cell types or samples`,
      );
  },
  record: recordDrugResponse,
};
