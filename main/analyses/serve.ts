/**
 * The worker-thread side of every analysis: its worker module calls `serveAnalysis` with the computation, which gets
 * the caller's input and the stage hooks (events out, the stop flag in). A `Stopped` computation comes back as a
 * stopped outcome, not an error.
 *
 * A job that fails or stops leaves no partial output set: the files it wrote before (a full disk half-way through
 * its writing, say) are removed, and anything that was there before it started is left as it was. Where a job writes
 * is read from its input by the convention every analysis follows: `out` — a result file (its companions
 * `<stem>.*` beside it) or, without an extension or when it is an existing folder, a folder — and `folder`, a folder.
 * A folder is the job's own when it did not exist or was empty (a recorded run's folder; its mark and checkpoints
 * aside): what appears in it goes. A
 * folder that already held files is shared with whatever else writes there, so nothing in it is removed. A training's
 * checkpoints (`.checkpoints`, from which a stopped or killed run resumes) are kept.
 */
import { existsSync, lstatSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { writeError } from "../io/disk.js";
import { RUN_MARK } from "../store/run-mark.js";
import { serveWorkerJob } from "../workers/job.js";
import { type AnalysisEvent, type StageHooks, Stopped } from "./stages.js";

/** What a job posts back: the computation's summary, or that it stopped (with the stages timed until then). */
export type JobOutcome<S> = { stopped: false; summary: S } | { stopped: true; seconds: Record<string, number> };

/** Kept when a job fails: a training resumes from these. */
const KEPT = ".checkpoints";

/** What a folder may hold and still be a job's own: its checkpoints, and the mark the lifecycle leaves in a recorded
 *  run's result folder outside its project. Both are kept. */
export const OWN_FOLDER_MARKS: ReadonlySet<string> = new Set([KEPT, RUN_MARK]);

/** One output place of a job: a folder (everything in it), or a result file and its `<stem>.*` companions. */
type Place = { kind: "folder"; path: string } | { kind: "file"; path: string };

export function outputPlaces(input: unknown): Place[] {
  const i = (input ?? {}) as { out?: unknown; folder?: unknown };
  const places: Place[] = [];
  if (typeof i.folder === "string" && i.folder) places.push({ kind: "folder", path: i.folder });
  if (typeof i.out === "string" && i.out) {
    const isFolder = existsSync(i.out) ? lstatSync(i.out).isDirectory() : extname(i.out) === "";
    places.push({ kind: isFolder ? "folder" : "file", path: i.out });
  }
  return places;
}

/** A file's identity: a file replaced (renamed over) or rewritten is not the one that was there. */
function identity(path: string): string {
  const s = lstatSync(path, { bigint: true });
  return `${s.ino}:${s.mtimeNs}:${s.size}`;
}

/** Every path under `dir` (files and folders, depth first, children before their folder), its marks left out. */
function walk(dir: string, into: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (OWN_FOLDER_MARKS.has(name)) continue;
    const path = join(dir, name);
    if (lstatSync(path).isDirectory()) walk(path, into);
    into.push(path);
  }
  return into;
}

/** A file output's own names in its folder: the result and its `<stem>.*` companions. */
function companions(out: string): string[] {
  const dir = dirname(out);
  if (!existsSync(dir)) return [];
  const name = basename(out);
  const stem = `${name.slice(0, name.length - extname(name).length)}.`;
  return readdirSync(dir)
    .filter((f) => f === name || f.startsWith(stem))
    .map((f) => join(dir, f));
}

/** What was at a job's output places before it ran; `discard()` removes what the job made there since. */
export function outputGuard(places: readonly Place[]): { discard(): void } {
  const before = new Map<string, string>();
  const made: string[] = [];
  const listing = (p: Place) => (p.kind === "folder" ? (existsSync(p.path) ? walk(p.path) : []) : companions(p.path));
  // A folder that held something before is not the job's alone: left as it is.
  const own = places.filter(
    (p) => p.kind === "file" || !existsSync(p.path) || readdirSync(p.path).every((name) => OWN_FOLDER_MARKS.has(name)),
  );
  for (const p of own) {
    if (p.kind === "folder") {
      // The folders the job will make: its own, and any missing parent.
      for (let dir = p.path; !existsSync(dir) && dirname(dir) !== dir; dir = dirname(dir)) made.push(dir);
    }
    for (const path of listing(p)) before.set(path, identity(path));
  }
  return {
    discard() {
      for (const p of own)
        for (const path of listing(p)) {
          const was = before.get(path);
          try {
            if (lstatSync(path).isDirectory()) {
              if (!was && readdirSync(path).length === 0) rmdirSync(path);
            } else if (was !== identity(path)) rmSync(path, { force: true });
          } catch {
            // Already gone, or not ours to remove: left as it is.
          }
        }
      // The folders the job made, when nothing is left in them (a training's checkpoints keep theirs).
      for (const dir of made)
        try {
          if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
        } catch {
          // In use by something else: left.
        }
    },
  };
}

export function serveAnalysis<I, S>(work: (input: I, hooks: StageHooks) => Promise<S>): Promise<void> {
  return serveWorkerJob<I, AnalysisEvent, JobOutcome<S>>(async (input, emit, shouldStop) => {
    const places = outputPlaces(input);
    let guard: { discard(): void } = { discard() {} };
    try {
      guard = outputGuard(places);
    } catch {
      // An output place that cannot be listed: the job's own writing will say what is wrong with it.
    }
    try {
      return { stopped: false, summary: await work(input, { emit, shouldStop }) };
    } catch (e) {
      guard.discard();
      if (e instanceof Stopped) return { stopped: true, seconds: e.seconds };
      // A raw ENOSPC (a writer that does not say which file) is the disk-full error, naming the output.
      throw writeError((e as NodeJS.ErrnoException | null)?.path ?? places[0]?.path ?? ".", e);
    }
  });
}
