/** Worker-thread side of the drug-response prediction: loads the ensemble, predicts, writes the files. */
import { basename } from "node:path";
import { atomicWrite } from "../../io/csv.js";
import { printPdf } from "../../report/pdf.js";
import { serveAnalysis } from "../serve.js";
import { Stages } from "../stages.js";
import { loadBundle } from "./bundle.js";
import { type DrugInput, type DrugSummary, drugFiles, writeDrugResponse } from "./export.js";
import { predictPrepared, preparePrediction } from "./predict.js";
import { drugReportHtml, heatmapSvg } from "./report.js";
import { drugResult } from "./result.js";

const STAGES = [
  "loading the drug-response model",
  "reading the dataset and pooling each group's cells",
  "predicting every group × drug",
  "placing the predictions among the CCLE lines",
  "writing the result (and the report)",
];

await serveAnalysis<DrugInput, DrugSummary>(async ({ options, folder, view, report }, hooks) => {
  const s = new Stages(hooks, STAGES);
  s.stage(STAGES[0]!);
  const bundle = await loadBundle(options.model);
  s.lap("model");
  s.stopPoint();
  s.stage(STAGES[1]!);
  const prepared = await preparePrediction(bundle.reference, options);
  s.lap("read");
  s.stopPoint();
  s.stage(STAGES[2]!);
  const prediction = await predictPrepared(bundle, prepared, options.nearest);
  s.lap("predict");
  s.stopPoint();
  s.stage(STAGES[3]!);
  const dataset = view?.dataset ?? basename(options.file);
  const result = view || report ? await drugResult(bundle, prepared, prediction, { dataset, groupby: options.groupby }) : null;
  s.lap("place");
  s.stopPoint();
  s.stage(STAGES[4]!);
  const written = writeDrugResponse(prediction, folder, view ? result : null);
  if (report && result) {
    const files = drugFiles(folder, false, true);
    atomicWrite(files.heatmap!, heatmapSvg(result).svg);
    written.heatmap = files.heatmap!;
    await printPdf(await drugReportHtml({ ...result, ...report, createdAt: new Date().toISOString() }), files.report!);
    written.report = files.report!;
  }
  s.lap("write");
  return { prediction, members: bundle.members.length, written, seconds: s.seconds };
});
