/** CLI output helpers and the exit-code contract (documented in README). */
import type { AnalysisEvent } from "../analyses/stages.js";
import { DiskFullError } from "../io/disk.js";
import { DataError } from "../io/errors.js";
import { SettingError } from "../isomorphic/limits.js";
import { EmptySelectionError } from "../pp/filter.js";
import { NoChromiumError } from "../report/chromium.js";
import { ProjectError } from "../store/project.js";

export const EXIT = { ok: 0, internal: 1, usage: 2, input: 3, project: 4, diskFull: 5, interrupted: 130 } as const;

export class UsageError extends Error {}

/** A run the user stopped (Ctrl-C): exit 130, what was kept, no stack trace. */
export class StoppedError extends Error {}

/** Progress lines on stderr (stdout keeps the result), silent with --quiet. */
export const sayer =
  (quiet: boolean) =>
  (line: string): void => {
    if (!quiet) process.stderr.write(`${line}\n`);
  };

/** Stages as they come, training progress every 2 s, on stderr. */
export function progressPrinter(quiet: boolean): (e: AnalysisEvent) => void {
  let last = 0;
  const say = sayer(quiet);
  return (e) => {
    if (e.type === "stage") return say(`· ${e.stage}`);
    const now = performance.now();
    if (now - last < 2000) return;
    last = now;
    const p = e.progress;
    const loss = p.losses.loss?.toFixed(1) ?? "";
    say(
      `  ${e.variant} | ${p.phase} | epoch ${p.epoch + 1}/${p.epochs} | loss ${loss} | ${p.cellsPerSec.toFixed(0)} cells/s | ${p.provider}`,
    );
  };
}

/** The last lines every analysis command prints: what it wrote, where the run is recorded, how long each stage took. */
export function runLines(wrote: string, runId: number | null, projectDir: string | undefined, seconds: Record<string, number>): string[] {
  return [
    `wrote ${wrote}`,
    ...(runId ? [`recorded as run ${runId} of ${projectDir}`] : []),
    `time: ${Object.entries(seconds)
      .map(([k, s]) => `${k} ${s.toFixed(1)} s`)
      .join(", ")}`,
  ];
}

export function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

export function exitCodeFor(e: unknown): number {
  if (e instanceof StoppedError) return EXIT.interrupted;
  if (e instanceof NoChromiumError) return EXIT.usage; // the command cannot run here as asked; the message says why
  if (e instanceof UsageError || e instanceof SettingError) return EXIT.usage;
  if (e instanceof DataError || e instanceof EmptySelectionError) return EXIT.input;
  if (e instanceof ProjectError) return EXIT.project;
  if (e instanceof DiskFullError) return EXIT.diskFull;
  return EXIT.internal;
}

export const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString("en-US") : n.toFixed(2));
