/**
 * The table-driven refusal suites' one harness: a case is a command line (or a request) and the refusal it must get —
 * the exit code the README documents, the message's key words, no stack trace, no hang (a time limit), and nothing of
 * the user's or the project's changed (its datasets, its runs, every file's hash). Each case is printed with its
 * outcome and time; each suite's last line counts its cases by outcome (the closing note's table adds them up).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { after } from "node:test";
import { isDeepStrictEqual } from "node:util";
import type { StudioEvent } from "../api/contract.js";
import { callMethod } from "../api/methods.js";
import type { Studio } from "../api/studio.js";
import { importDataset } from "../store/import.js";
import { Project } from "../store/project.js";
import { CELLBENCH, CLI, PBMC_SMALL, projectState, tempDir, waitFor } from "./helpers.js";

/** Where a suite's cases run: a scratch folder, a copy of pbmc_small in it, and a project holding pbmc_small. */
export type Where = { dir: string; input: string; project: string };
export type Case = [name: string, args: (d: Where) => string[] | Promise<string[]>, exit: number, message: RegExp];

/** No refusal may take longer: a case past it is a hang (a FIFO waited on, /dev/zero read to the end). */
export const HANG_SECONDS = 90;

/** Runs `scilama` as a user would, with a time limit; `status` is null when it was killed for hanging. */
export function cli(args: string[], o: { input?: string; env?: Record<string, string> } = {}) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    timeout: HANG_SECONDS * 1000,
    killSignal: "SIGKILL",
    ...(o.input !== undefined ? { input: o.input } : {}),
    ...(o.env ? { env: { ...process.env, ...o.env } } : {}),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (performance.now() - started) / 1000 };
}

/** How a suite's cases ended, printed as its last line. */
export class Tally {
  cases = 0;
  clean = 0;
  internal = 0;
  silent = 0;
  hangs = 0;
  lost = 0;
  constructor(readonly suite: string) {
    after(() => console.log(`# ${this.line()}`));
  }
  line(): string {
    return `${this.suite}: ${this.cases} cases — ${this.clean} clean refusals, ${this.internal} internal errors, ${this.silent} accepted silently, ${this.hangs} hangs, ${this.lost} that changed a file or the project`;
  }
  /** Counts one outcome: a hang, an internal error (exit 1, a stack trace, HTTP 5xx), a success where a refusal was
   *  due (silent), a changed file or record, or a clean refusal (the expected code and words, nothing changed). */
  count(o: { hung: boolean; internal: boolean; silent: boolean; changed: boolean; clean: boolean }): void {
    this.cases++;
    if (o.hung) this.hangs++;
    else if (o.internal) this.internal++;
    else if (o.silent) this.silent++;
    if (o.changed) this.lost++;
    if (o.clean && !o.changed && !o.hung) this.clean++;
  }
}

/** A fresh input file and a project holding pbmc_small as dataset 1. */
export async function setup(t: { after(fn: () => void): void }): Promise<Where> {
  const dir = tempDir(t);
  const input = join(dir, "input.h5ad");
  copyFileSync(PBMC_SMALL, input);
  chmodSync(input, 0o644);
  const project = join(dir, "project");
  const p = Project.create(project, "Refusals");
  await importDataset(p, PBMC_SMALL);
  p.close();
  return { dir, input, project };
}

const STACK = /\n\s+at /;

/** Runs each case: its exit code, message, no stack trace, no hang, and the project and every file as they were.
 *  `state` is what must not change (by default every file under the scratch folder and the project's records). */
export async function refuse(
  tally: Tally,
  w: Where,
  cases: readonly Case[],
  also?: (c: Case, stderr: string) => void,
  state: () => unknown = () => projectState(w.dir, w.project),
): Promise<void> {
  let before = state();
  const failures: string[] = [];
  for (const c of cases) {
    const [name, args, exit, message] = c;
    const r = cli(await args(w));
    const now = state();
    const changed = !isDeepStrictEqual(now, before);
    if (changed) before = now; // each case is judged on its own
    const internal = r.status === 1 || STACK.test(r.stderr);
    tally.count({
      hung: r.status === null,
      internal,
      silent: r.status === 0 && exit !== 0,
      changed,
      clean: r.status === exit && message.test(r.stderr) && !internal,
    });
    console.log(
      `# ${name}: ${r.status === null ? "HUNG (killed)" : `exit ${r.status}`} in ${r.seconds.toFixed(1)} s — ${r.stderr.trim().split("\n").at(-1)}`,
    );
    const problems = [
      r.status === null ? `hung for ${HANG_SECONDS} s` : null,
      r.status !== null && r.status !== exit ? `exit ${r.status}, not ${exit}` : null,
      message.test(r.stderr) ? null : `the message does not match ${message}`,
      STACK.test(r.stderr) ? "a stack trace" : null,
      changed ? "a file or the project changed" : null,
    ].filter((p) => p !== null);
    if (problems.length) failures.push(`${name}: ${problems.join("; ")} — ${r.stderr.trim()}`);
    else also?.(c, r.stderr);
  }
  // Every case runs; the failures are listed together.
  assert.deepEqual(failures, [], failures.join("\n"));
}

/** A recorded drug-response prediction into `out` (CellBench's three lines, one drug: seconds), as a command line. */
export const drugRun = (out: string, project: string) => [
  "drugs",
  "predict",
  CELLBENCH,
  "--groupby",
  "cell_line",
  "--drugs",
  "Erlotinib",
  "--out",
  out,
  "--project",
  project,
  "--quiet",
];

/** A quick integration of dataset 1 run to the end through the Studio (3 epochs); its run id. */
export async function integratedRun(studio: Studio, project: string): Promise<number> {
  const events: StudioEvent[] = [];
  const off = studio.on((e) => events.push(e));
  try {
    const { runId } = (await callMethod(studio, "integration.start", {
      project,
      datasets: [1],
      label: "RNA_snn_res.1",
      prior: "bundled",
      preset: "quick",
      hyper: { maxEpochs: 3 },
      seed: 0,
      hvg: 0,
      baselines: [],
    })) as { runId: number };
    const done = await waitFor(() => events.find((e) => e.type === "run-done" && e.runId === runId));
    assert.ok(done.type === "run-done" && done.status === "succeeded", JSON.stringify(done));
    return runId;
  } finally {
    off();
  }
}
