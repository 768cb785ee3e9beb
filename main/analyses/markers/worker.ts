/** Worker-thread side of the markers analysis: runs the workflow and writes its files; a stop writes nothing. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { printPdf } from "../../report/pdf.js";
import { serveAnalysis } from "../serve.js";
import { MARKERS_PDF, type MarkersInput, type MarkersJobSummary, writeMarkers, writeMarkersView } from "./export.js";
import { markers } from "./workflow.js";

await serveAnalysis<MarkersInput, MarkersJobSummary>(async ({ options, folder, context, pdf }, hooks) => {
  const r = await markers(options, hooks);
  hooks.emit?.({ type: "stage", stage: "writing tables and the report", fraction: 0.95 });
  const written: Record<string, string> = { ...writeMarkers(r, folder), ...writeMarkersView(r, folder, context) };
  let printer: string | null = null;
  if (pdf) {
    written.report = join(folder, MARKERS_PDF);
    printer = await printPdf(readFileSync(written.html!, "utf8"), written.report);
  }
  return {
    written,
    printer,
    quality: r.quality,
    modules: r.contextual.modules,
    genes: r.genes.length,
    groups: r.groups,
    species: r.species,
    associations: r.associations.map((a) => ({ module: a.module, genes: a.genes, group: a.group, specificity: a.specificity })),
    seconds: r.seconds,
  };
});
