/**
 * scPaLM as the lifecycle runs it, in two modes: a training (pre-training or fine-tuning, resumable from its
 * checkpoints) and the pathway tokens of a dataset through a model. The worker runs the workflow and writes the files
 * (`worker.ts`); the caller gets stages, training progress and the summary, and the project records it (`export.ts`).
 */
import { join } from "node:path";
import { SettingError } from "../../isomorphic/limits.js";
import { validateScPaLMHyper } from "../../models/scpalm-hyper.js";
import type { Analysis } from "../lifecycle.js";
import { recordScPaLM, type ScPaLMInput, type ScPaLMJobSummary, scpalmFiles } from "./export.js";
import { MODEL_FILE, noModelIn } from "./pretrain.js";
import { checkpointFiles } from "./workflow.js";

export type { ScPaLMInput, ScPaLMJobSummary };

export const SCPALM: Analysis<ScPaLMInput, ScPaLMJobSummary> = {
  kind: "scpalm",
  worker: new URL("./worker.js", import.meta.url),
  files: ({ options: o, out }) => ({
    reads: o.mode === "train" ? [...o.files, ...(o.from ? [join(o.from, MODEL_FILE)] : [])] : [o.file, join(o.model, MODEL_FILE)],
    writes: Object.values(scpalmFiles(o.mode, out)),
    makesFolder: true,
  }),
  // The configuration must fit together, the models must exist, a resume must have checkpoints to resume from; that
  // the datasets share enough genes with a model's vocabulary is refused by the job, once it has read them.
  check: async (o) => {
    const problems: string[] = [];
    if (o.mode === "train") {
      if (!o.files.length) problems.push("training needs at least one dataset");
      try {
        validateScPaLMHyper(o.hyper);
      } catch (e) {
        problems.push((e as Error).message);
      }
      const noFrom = o.from ? noModelIn(o.from) : null;
      if (noFrom) problems.push(noFrom);
      if (o.resume && !checkpointFiles(o.resume).length) problems.push(`there are no checkpoints to resume from in ${o.resume}`);
    } else {
      const noModel = noModelIn(o.model);
      if (noModel) problems.push(noModel);
    }
    if (problems.length) throw new SettingError(problems.join("; "));
  },
  record: recordScPaLM,
};
