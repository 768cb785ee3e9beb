/**
 * `scilama markers <result.h5ad | run id> --groupby <obs column> --out <folder>`: gene modules from the contextual
 * gene embeddings, the cell types they mark, their enrichment, and Wilcoxon markers, as CSV tables and a PDF report.
 * Given a run id, the markers run is recorded in that project as the app records it (and opens there).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { recordMarkers, writeMarkers, writeMarkersView } from "../analyses/markers/export.js";
import { markers } from "../analyses/markers/workflow.js";
import { MODULE_DEFAULTS } from "../analysis/modules.js";
import type { MarkersSettings } from "../api/contract.js";
import { printPdf } from "../report/pdf.js";
import { Project } from "../store/project.js";
import { artifact, createRun, finishRun, markRunning, runDatasetIds } from "../store/runs.js";
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
  const { file, p, sourceRun } = resultFile(what, o.project);
  const settings: MarkersSettings = {
    sourceRun: sourceRun ?? 0,
    groupby: o.groupby,
    neighbors: o.neighbors ?? MODULE_DEFAULTS.neighbors,
    resolution: o.resolution ?? MODULE_DEFAULTS.resolution,
    gmt: o.gmt,
  };
  const runId = p && sourceRun ? createRun(p, "markers", settings, runDatasetIds(p, sourceRun)) : null;
  try {
    if (p && runId) markRunning(p, runId);
    await findMarkers(file, o, settings, p && runId ? { p, runId } : null);
  } catch (e) {
    if (p && runId) finishRun(p, runId, "failed", { error: e instanceof Error ? e.message : String(e) });
    throw e;
  } finally {
    p?.close();
  }
}

async function findMarkers(
  file: string,
  o: MarkersCommandOptions,
  settings: MarkersSettings,
  record: { p: Project; runId: number } | null,
) {
  const say = (s: string) => {
    if (!o.quiet) process.stderr.write(`${s}\n`);
  };
  const r = await markers({
    file,
    groupby: o.groupby,
    gmt: o.gmt,
    neighbors: settings.neighbors,
    resolution: settings.resolution,
    onStage: (s) => say(`· ${s}`),
  });
  const written = writeMarkers(r, o.out);
  const view = writeMarkersView(r, o.out, { source: file, groupby: o.groupby, appVersion: appVersion() });
  const report = join(o.out, "report.pdf");
  const printer = await printPdf(readFileSync(view.html, "utf8"), report);
  if (record)
    recordMarkers(record.p, record.runId, {
      written: { ...written, ...view, report },
      quality: r.quality,
      modules: r.contextual.modules,
      seconds: r.seconds,
    });
  print(
    o.json,
    {
      written: { ...written, report },
      quality: r.quality,
      seconds: r.seconds,
      modules: r.contextual.modules,
      runId: record?.runId ?? null,
    },
    () =>
      [
        `${r.contextual.modules} gene modules over ${r.genes.length} genes (${r.species}); ${r.groups.length} groups in '${o.groupby}'`,
        ...r.associations.map((a) => `  module ${a.module} (${a.genes} genes) marks ${a.group} (specificity ${a.specificity.toFixed(2)})`),
        r.quality.contextual
          ? `marker-set quality (Davies–Bouldin, lower is better): contextual ${r.quality.contextual.daviesBouldin.toFixed(3)}` +
            (r.quality.prior ? `, static prior ${r.quality.prior.daviesBouldin.toFixed(3)}` : "")
          : "marker-set quality: fewer than two groups have marker genes of their own",
        `wrote ${Object.values(written).join(", ")}, ${report} (${printer})`,
        ...(record ? [`recorded as run ${record.runId} of ${record.p.dir}`] : []),
        `time: ${Object.entries(r.seconds)
          .map(([k, s]) => `${k} ${s.toFixed(1)} s`)
          .join(", ")}`,
      ].join("\n"),
  );
}
