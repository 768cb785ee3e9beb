/**
 * A full disk, for real: a 1.5 MB tmpfs holds a project (root can mount one; elsewhere the test says why it skips).
 * Importing a file that does not fit must end with the disk-full message and exit code, leave no temporary file,
 * and keep the project as it was; a project on a disk with no space left says the disk is full (not that the database
 * is unreadable), and opens again once space is freed. An output folder on a read-only disk is refused up front.
 */
import assert from "node:assert/strict";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DiskFullError } from "../io/disk.js";
import { readH5ad } from "../io/h5ad/read.js";
import { writeH5ad } from "../io/h5ad/write.js";
import { importDataset } from "../store/import.js";
import { Project } from "../store/project.js";
import { PBMC_SMALL, PBMC3K, scilama, smallDisk } from "./helpers.js";

test("a full disk: a clear message and exit code, nothing left behind, the project unchanged and still readable", async (t) => {
  const disk = smallDisk(t);
  if (typeof disk !== "string") {
    console.log(`# full-disk test skipped: ${disk.skip}`);
    return t.skip(disk.skip);
  }
  const dir = join(disk, "project");
  const p = Project.create(dir, "Full disk");
  await importDataset(p, PBMC_SMALL);
  p.close();
  const before = () => {
    const q = Project.open(dir);
    try {
      return { datasets: q.datasets().map((d) => [d.id, d.name, d.status]), files: readdirSync(join(dir, "datasets")).sort() };
    } finally {
      q.close();
    }
  };
  const state = before();
  assert.deepEqual(state.datasets, [[1, "pbmc_small_seuratobject_80cells_230genes", "ready"]]);

  // pbmc3k (2.7 MB) cannot fit in what is left.
  const r = scilama("import", PBMC3K, "--project", dir);
  assert.equal(r.status, 5, r.stderr);
  assert.match(r.stderr, /the disk is full \(\d+\.\d MB free on the disk holding .*datasets\); free some space and retry/);
  assert.doesNotMatch(r.stderr, /ENOSPC|\n\s+at /, "no raw error, no stack trace");
  assert.deepEqual(before(), state, "the project is as it was, with no temporary file");

  // The writers themselves: a DiskFullError, and no temporary file.
  const d = await readH5ad(PBMC3K);
  assert.throws(() => writeH5ad(join(disk, "x.h5ad"), d), DiskFullError);
  assert.deepEqual(
    readdirSync(disk).filter((f) => f.includes(".tmp-")),
    [],
  );

  const filler = join(disk, "filler");
  try {
    for (let i = 0; ; i++) writeFileSync(join(filler + i), Buffer.alloc(64 * 1024, 1), { flag: "wx" });
  } catch (e) {
    assert.equal((e as NodeJS.ErrnoException).code, "ENOSPC");
  }
  // With no space left at all, opening the project says so (not "unreadable, restore a backup")…
  const full = scilama("project", "info", dir, "--json");
  assert.equal(full.status, 5, full.stderr);
  assert.match(full.stderr, /the disk is full \(0\.\d MB free/);
  // …and once space is freed the intact project opens and says what it holds.
  for (const f of readdirSync(disk).filter((f) => f.startsWith("filler"))) rmSync(join(disk, f));
  const info = scilama("project", "info", dir, "--json");
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stdout, /pbmc_small_seuratobject_80cells_230genes/);
});

test("an output folder on a read-only disk is refused before any work, even for root", async (t) => {
  const disk = smallDisk(t, { readOnly: true });
  if (typeof disk !== "string") {
    console.log(`# read-only disk test skipped: ${disk.skip}`);
    return t.skip(disk.skip);
  }
  const started = performance.now();
  const r = scilama("integrate", PBMC_SMALL, "--out", join(disk, "r.h5ad"), "--preset", "quick", "--baselines", "none", "--quiet");
  const seconds = (performance.now() - started) / 1000;
  console.log(`# --out on a read-only disk: exit ${r.status} in ${seconds.toFixed(1)} s — ${r.stderr.trim()}`);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /the output folder .* cannot be written \(read-only or not yours\); choose another/);
  assert.doesNotMatch(r.stderr, /training|\n\s+at /);
  const m = scilama("markers", PBMC_SMALL, "--groupby", "groups", "--out", join(disk, "markers"), "--quiet");
  assert.equal(m.status, 2, m.stderr);
  assert.match(m.stderr, /cannot be written \(read-only or not yours\)/);
});
