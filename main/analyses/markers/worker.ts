/** Worker-thread side of `startMarkersJob`: runs the workflow and writes its files; a stop request writes nothing. */

import { serveWorkerJob } from "../../workers/job.js";
import { writeMarkers, writeMarkersView } from "./export.js";
import type { MarkersEvent, MarkersJobOptions, MarkersJobSummary } from "./job.js";
import type { MarkersReportContext } from "./report.js";
import { markers, StoppedError } from "./workflow.js";

/** The workflow's stages in order, for a progress fraction. */
const STAGES = ["reading the result", "markers per group (Wilcoxon)", "gene modules", "enrichment"];

await serveWorkerJob<{ options: MarkersJobOptions; folder: string; context: MarkersReportContext }, MarkersEvent, MarkersJobSummary>(
  async ({ options, folder, context }, emit, shouldStop) => {
    try {
      const r = await markers({
        ...options,
        shouldStop,
        onStage: (stage) => emit({ type: "stage", stage, fraction: Math.max(0, STAGES.indexOf(stage)) / STAGES.length }),
      });
      emit({ type: "stage", stage: "writing tables and the report", fraction: 0.95 });
      const written = { ...writeMarkers(r, folder), ...writeMarkersView(r, folder, context) };
      return { status: "completed", written: { ...written }, quality: r.quality, modules: r.contextual.modules, seconds: r.seconds };
    } catch (e) {
      if (!(e instanceof StoppedError)) throw e;
      return { status: "stopped", written: {}, quality: { markerSets: {}, contextual: null, prior: null }, modules: 0, seconds: {} };
    }
  },
);
