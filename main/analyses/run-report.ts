/** A run's PDF report, written into its folder and recorded in the project; the same for the app and the CLI. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ApiError } from "../api/errors.js";
import type { Project } from "../store/project.js";
import { artifact, getRun, recordReport } from "../store/runs.js";
import { analysisOf } from "./registry.js";

export async function writeRunReport(
  p: Project,
  runId: number,
  print: (html: string, out: string) => Promise<string>,
  appVersion: string,
): Promise<{ path: string; printer: string }> {
  const entry = analysisOf(getRun(p, runId).kind);
  if (!entry) throw new ApiError("bad-request", `Run ${runId} (${getRun(p, runId).kind}) has no report.`);
  const { title, html } = await entry.report(p, runId, appVersion);
  const rel = join("runs", String(runId), "report.pdf");
  const printer = await print(html, p.path(rel));
  recordReport(p, runId, title, rel);
  return { path: p.path(rel), printer };
}

/** The run's report file, if one was written. */
export function reportFile(p: Project, runId: number): string {
  const rel = artifact(p, runId, "report");
  if (!rel || !existsSync(p.path(rel))) throw new ApiError("not-found", `Run ${runId} has no PDF report yet.`);
  return p.path(rel);
}
