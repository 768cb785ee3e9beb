/** CLI output helpers and the exit-code contract (documented in README). */
import { DiskFullError } from "../io/disk.js";
import { DataError } from "../io/errors.js";
import { SettingError } from "../isomorphic/limits.js";
import { EmptySelectionError } from "../pp/filter.js";
import { ProjectError } from "../store/project.js";

export const EXIT = { ok: 0, internal: 1, usage: 2, input: 3, project: 4, diskFull: 5 } as const;

export class UsageError extends Error {}

/** Progress lines on stderr (stdout keeps the result), silent with --quiet. */
export const sayer =
  (quiet: boolean) =>
  (line: string): void => {
    if (!quiet) process.stderr.write(`${line}\n`);
  };

export function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

export function exitCodeFor(e: unknown): number {
  if (e instanceof UsageError || e instanceof SettingError) return EXIT.usage;
  if (e instanceof DataError || e instanceof EmptySelectionError) return EXIT.input;
  if (e instanceof ProjectError) return EXIT.project;
  if (e instanceof DiskFullError) return EXIT.diskFull;
  return EXIT.internal;
}

export const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString("en-US") : n.toFixed(2));
