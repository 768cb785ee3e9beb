/** Worker-thread side of `startIntegrateJob`: runs the workflow, writes the result, posts stages, progress, summary. */
import { parentPort, workerData } from "node:worker_threads";
import { DataError } from "../io/errors.js";
import { integrate } from "./integrate.js";
import { writeIntegration } from "./integrate-export.js";
import type { IntegrateJobOptions, IntegrateWorkerMessage } from "./integrate-job.js";

const { options, out, stop } = workerData as { options: IntegrateJobOptions; out: string; stop: SharedArrayBuffer };
const flag = new Int32Array(stop);
const post = (m: IntegrateWorkerMessage) => parentPort!.postMessage(m);

try {
  const r = await integrate({
    ...options,
    shouldStop: () => Atomics.load(flag, 0) === 1,
    onStage: (stage) => post({ type: "stage", stage }),
    onProgress: (variant, progress, fraction) => post({ type: "progress", variant, progress, fraction }),
  });
  const written = r.status === "completed" ? writeIntegration(r, out) : null;
  const c = r.coverage;
  post({
    type: "done",
    summary: {
      status: r.status,
      metrics: r.metrics,
      skippedBaselines: r.skippedBaselines,
      seconds: r.seconds,
      provider: r.main.provider,
      fallbackReason: r.main.fallbackReason,
      coverage: { datasetGenes: c.datasetGenes, covered: c.covered.length, dropped: c.dropped, fraction: c.fraction, byPrior: c.byPrior },
      modelledGenes: r.genes.length,
      written,
    },
  });
} catch (e) {
  post({
    type: "error",
    message: e instanceof Error ? e.message : String(e),
    ...(e instanceof DataError
      ? { data: { file: e.file, expected: e.expected, found: e.found, ...(e.hint ? { hint: e.hint } : {}) } }
      : {}),
  });
}
