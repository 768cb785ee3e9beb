/**
 * A write that fails because the disk is full becomes one clear message — how much space is left where, and what to
 * do — instead of a raw ENOSPC; the writers remove their temporary file either way.
 */
import { statfsSync } from "node:fs";
import { dirname } from "node:path";

export class DiskFullError extends Error {
  /** `message` keeps the words of an error made elsewhere (another thread), with the space that was left then. */
  constructor(
    readonly path: string,
    message?: string,
  ) {
    super(message ?? `the disk is full (${freeMb(dirname(path))} free on the disk holding ${dirname(path)}); free some space and retry`);
    this.name = "DiskFullError";
  }
}

function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

function freeMb(dir: string): string {
  const b = freeBytes(dir);
  return b === null ? "unknown space" : `${(b / 2 ** 20).toFixed(1)} MB`;
}

/** Less than 1 MB left on the disk holding `dir` (too little for SQLite to open a database for writing). */
export function diskIsFull(dir: string): boolean {
  const b = freeBytes(dir);
  return b !== null && b < 2 ** 20;
}

/** ENOSPC (and a full quota) as a DiskFullError naming `path`; any other error unchanged. */
export function writeError(path: string, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === "ENOSPC" || code === "EDQUOT" ? new DiskFullError(path) : e;
}
