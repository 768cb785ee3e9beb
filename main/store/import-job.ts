/**
 * Importing as a worker-thread job (reading and writing a large file blocks its thread for seconds): the worker
 * opens the project itself (SQLite in WAL mode takes a second connection) and runs `importDataset`.
 */
import { startWorkerJob, type WorkerJob } from "../workers/job.js";
import type { DatasetSummary, ImportJobInput, ImportProgress } from "./import.js";

export type ImportJob = WorkerJob<{ id: number; summary: DatasetSummary }>;

export function startImportJob(input: ImportJobInput, onProgress?: (p: ImportProgress) => void): ImportJob {
  return startWorkerJob("import", new URL("./import-worker.js", import.meta.url), input, onProgress);
}
