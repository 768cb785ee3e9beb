/** Worker-thread side of scPaLM's runs: trains a model or reads a dataset's pathway tokens, then writes the files; a
 *  stopped training keeps its checkpoints and writes nothing else. */
import { serveAnalysis } from "../serve.js";
import { type ScPaLMInput, type ScPaLMJobSummary, writePathways, writeTraining } from "./export.js";
import { pathwaysWorkflow, trainWorkflow } from "./workflow.js";

await serveAnalysis<ScPaLMInput, ScPaLMJobSummary>(async ({ options, out, context }, hooks) => {
  if (options.mode === "train") {
    const trained = await trainWorkflow(options, out, hooks);
    hooks.emit?.({ type: "stage", stage: "writing the report", fraction: 0.98 });
    return writeTraining(trained, out, context);
  }
  const r = await pathwaysWorkflow(options, hooks);
  hooks.emit?.({ type: "stage", stage: "writing tables and the report", fraction: 0.95 });
  return writePathways(r, options, out, context);
});
