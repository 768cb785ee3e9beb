/**
 * What every command that writes checks before a run is recorded or any work starts: its inputs are what they should
 * be (`io/inputs.ts`), and the files it will write can be written and overwrite nothing the user or a project keeps —
 * not one of its inputs, not a project's imported datasets, database or another run's results. One check for the CLI
 * (every command of its table) and the API (`runAnalysis` calls it).
 */
import { accessSync, constants, existsSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { type Input, isProjectDatabase } from "../io/inputs.js";
import { SettingError } from "../isomorphic/limits.js";
import { PROJECT_FILE } from "../store/project.js";
import { markedRun, type OutputClaim } from "../store/runs.js";

export interface AnalysisFiles {
  /** Files it writes. */
  writes: readonly string[];
  /** The job creates the writes' folder when it is missing (a folder output, which is then the run's own); else
   *  that folder must exist. */
  makesFolder: boolean;
}

/** What a run claims of its outputs: its folder when it makes one, else each file. */
export function outputClaims(f: AnalysisFiles): OutputClaim[] {
  const paths = f.makesFolder ? [...new Set(f.writes.map((w) => dirname(canonical(w))))] : f.writes.map(canonical);
  return paths.map((path) => ({ path, folder: f.makesFolder }));
}

/** The path with its existing part resolved through links (so two spellings of one file compare equal). */
function canonical(path: string): string {
  const abs = resolve(path);
  if (existsSync(abs)) return realpathSync(abs);
  const parent = dirname(abs);
  return parent === abs ? abs : join(canonical(parent), basename(abs));
}

/** The project whose kept data `path` would be — its database, an imported dataset, a run's files — if any. Other
 *  files in a project's folder are the user's (an integration's `--out` may go there). */
function projectKeeping(path: string): string | null {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (existsSync(join(dir, PROJECT_FILE))) {
      const [top] = relative(dir, path).split(sep);
      return top === "datasets" || top === "runs" || top!.startsWith(PROJECT_FILE) ? dir : null;
    }
    if (dirname(dir) === dir) return null;
  }
}

/** `folder`, or its nearest ancestor that exists. */
function existingFolder(folder: string): string {
  let dir = folder;
  while (!existsSync(dir)) dir = dirname(dir);
  return dir;
}

/** The recorded run whose files `path` would overwrite or write among, if any. */
function claimOn(path: string, claims: readonly (OutputClaim & { runId: number; kind: string })[]) {
  return claims.find((c) => {
    const claimed = canonical(c.path);
    return c.folder ? path.startsWith(claimed + sep) : path === claimed;
  });
}

/** Throws a SettingError naming every problem with the outputs; `ownFolder` is the run's folder in its project,
 *  the one place inside a project a run may write (the lifecycle makes it); `claims` are the outputs of the
 *  project's other runs. */
export function checkFiles(
  f: AnalysisFiles,
  inputs: readonly Input[],
  ownFolder: string | null,
  claims: readonly (OutputClaim & { runId: number; kind: string })[] = [],
): void {
  const problems = new Set<string>();
  const reads = new Set(inputs.map((i) => canonical(i.path)));
  const readFolders = [...reads].filter((r) => existsSync(r) && statSync(r).isDirectory());
  const own = ownFolder ? canonical(ownFolder) + sep : null;
  const byFolder = new Map<string, string[]>();
  const claimed = new Map<string, string[]>();
  for (const w of f.writes) {
    const path = canonical(w);
    if (reads.has(path)) problems.add(`the output ${w} is also an input; choose another name (inputs are never overwritten)`);
    else if (readFolders.some((r) => path.startsWith(r + sep)))
      problems.add(`the output ${w} is inside an input folder; choose another place (inputs are never written into)`);
    else if (isProjectDatabase(path)) problems.add(`the output ${w} is a project's database; choose another place`);
    else if (existsSync(path) && !statSync(path).isFile())
      problems.add(`the output ${w} exists and is not a file (a folder, a pipe or a device); choose another name`);
    const claim = claimOn(path, claims);
    if (claim) {
      const run = `run ${claim.runId} (${claim.kind})`;
      const at = claim.folder ? dirname(w) : w;
      claimed.set(run, [...new Set([...(claimed.get(run) ?? []), at])]);
    }
    byFolder.set(dirname(path), [...(byFolder.get(dirname(path)) ?? []), path]);
  }
  for (const [run, at] of claimed)
    problems.add(
      `${at.join(", ")} ${at.length > 1 ? "hold" : "holds"} the files of ${run}; a recorded run's files are its own — choose another place`,
    );
  for (const [folder, paths] of byFolder) {
    if (own && `${folder}${sep}`.startsWith(own)) continue;
    const mark = existsSync(folder) ? markedRun(folder) : null;
    if (mark && !claimed.has(`run ${mark.runId} (${mark.kind})`))
      problems.add(
        `the output folder ${folder} holds the files of run ${mark.runId} (${mark.kind}) of the project ${mark.project}; a recorded run's files are its own — choose another place`,
      );
    const project = paths.map(projectKeeping).find((k) => k !== null);
    if (project) {
      problems.add(
        `writing into ${folder} would touch the project ${project}'s own files (its database, imported datasets and run results are never overwritten); choose another place`,
      );
      continue;
    }
    const at = f.makesFolder ? existingFolder(folder) : folder;
    if (!existsSync(at)) problems.add(`the output folder ${folder} does not exist; create it or choose another`);
    else if (!statSync(at).isDirectory()) problems.add(`${at} is a file, not a folder; choose another output`);
    else
      try {
        accessSync(at, constants.W_OK);
      } catch {
        problems.add(`the output folder ${at} cannot be written (read-only or not yours); choose another`);
      }
  }
  if (problems.size) throw new SettingError([...problems].join("; "));
}
