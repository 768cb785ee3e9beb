/**
 * `scilama markers <result.h5ad | run id> --groupby <obs column> --out <folder>`: gene modules from the contextual
 * gene embeddings, the cell types they mark, their enrichment, and Wilcoxon markers, as CSV tables and a PDF report.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { markersReportHtml } from "../report/markers-html.js";
import { printPdf } from "../report/pdf.js";
import { Project } from "../store/project.js";
import { artifact } from "../store/runs.js";
import { markers } from "../workflows/markers.js";
import { writeMarkers } from "../workflows/markers-export.js";
import { print, UsageError } from "./output.js";
import { appVersion } from "./start.js";

export interface MarkersCommandOptions {
  groupby: string;
  out: string;
  project?: string;
  gmt: string[];
  resolution?: number;
  neighbors?: number;
  json: boolean;
  quiet: boolean;
}

function resultFile(what: string, project?: string): string {
  if (!/^\d+$/.test(what)) {
    if (!existsSync(what)) throw new UsageError(`'${what}' is neither a run id nor an existing result file`);
    return what;
  }
  if (!project) throw new UsageError("a run id needs --project <dir> (the project that holds the run)");
  const p = Project.open(project);
  try {
    const rel = artifact(p, Number(what), "h5ad");
    if (!rel) throw new UsageError(`run ${what} of ${p.dir} has no integration result`);
    return p.path(rel);
  } finally {
    p.close();
  }
}

export async function markersCommand(what: string, o: MarkersCommandOptions): Promise<void> {
  const file = resultFile(what, o.project);
  const say = (s: string) => {
    if (!o.quiet) process.stderr.write(`${s}\n`);
  };
  const r = await markers({
    file,
    groupby: o.groupby,
    gmt: o.gmt,
    ...(o.resolution ? { resolution: o.resolution } : {}),
    ...(o.neighbors ? { neighbors: o.neighbors } : {}),
    onStage: (s) => say(`· ${s}`),
  });
  const written = writeMarkers(r, o.out);
  const report = join(o.out, "report.pdf");
  const printer = await printPdf(markersReportHtml(r, { source: file, groupby: o.groupby, appVersion: appVersion() }), report);
  print(o.json, { written: { ...written, report }, quality: r.quality, seconds: r.seconds, modules: r.contextual.modules }, () =>
    [
      `${r.contextual.modules} gene modules over ${r.genes.length} genes (${r.species}); ${r.groups.length} groups in '${o.groupby}'`,
      ...r.associations.map((a) => `  module ${a.module} (${a.genes} genes) marks ${a.group} (specificity ${a.specificity.toFixed(2)})`),
      r.quality.contextual
        ? `marker-set quality (Davies–Bouldin, lower is better): contextual ${r.quality.contextual.daviesBouldin.toFixed(3)}` +
          (r.quality.prior ? `, static prior ${r.quality.prior.daviesBouldin.toFixed(3)}` : "")
        : "marker-set quality: fewer than two groups have marker genes of their own",
      `wrote ${Object.values(written).join(", ")}, ${report} (${printer})`,
      `time: ${Object.entries(r.seconds)
        .map(([k, s]) => `${k} ${s.toFixed(1)} s`)
        .join(", ")}`,
    ].join("\n"),
  );
}
