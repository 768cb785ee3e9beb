/** Worker-thread side of `startIntegrateJob`: runs the workflow, writes the result, reports stages and progress. */
import { serveWorkerJob } from "../../workers/job.js";
import { writeIntegration } from "./export.js";
import type { IntegrateEvent, IntegrateJobOptions, IntegrationSummary } from "./job.js";
import { integrate } from "./workflow.js";

await serveWorkerJob<{ options: IntegrateJobOptions; out: string }, IntegrateEvent, IntegrationSummary>(
  async ({ options, out }, emit, shouldStop) => {
    const r = await integrate({
      ...options,
      shouldStop,
      onStage: (stage) => emit({ type: "stage", stage }),
      onProgress: (variant, progress, fraction) => emit({ type: "progress", variant, progress, fraction }),
    });
    const written = r.status === "completed" ? writeIntegration(r, out) : null;
    const c = r.coverage;
    return {
      status: r.status,
      metrics: r.metrics,
      skippedBaselines: r.skippedBaselines,
      seconds: r.seconds,
      provider: r.main.provider,
      fallbackReason: r.main.fallbackReason,
      coverage: { datasetGenes: c.datasetGenes, covered: c.covered.length, dropped: c.dropped, fraction: c.fraction, byPrior: c.byPrior },
      modelledGenes: r.genes.length,
      written,
    };
  },
);
