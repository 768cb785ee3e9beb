/**
 * The API's methods: name → payload schema → what it does. The session's own (home, projects, datasets, runs) are
 * here; each analysis adds its own from the registry. Both hosts dispatch through `callMethod`, so every payload is
 * validated the same way whichever door it came in by.
 */
import { ANALYSES } from "../analyses/registry.js";
import { writeRunReport } from "../analyses/run-report.js";
import { ApiError } from "./errors.js";
import { id, type Method, method, name, path, project } from "./method.js";
import { obj, optional, type Schema } from "./schema.js";

const SESSION = {
  home: method(obj({}), (s) => s.home()),
  "project.create": method(obj({ name, dir: optional(path) }), (s, i) => s.createProject(i.name, i.dir)),
  "project.open": method(obj({ dir: path }), (s, i) => s.openProject(i.dir)),
  "project.view": method(obj(project), (s, i) => s.view(i.project)),
  "dataset.import": method(obj({ ...project, path, name: optional(name) }), (s, i) => s.importDataset(i.project, i.path, i.name)),
  "dataset.rename": method(obj({ ...project, id, name }), (s, i) => s.renameDataset(i.project, i.id, i.name)),
  "dataset.remove": method(obj({ ...project, id }), (s, i) => s.removeDataset(i.project, i.id)),
  "run.cancel": method(obj({ ...project, runId: id }), (s, i) => s.cancelRun(i.project, i.runId)),
  /** Writes the run's PDF report into its folder (recorded as an artifact and in the reports table). */
  "run.report": method(obj({ ...project, runId: id }), async (s, i) => {
    const p = s.project(i.project);
    const { path } = await writeRunReport(p, i.runId, s.print, s.version);
    return { path, url: `files/report?project=${encodeURIComponent(p.dir)}&runId=${i.runId}` };
  }),
};

export const METHODS: Record<string, Method<Schema<unknown>>> = Object.assign({}, SESSION, ...ANALYSES.map((a) => a.methods));

/** Validates `payload` for `name` and runs it. Unknown methods and malformed payloads are ApiErrors. */
export async function callMethod(studio: import("./studio.js").Studio, name: string, payload: unknown): Promise<unknown> {
  if (!Object.hasOwn(METHODS, name)) throw new ApiError("bad-request", `There is no API method '${name}'.`);
  const m = METHODS[name]!;
  const input = m.input(payload ?? {}, "");
  return (await m.run(studio, input)) ?? null;
}
