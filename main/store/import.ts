/**
 * Importing a file into a project: read and validate it, summarise it (QC, gene identifiers), write it as
 * `datasets/<id>.h5ad` (temp file + rename), then mark the dataset ready in one transaction. A rejected file
 * leaves no dataset behind (only an event saying why); a process killed midway leaves an 'importing' row and a
 * temp file that the next `Project.open` turns into a clear 'failed' record.
 */
import { rmSync, statSync } from "node:fs";
import { basename } from "node:path";
import { matrixNnz } from "../data/dataset.js";
import { type GeneMappingReport, mapGenes } from "../genes/map.js";
import { DataError } from "../io/errors.js";
import { writeH5ad } from "../io/h5ad/write.js";
import { checkInputs } from "../io/inputs.js";
import { type ReadOptions, type ReadReport, readDataset } from "../io/read.js";
import { expressionOf } from "../pp/expression.js";
import { type QcSummary, summarizeQc } from "../pp/qc.js";
import { describeValues, type ValueKind } from "../pp/values.js";
import { claimPath, now, type Project, ProjectError } from "./project.js";

/** What an import job is given (it opens the project itself: SQLite in WAL mode takes a second connection). */
export interface ImportJobInput {
  projectDir: string;
  source: string;
  name?: string;
}

export interface ImportProgress {
  phase: "read" | "summarize" | "write" | "done";
  fraction: number;
}

export interface DatasetSummary {
  read: ReadReport;
  values: ValueKind;
  qc: QcSummary;
  genes: Pick<GeneMappingReport, "guess" | "total" | "mapped" | "unmapped" | "ambiguous" | "duplicated">;
  obsColumns: string[];
}

export interface ImportOptions extends ReadOptions {
  name?: string;
  onProgress?: (p: ImportProgress) => void;
}

/** Test hook: SCILAMA_FAULT_KILL_DURING_WRITE=0.5 kills this process (SIGKILL) halfway through writing. */
function faultPoint(fraction: number) {
  const at = process.env.SCILAMA_FAULT_KILL_DURING_WRITE;
  if (at !== undefined && fraction >= Number(at)) process.kill(process.pid, "SIGKILL");
}

export async function importDataset(
  project: Project,
  source: string,
  opts: ImportOptions = {},
): Promise<{ id: number; summary: DatasetSummary }> {
  checkInputs([{ path: source, what: "the file to import", kind: "dataset" }]);
  const name = opts.name ?? basename(source).replace(/(\.h5ad|\.h5|\.csv|\.tsv|\.txt)?(\.gz)?$/i, "");
  const id = Number(
    project.db
      .prepare("INSERT INTO datasets (name, source_path, status, pid, created_at) VALUES (?, ?, 'importing', ?, ?)")
      .run(name, source, process.pid, now()).lastInsertRowid,
  );
  const file = `datasets/${id}.h5ad`;
  const progress = (phase: ImportProgress["phase"], fraction: number) => opts.onProgress?.({ phase, fraction });
  let writing = false;
  try {
    claimPath(project, file);
    progress("read", 0);
    const { dataset, report } = await readDataset(source, opts);
    expressionOf(dataset, source); // refuses data no analysis can start from (only scaled values), whatever the format
    progress("summarize", 0.4);
    const genes = mapGenes(dataset.var.index);
    const summary: DatasetSummary = {
      read: report,
      values: describeValues(dataset.X),
      qc: summarizeQc(dataset),
      genes: {
        guess: genes.guess,
        total: genes.total,
        mapped: genes.mapped,
        unmapped: genes.unmapped,
        ambiguous: genes.ambiguous,
        duplicated: genes.duplicated,
      },
      obsColumns: [...dataset.obs.columns.keys()],
    };
    progress("write", 0.5);
    writing = true;
    writeH5ad(project.path(file), dataset, {
      blockRows: Math.max(64, Math.ceil(dataset.X.nRows / 50)),
      onProgress: (p) => {
        faultPoint(p.done / p.total);
        progress("write", 0.5 + (0.5 * p.done) / p.total);
      },
    });
    project.db.transaction(() => {
      project.db
        .prepare(
          "UPDATE datasets SET status = 'ready', format = ?, file = ?, n_obs = ?, n_vars = ?, nnz = ?, summary_json = ?, pid = NULL, finished_at = ? WHERE id = ?",
        )
        .run(report.format, file, dataset.X.nRows, dataset.X.nCols, matrixNnz(dataset.X), JSON.stringify(summary), now(), id);
      project.log(
        "info",
        "import-finished",
        `Imported '${name}': ${dataset.X.nRows} cells × ${dataset.X.nCols} genes (${statSync(project.path(file)).size} bytes)`,
        { datasetId: id },
      );
      for (const w of report.warnings) project.log("warning", "import-warning", w, { datasetId: id });
    })();
    progress("done", 1);
    return { id, summary };
  } catch (e) {
    if (writing) rmSync(project.path(file), { force: true });
    project.db.transaction(() => {
      project.db.prepare("DELETE FROM datasets WHERE id = ?").run(id);
      project.log("error", "import-failed", `Import of '${source}' failed: ${(e as Error).message}`, {
        data: { source, kind: e instanceof DataError ? "input" : e instanceof ProjectError ? "project" : "internal" },
      });
    })();
    throw e;
  }
}
