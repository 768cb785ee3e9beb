/** Shared test helpers: where the real data is, temporary folders, and the Debian Python used as a reference. */
import { execFileSync, type SpawnSyncReturns, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Matrix } from "../data/dataset.js";
import { Project } from "../store/project.js";
import { listRuns } from "../store/runs.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DATA = join(ROOT, "..", "shared", "data");
export const PY = "/usr/bin/python3";

export const data = (...p: string[]) => join(DATA, ...p);

export const PBMC3K = data("pbmc3k", "pbmc3k_seurat_tutorial_2638cells_2000hvg_counts.h5ad");
export const PBMC3K_MTX = data("pbmc3k", "seurat_tutorial_2000hvg_counts_mtx");
export const PBMC_SMALL = data("pbmc3k", "pbmc_small_seuratobject_80cells_230genes.h5ad");
export const PBMC_SMALL_MTX = data("pbmc3k", "pbmc_small_mtx");
export const CELLBENCH = data("cellbench", "cellbench_3cl_celseq2_dropseq.h5ad");
export const PANCREAS = data("pancreas", "cepo_sce_pancreas_528cells_1403genes_3batches.h5ad");
export const KANG = data("kang_ifnb", "kang_ifnb_2000cells_ctrl_stim.h5ad");

/** The `scilama` command line, as a user runs it. */
export const CLI = join(ROOT, "bin", "scilama.js");

/** Runs `scilama` with these arguments and waits for it. */
export function scilama(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
}

export function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "scilama-test-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs a Python script from scripts/interop with Debian's python3 and parses its JSON output. */
export function python<T>(script: string, ...args: string[]): T {
  const out = execFileSync(PY, [join(ROOT, "scripts", "interop", script), ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
  return JSON.parse(out) as T;
}

/** Polls `find` every 50 ms until it returns something (e.g. an event that arrived), or fails after `ms`. */
export async function waitFor<T>(find: () => T | undefined, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = find();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out waiting for an event");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every file under `dir` with its hash, and the project's datasets and runs: what a refusal must leave as it was
 *  (the database itself may gain an event saying what was refused, so it is compared through its rows). */
export function projectState(dir: string, project: string) {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      // Links and pipes are not followed (a FIFO would block; a link's target is hashed where it lies).
      const s = lstatSync(p);
      if (s.isDirectory()) walk(p);
      else if (s.isFile() && !/project\.sqlite(-wal|-shm)?$/.test(f))
        files[relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  const p = Project.open(project);
  try {
    return { files, datasets: p.datasets(), runs: listRuns(p) };
  } finally {
    p.close();
  }
}

/** A matrix in either layout as a dense row-major float64 array (zeros where a sparse row has no entry). */
export function dense(m: Matrix): Float64Array {
  const out = new Float64Array(m.nRows * m.nCols);
  for (let r = 0; r < m.nRows; r++)
    if (m.kind === "csr") for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) out[r * m.nCols + m.indices[k]!] = m.data[k]!;
    else for (let c = 0; c < m.nCols; c++) out[r * m.nCols + c] = m.values[r * m.nCols + c]!;
  return out;
}

/** A small tmpfs mounted for this test and removed after it (root mounts one; CI runs as root), or why there cannot
 *  be one here. */
export function smallDisk(t: { after(fn: () => void): void }, o: { size?: string; readOnly?: boolean } = {}): string | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: "mounting a small tmpfs needs root (CI runs as root)" };
  const disk = mkdtempSync(join(tmpdir(), "scilama-disk-"));
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${o.size ?? "1536k"}${o.readOnly ? ",ro" : ""}`, "tmpfs", disk], {
    encoding: "utf8",
  });
  t.after(() => {
    if (r.status === 0) spawnSync("umount", [disk]);
    rmSync(disk, { recursive: true, force: true });
  });
  return r.status === 0 ? disk : { skip: `this machine refuses to mount a tmpfs (${r.stderr.trim() || `exit ${r.status}`})` };
}
