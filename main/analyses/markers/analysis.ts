/**
 * The markers analysis as the lifecycle runs it: the worker finds modules and markers and writes the tables, the view,
 * the report's HTML (and, when asked, its PDF) into a folder (`worker.ts`); the caller gets stages and this summary,
 * and the project records it (`export.ts`).
 */
import { readGmt } from "../../analysis/enrichment.js";
import { SettingError } from "../../isomorphic/limits.js";
import { groupColumnProblem, readCellColumns } from "../columns.js";
import type { Analysis } from "../lifecycle.js";
import { type MarkersInput, type MarkersJobSummary, markersFiles, recordMarkers } from "./export.js";

export type { MarkersInput, MarkersJobSummary };

export const MARKERS: Analysis<MarkersInput, MarkersJobSummary> = {
  kind: "markers",
  worker: new URL("./worker.js", import.meta.url),
  files: ({ options, folder, pdf }) => ({
    reads: [options.file, ...(options.gmt ?? [])],
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
