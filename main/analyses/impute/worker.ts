/** Worker-thread side of the imputation: runs the chosen mode, writes the result, reports stages and progress. */
import { serveAnalysis } from "../serve.js";
import { imputeDropouts } from "./denoise.js";
import { type ImputeInput, type ImputeSummary, writeImputation } from "./export.js";
import { imputePanel } from "./panel.js";

await serveAnalysis<ImputeInput, ImputeSummary>(async ({ options, out }, hooks) => {
  const common = { methods: [], recommended: {}, coverage: null, dropouts: [], scpalm: null, masked: 0, maskedZeros: 0 };
  if (options.mode === "panel") {
    const r = await imputePanel(options, hooks);
    hooks.emit?.({ type: "stage", stage: "writing the result", fraction: 0.97 });
    return {
      ...common,
      mode: "panel",
      methods: r.methods,
      recommended: r.recommended,
      coverage: r.genes.coverage,
      clipped: r.clipped,
      provider: r.provider,
      fallbackReason: r.fallbackReason,
      seconds: r.seconds,
      written: writeImputation({ mode: "panel", result: r }, out),
    };
  }
  const r = await imputeDropouts(options, hooks);
  hooks.emit?.({ type: "stage", stage: "writing the result", fraction: 0.97 });
  return {
    ...common,
    mode: "dropouts",
    dropouts: r.rows,
    scpalm: r.scpalm,
    masked: r.masked,
    maskedZeros: r.maskedZeros,
    clipped: r.clipped,
    provider: r.provider,
    fallbackReason: r.fallbackReason,
    seconds: r.seconds,
    written: writeImputation({ mode: "dropouts", result: r }, out),
  };
});
