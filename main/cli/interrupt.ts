/** Ctrl-C during a run: the first asks the job to stop at its next stop point (the run is recorded as cancelled),
 *  the second quits at once. Either way the command ends with exit code 130 (128 + SIGINT, what a shell reports for
 *  a command Ctrl-C ended), and a first Ctrl-C with one line saying what was kept — no stack trace. */

/** The exit code of a command stopped by Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

export async function untilDone<T>(run: { cancel(): void; done: Promise<T> }, stopping: string): Promise<T> {
  let asked = false;
  const onSigint = () => {
    if (asked) process.exit(EXIT_INTERRUPTED);
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

/** Ends a command whose run stopped on Ctrl-C: `close` first (the project), then `message` and exit code 130. */
export function exitStopped(message: string, close?: () => void): never {
  close?.();
  process.stderr.write(`${message}\n`);
  process.exit(EXIT_INTERRUPTED);
}
