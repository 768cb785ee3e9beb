/** Worker-thread side of the integration: runs the workflow, writes the result, reports stages and progress. */
import { serveAnalysis } from "../serve.js";
import { type IntegrationInput, type IntegrationSummary, writeIntegration } from "./export.js";
import { integrate } from "./workflow.js";

await serveAnalysis<IntegrationInput, IntegrationSummary>(async ({ options, out }, hooks) => {
  const r = await integrate(options, hooks);
  const written = writeIntegration(r, out);
  const c = r.coverage;
  return {
    metrics: r.metrics,
    skippedBaselines: r.skippedBaselines,
    seconds: r.seconds,
    provider: r.main.provider,
    fallbackReason: r.main.fallbackReason,
    coverage: { datasetGenes: c.datasetGenes, covered: c.covered.length, dropped: c.dropped, fraction: c.fraction, byPrior: c.byPrior },
    modelledGenes: r.genes.length,
    written,
  };
});
