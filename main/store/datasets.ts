/** Changes to a project's datasets that the app makes: renaming, and removing one that no run used. */
import { rmSync } from "node:fs";
import { type Project, ProjectError } from "./project.js";

export function renameDataset(p: Project, id: number, name: string): void {
  p.dataset(id);
  p.db.prepare("UPDATE datasets SET name = ? WHERE id = ?").run(name, id);
}

/** The runs that used a dataset as input (they keep it). */
export function runsUsingDataset(p: Project, id: number): number[] {
  return (p.db.prepare("SELECT run_id FROM run_datasets WHERE dataset_id = ?").all(id) as { run_id: number }[]).map((u) => u.run_id);
}

/** Removes a dataset and its file; one still importing or used by a run is refused (runs keep their inputs). */
export function removeDataset(p: Project, id: number): void {
  const d = p.dataset(id);
  if (d.status === "importing") throw new DatasetBusyError(`'${d.name}' is still being imported.`);
  const used = runsUsingDataset(p, id);
  if (used.length) throw new DatasetBusyError(`'${d.name}' is the input of run ${used.join(", ")}; it is kept with those results.`);
  p.db.transaction(() => {
    p.db.prepare("DELETE FROM datasets WHERE id = ?").run(id);
    p.log("info", "dataset-removed", `Removed dataset '${d.name}'`);
  })();
  if (d.file) rmSync(p.path(d.file), { force: true });
}

/** A dataset cannot be changed now (it is importing, or a run depends on it). */
export class DatasetBusyError extends ProjectError {}
