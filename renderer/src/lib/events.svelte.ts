/** Live engine events as reactive state: imports in flight and the latest progress of each running job. */
import { onEvent, type StudioEvent } from "./api";

type RunEvent = Extract<StudioEvent, { type: "run" }>;
type ImportEvent = Extract<StudioEvent, { type: "import" }>;

export const live = $state({
  imports: {} as Record<string, ImportEvent & { error: string | null; done: boolean; datasetId: number | null }>,
  runs: {} as Record<string, RunEvent & { points: NonNullable<RunEvent["point"]>[] }>,
  /** Bumped when something changed that a page showing a project should re-read. */
  version: 0,
});

export const runKey = (project: string, runId: number) => `${project}#${runId}`;

onEvent((e) => {
  if (e.type === "import") {
    live.imports[e.ticket] = { ...e, error: null, done: false, datasetId: null };
  } else if (e.type === "import-done") {
    const { datasetId, error } = e;
    live.imports[e.ticket] = {
      type: "import",
      project: e.project,
      ticket: e.ticket,
      name: e.name,
      phase: "done",
      fraction: 1,
      error,
      done: true,
      datasetId,
    };
    live.version++;
  } else if (e.type === "run") {
    const key = runKey(e.project, e.runId);
    const prev = live.runs[key];
    const points = prev?.points ?? [];
    if (e.point) points.push(e.point);
    live.runs[key] = { ...(prev ?? {}), ...e, ...(e.variant === null && prev ? pickProgress(prev, e.fraction) : {}), points };
  } else if (e.type === "run-done") {
    live.version++;
  }
});

/** A stage message carries no training figures: keep the last ones (and the furthest progress). */
function pickProgress(prev: RunEvent, fraction: number): Partial<RunEvent> {
  const { variant, phase, epoch, epochs, etaSec, cellsPerSec, device } = prev;
  return { variant, phase, fraction: Math.max(fraction, prev.fraction), epoch, epochs, etaSec, cellsPerSec, device };
}
