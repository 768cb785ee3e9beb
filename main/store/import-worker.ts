/** Worker-thread side of `startImportJob`. */
import { serveWorkerJob } from "../workers/job.js";
import { type DatasetSummary, type ImportJobInput, type ImportProgress, importDataset } from "./import.js";
import { Project } from "./project.js";

await serveWorkerJob<ImportJobInput, ImportProgress, { id: number; summary: DatasetSummary }>(async (input, emit) => {
  const project = Project.open(input.projectDir);
  try {
    return await importDataset(project, input.source, { ...(input.name ? { name: input.name } : {}), onProgress: emit });
  } finally {
    project.close();
  }
});
