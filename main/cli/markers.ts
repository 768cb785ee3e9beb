/**
 * `scilama markers <result.h5ad | run id> --groupby <obs column> --out <folder>`: gene modules from the contextual
 * gene embeddings, the cell types they mark, their enrichment, and Wilcoxon markers, as CSV tables and a PDF report.
 * Given a run id, the markers run is recorded in that project as the app records it (and opens there).
 */
import { existsSync } from "node:fs";
import { runAnalysis } from "../analyses/lifecycle.js";
import { MARKERS } from "../analyses/markers/analysis.js";
import type { MarkersSettings } from "../analyses/markers/settings.js";
import { requireChromium } from "../report/chromium.js";
import { Project } from "../store/project.js";
import { artifact, runDatasetIds } from "../store/runs.js";
import { appVersion } from "../version.js";
import { stopped, untilDone } from "./interrupt.js";
import { print, runLines, sayer, UsageError } from "./output.js";

export interface MarkersCommandOptions {
  groupby: string;
  out: string;
  project?: string;
  gmt: string[];
  resolution: number;
  neighbors: number;
  json: boolean;
  quiet: boolean;
}

/** The integration result a run id names, with the project opened on it (null for a plain file). */
function resultFile(what: string, project?: string): { file: string; p: Project | null; sourceRun: number | null } {
  if (!/^\d+$/.test(what)) {
    if (!existsSync(what)) throw new UsageError(`'${what}' is neither a run id nor an existing result file`);
    return { file: what, p: null, sourceRun: null };
  }
  if (!project) throw new UsageError("a run id needs --project <dir> (the project that holds the run)");
  const p = Project.open(project);
  const rel = artifact(p, Number(what), "h5ad");
  if (!rel) {
    p.close();
    throw new UsageError(`run ${what} of ${p.dir} has no integration result`);
  }
  return { file: p.path(rel), p, sourceRun: Number(what) };
}

export async function markersCommand(what: string, o: MarkersCommandOptions): Promise<void> {
  requireChromium(); // its report.pdf is printed at the end
  const { file, p, sourceRun } = resultFile(what, o.project);
  const s: MarkersSettings = {
    sourceRun: sourceRun ?? 0,
    groupby: o.groupby,
    neighbors: o.neighbors,
    resolution: o.resolution,
    gmt: o.gmt,
  };
  const say = sayer(o.quiet);
  try {
    const run = await runAnalysis(MARKERS, {
      options: { file, groupby: s.groupby, gmt: s.gmt, neighbors: s.neighbors, resolution: s.resolution },
      input: () => ({
        folder: o.out,
        context: { source: file, groupby: s.groupby, appVersion: appVersion() },
        pdf: true,
      }),
      ...(p && sourceRun ? { record: { project: p, config: s, datasetIds: runDatasetIds(p, sourceRun) } } : {}),
      onEvent: (e) => {
        if (e.type === "stage") say(`· ${e.stage}`);
      },
    });
    const outcome = await untilDone(run, "stopping after the current stage…");
    if (outcome.status === "cancelled") throw stopped("markers run", run.runId);
    const r = outcome.summary;
    const { view: _view, scores: _scores, html: _html, ...written } = r.written;
    print(o.json, { written, quality: r.quality, seconds: r.seconds, modules: r.modules, runId: run.runId }, () =>
      [
        `${r.modules} gene modules over ${r.genes} genes (${r.species}); ${r.groups.length} groups in '${o.groupby}'`,
        ...r.associations.map((a) => `  module ${a.module} (${a.genes} genes) marks ${a.group} (specificity ${a.specificity.toFixed(2)})`),
        r.quality.contextual
          ? `marker-set quality (Davies–Bouldin, lower is better): contextual ${r.quality.contextual.daviesBouldin.toFixed(3)}` +
            (r.quality.prior ? `, static prior ${r.quality.prior.daviesBouldin.toFixed(3)}` : "")
          : "marker-set quality: fewer than two groups have marker genes of their own",
        ...runLines(`${Object.values(written).join(", ")} (${r.printer})`, run.runId, p?.dir, r.seconds),
      ].join("\n"),
    );
  } finally {
    p?.close();
  }
}
