/**
 * What every analysis checks before a run is recorded or any work starts: the files it will write can be written and
 * overwrite nothing the user or a project keeps — not one of its inputs, not a project's imported datasets, database
 * or another run's results. One check for the CLI and the API (`runAnalysis` calls it).
 */
import { accessSync, constants, existsSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { SettingError } from "../isomorphic/limits.js";
import { PROJECT_FILE } from "../store/project.js";

export interface AnalysisFiles {
  /** Files the job reads. */
  reads: readonly string[];
  /** Files it writes. */
  writes: readonly string[];
  /** The job creates the writes' folder when it is missing (a folder output); else that folder must exist. */
  makesFolder: boolean;
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

/** Throws a SettingError naming every problem with the outputs; `ownFolder` is the run's folder in its project,
 *  the one place inside a project a run may write (the lifecycle makes it). */
export function checkFiles(f: AnalysisFiles, ownFolder: string | null): void {
  const problems: string[] = [];
  const reads = new Set(f.reads.map(canonical));
  const own = ownFolder ? canonical(ownFolder) + sep : null;
  const byFolder = new Map<string, string[]>();
  for (const w of f.writes) {
    const path = canonical(w);
    if (reads.has(path)) problems.push(`the output ${w} is also an input; choose another name (inputs are never overwritten)`);
    byFolder.set(dirname(path), [...(byFolder.get(dirname(path)) ?? []), path]);
  }
  for (const [folder, paths] of byFolder) {
    if (own && `${folder}${sep}`.startsWith(own)) continue;
    const project = paths.map(projectKeeping).find((k) => k !== null);
    if (project) {
      problems.push(
        `writing into ${folder} would touch the project ${project}'s own files (its database, imported datasets and run results are never overwritten); choose another place`,
      );
      continue;
    }
    const at = f.makesFolder ? existingFolder(folder) : folder;
    if (!existsSync(at)) problems.push(`the output folder ${folder} does not exist; create it or choose another`);
    else if (!statSync(at).isDirectory()) problems.push(`${at} is a file, not a folder; choose another output`);
    else
      try {
        accessSync(at, constants.W_OK);
      } catch {
        problems.push(`the output folder ${at} cannot be written (read-only or not yours); choose another`);
      }
  }
  if (problems.length) throw new SettingError(problems.join("; "));
}
