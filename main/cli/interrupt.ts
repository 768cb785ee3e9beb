/** Ctrl-C during a run: the first asks the job to stop at its next stop point (the run is recorded as cancelled),
 *  the second quits at once. Either way the command ends with exit code 130 (128 + SIGINT, what a shell reports for
 *  a command Ctrl-C ended), and a first Ctrl-C with one line saying what was kept — no stack trace. */
import { EXIT, StoppedError } from "./output.js";

export async function untilDone<T>(run: { cancel(): void; done: Promise<T> }, stopping: string): Promise<T> {
  let asked = false;
  const onSigint = () => {
    if (asked) process.exit(EXIT.interrupted);
    asked = true;
    run.cancel();
    process.stderr.write(`\n${stopping} (Ctrl-C again to quit at once)\n`);
  };
  process.on("SIGINT", onSigint);
  try {
    return await run.done;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

/** The error a command ends with when its run stopped on Ctrl-C (exit 130, one line, no stack trace). */
export const stopped = (what: string, runId: number | null, kept = "nothing was written") =>
  new StoppedError(`the ${what} stopped before it finished; ${kept}${runId ? `; run ${runId} is recorded as cancelled` : ""}`);
