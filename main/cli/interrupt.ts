/** Ctrl-C during a run: the first asks the job to stop at its next stop point (the run is recorded as cancelled),
 *  the second quits at once. */
export async function untilDone<T>(run: { cancel(): void; done: Promise<T> }, stopping: string): Promise<T> {
  let asked = false;
  const onSigint = () => {
    if (asked) process.exit(130);
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
