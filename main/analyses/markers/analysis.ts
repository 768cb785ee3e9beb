/**
 * The markers analysis as the lifecycle runs it: the worker finds modules and markers and writes the tables, the view,
 * the report's HTML (and, when asked, its PDF) into a folder (`worker.ts`); the caller gets stages and this summary,
 * and the project records it (`export.ts`).
 */
import { readGmt } from "../../analysis/enrichment.js";
import { TEXT_LIMITS } from "../../io/inputs.js";
import { SettingError } from "../../isomorphic/limits.js";
import { groupColumnProblem, readCellColumns } from "../columns.js";
import type { Analysis } from "../lifecycle.js";
import { type MarkersInput, type MarkersJobSummary, markersFiles, recordMarkers } from "./export.js";

export type { MarkersInput, MarkersJobSummary };

export const MARKERS: Analysis<MarkersInput, MarkersJobSummary> = {
  kind: "markers",
  worker: new URL("./worker.js", import.meta.url),
  inputs: (o) => [
    { path: o.file, what: "the integration result", kind: "file" },
    ...(o.gmt ?? []).map((path) => ({ path, what: "--gmt", kind: "file" as const, maxBytes: TEXT_LIMITS.geneSets })),
  ],
  files: ({ folder, pdf }) => ({
    writes: markersFiles(folder, pdf),
    makesFolder: true,
  }),
  // The grouping must name cell groups of the result; every gene-set file must parse (a DataError says where not).
  check: async ({ file, groupby, gmt }) => {
    const problem = groupColumnProblem("grouping", groupby, await readCellColumns([file]), "labelNote");
    if (problem) throw new SettingError(problem);
    for (const g of gmt ?? []) readGmt(g);
  },
  record: recordMarkers,
};
