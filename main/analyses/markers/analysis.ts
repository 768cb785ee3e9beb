/**
 * The markers analysis as the lifecycle runs it: the worker finds modules and markers and writes the tables, the view,
 * the report's HTML (and, when asked, its PDF) into a folder (`worker.ts`); the caller gets stages and this summary,
 * and the project records it (`export.ts`).
 */
import type { Analysis } from "../lifecycle.js";
import { type MarkersJobSummary, recordMarkers } from "./export.js";
import type { MarkersReportContext } from "./report.js";
import type { MarkersOptions } from "./workflow.js";

export type { MarkersJobSummary };

export interface MarkersInput {
  options: Omit<MarkersOptions, "markerSets">;
  folder: string;
  context: MarkersReportContext;
  /** Also print the report as PDF (report.pdf) with Chromium; the app prints on demand instead. */
  pdf: boolean;
}

export const MARKERS: Analysis<MarkersInput, MarkersJobSummary> = {
  kind: "markers",
  worker: new URL("./worker.ts", import.meta.url),
  record: recordMarkers,
};
