/**
 * The user's Studio home (`$SCILAMA_HOME`, default `~/.scilama-studio`): projects created without a chosen folder,
 * the bundled demo project (created on first launch from `resources/demo`), and the recent-projects list.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { atomicWrite } from "../io/csv.js";
import { resourcePath } from "../resources.js";
import { importDataset } from "./import.js";
import { PROJECT_FILE, Project } from "./project.js";

export function studioHome(): string {
  return process.env.SCILAMA_HOME ?? join(homedir(), ".scilama-studio");
}

export const DEMO_NAME = "Demo: PBMC 3k";

/** The demo project's folder, creating it (and importing the bundled PBMC 3k data) on first launch. */
export async function ensureDemoProject(onCreate?: (dir: string) => void): Promise<string> {
  const dir = join(studioHome(), "projects", "demo");
  if (existsSync(join(dir, PROJECT_FILE))) return dir;
  onCreate?.(dir);
  const p = Project.create(dir, DEMO_NAME);
  try {
    await importDataset(p, resourcePath("demo", "pbmc3k.h5ad"), { name: "PBMC 3k (10x Genomics, Seurat tutorial)" });
  } finally {
    p.close();
  }
  return dir;
}

export interface RecentProject {
  dir: string;
  openedAt: string;
}

const recentFile = () => join(studioHome(), "recent.json");

export function recentProjects(): RecentProject[] {
  try {
    const list = JSON.parse(readFileSync(recentFile(), "utf8")) as unknown;
    return Array.isArray(list) ? list.filter((r): r is RecentProject => typeof r?.dir === "string" && typeof r?.openedAt === "string") : [];
  } catch {
    return []; // no list yet, or a damaged one: start afresh rather than refuse to open
  }
}

/** Moves `dir` to the top of the recent list (at most 20), written temp-file-then-rename. */
export function touchRecent(dir: string): void {
  const list = [{ dir, openedAt: new Date().toISOString() }, ...recentProjects().filter((r) => r.dir !== dir)].slice(0, 20);
  mkdirSync(studioHome(), { recursive: true });
  atomicWrite(recentFile(), JSON.stringify(list, null, 1));
}
