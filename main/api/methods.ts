/**
 * The API's methods: name → payload schema → Studio call. Both hosts dispatch through `callMethod`, so every payload
 * is validated the same way whichever door it came in by.
 */
import { BASELINES } from "../analyses/integrate/workflow.js";
import { MODULE_LIMITS } from "../analysis/modules.js";
import { ApiError } from "./errors.js";
import { type Infer, int, list, num, obj, oneOf, optional, type Schema, str } from "./schema.js";
import type { Studio } from "./studio.js";

const path = str({ min: 1, max: 4096 });
const id = int({ min: 1 });
const name = str({ min: 1, max: 200 });
const project = { project: path };

/** The Advanced panel: any of the reference's hyper-parameters, within ranges that can train. */
const hyper = obj({
  hidden: optional(list(int({ min: 8, max: 4096 }), { min: 1, max: 4 })),
  latent: optional(int({ min: 2, max: 512 })),
  dropout: optional(num({ min: 0, max: 0.9 })),
  gamma: optional(num({ min: 0, max: 10 })),
  batch: optional(int({ min: 8, max: 100_000 })),
  lr: optional(num({ min: 1e-6, max: 1 })),
  lrDecay: optional(num({ min: 0.5, max: 1 })),
  weightDecay: optional(num({ min: 0, max: 1 })),
  beta: optional(obj({ zeroEpochs: int({ min: 0, max: 5000 }), step: num({ min: 0, max: 1 }), max: num({ min: 0, max: 10 }) })),
  maxEpochs: optional(int({ min: 1, max: 5000 })),
  patience: optional(int({ min: 1, max: 1000 })),
  earlyStopStart: optional(int({ min: 0, max: 5000 })),
  valFraction: optional(num({ min: 0, max: 0.5 })),
});

const settings = obj({
  ...project,
  datasets: list(id, { min: 1, max: 50 }),
  batch: optional(str({ min: 1, max: 200 })),
  label: optional(str({ min: 1, max: 200 })),
  prior: path,
  preset: oneOf(["quick", "standard", "thorough"] as const),
  hyper: optional(hyper),
  seed: int({ min: 0, max: 2 ** 31 - 1 }),
  hvg: int({ min: 0, max: 100_000 }),
  baselines: list(oneOf(BASELINES), { max: BASELINES.length }),
});

interface Method<S extends Schema<unknown>> {
  input: S;
  run(studio: Studio, input: Infer<S>): unknown;
}

const method = <S extends Schema<unknown>>(input: S, run: (studio: Studio, input: Infer<S>) => unknown): Method<S> => ({ input, run });

export const METHODS = {
  home: method(obj({}), (s) => s.home()),
  "project.create": method(obj({ name, dir: optional(path) }), (s, i) => s.createProject(i.name, i.dir)),
  "project.open": method(obj({ dir: path }), (s, i) => s.openProject(i.dir)),
  "project.view": method(obj(project), (s, i) => s.view(i.project)),
  "dataset.import": method(obj({ ...project, path, name: optional(name) }), (s, i) => s.importDataset(i.project, i.path, i.name)),
  "dataset.rename": method(obj({ ...project, id, name }), (s, i) => s.renameDataset(i.project, i.id, i.name)),
  "dataset.remove": method(obj({ ...project, id }), (s, i) => s.removeDataset(i.project, i.id)),
  "integration.plan": method(obj({ ...project, datasets: list(id, { min: 1, max: 50 }) }), (s, i) =>
    s.integrationPlan(i.project, i.datasets),
  ),
  "integration.coverage": method(obj({ ...project, datasets: list(id, { min: 1, max: 50 }), prior: path }), (s, i) =>
    s.priorCoverage(i.project, i.datasets, i.prior),
  ),
  "integration.start": method(settings, (s, i) =>
    s.startIntegration(i.project, {
      datasets: i.datasets,
      batch: i.batch ?? null,
      label: i.label ?? null,
      prior: i.prior,
      preset: i.preset,
      hyper: i.hyper ?? {},
      seed: i.seed,
      hvg: i.hvg,
      baselines: i.baselines,
    }),
  ),
  "markers.plan": method(obj({ ...project, runId: id }), (s, i) => s.markersPlan(i.project, i.runId)),
  "markers.start": method(
    obj({
      ...project,
      sourceRun: id,
      groupby: str({ min: 1, max: 200 }),
      neighbors: int(MODULE_LIMITS.neighbors),
      resolution: num(MODULE_LIMITS.resolution),
      gmt: list(path, { max: 20 }),
    }),
    (s, i) =>
      s.startMarkers(i.project, {
        sourceRun: i.sourceRun,
        groupby: i.groupby,
        neighbors: i.neighbors,
        resolution: i.resolution,
        gmt: i.gmt,
      }),
  ),
  "markers.result": method(obj({ ...project, runId: id }), (s, i) => s.markersResult(i.project, i.runId)),
  "markers.scores": method(obj({ ...project, runId: id, module: int({ min: 0, max: 100_000 }) }), (s, i) =>
    s.moduleScores(i.project, i.runId, i.module),
  ),
  "run.cancel": method(obj({ ...project, runId: id }), (s, i) => s.cancelRun(i.project, i.runId)),
  "run.result": method(obj({ ...project, runId: id }), (s, i) => s.runResult(i.project, i.runId)),
  "run.report": method(obj({ ...project, runId: id }), (s, i) => s.report(i.project, i.runId)),
  "run.gene": method(obj({ ...project, runId: id, gene: str({ min: 1, max: 100 }) }), (s, i) => s.geneValues(i.project, i.runId, i.gene)),
} as const;

export type MethodName = keyof typeof METHODS;

/** Validates `payload` for `name` and runs it. Unknown methods and malformed payloads are ApiErrors. */
export async function callMethod(studio: Studio, name: string, payload: unknown): Promise<unknown> {
  if (!Object.hasOwn(METHODS, name)) throw new ApiError("bad-request", `There is no API method '${name}'.`);
  const m = METHODS[name as MethodName] as Method<Schema<unknown>>;
  const input = m.input(payload ?? {}, "");
  return (await m.run(studio, input)) ?? null;
}
