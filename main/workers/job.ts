/**
 * A job in a worker thread: onnxruntime's `run` and WASM numerics (h5wasm, scran.js) block their thread for seconds,
 * so callers (the CLI, the web host, the Electron utility process) keep a free event loop for progress, cancel and
 * the UI. The worker module calls `serveWorkerJob`; the caller gets events, a result, cancel and kill. Bad input
 * (DataError) keeps its type across the thread boundary.
 */
import { parentPort, Worker, workerData } from "node:worker_threads";
import { DataError } from "../io/errors.js";
import { WORKER_BOOT } from "./boot-url.js";

const STOP = 1;
const KILL = 2;

type DataErrorFields = { file: string; expected: string; found: string; hint?: string };

type JobMessage<E, R> =
  | { type: "event"; event: E }
  | { type: "done"; result: R }
  | { type: "error"; message: string; data?: DataErrorFields };

export interface WorkerJob<R> {
  readonly done: Promise<R>;
  /** Asks the worker to stop at its next check (cooperative: the work decides what it keeps). */
  cancel(): void;
  /** Ends the thread as a crash would — nothing more is written — at its next check. (Terminating a thread while
   *  onnxruntime's asynchronous `run` is in flight aborts the whole process, so the crash happens between runs.) */
  kill(): Promise<void>;
}

/** Starts `entry` (a module that calls `serveWorkerJob`) in a worker thread with `input`. */
export function startWorkerJob<E, R>(what: string, entry: URL, input: unknown, onEvent?: (e: E) => void): WorkerJob<R> {
  const stop = new SharedArrayBuffer(4);
  const worker = new Worker(WORKER_BOOT, { workerData: { entry: entry.href, input, stop } });
  const done = new Promise<R>((resolve, reject) => {
    worker.on("message", (m: JobMessage<E, R>) => {
      if (m.type === "event") onEvent?.(m.event);
      else if (m.type === "done") resolve(m.result);
      else reject(m.data ? new DataError(m.data.file, m.data.expected, m.data.found, m.data.hint) : new Error(m.message));
    });
    worker.on("error", reject);
    worker.on("exit", (code) => reject(new Error(`the ${what} worker exited (code ${code}) before finishing`)));
  });
  return {
    done,
    cancel: () => Atomics.store(new Int32Array(stop), 0, STOP),
    kill: () =>
      new Promise<void>((resolve) => {
        // Work that never checks (an import) is terminated outright after a minute.
        const fallback = setTimeout(() => void worker.terminate(), 60_000);
        worker.once("exit", () => {
          clearTimeout(fallback);
          resolve();
        });
        Atomics.store(new Int32Array(stop), 0, KILL);
      }),
  };
}

/** Worker side: runs `work` on the input the caller passed and posts its events, result or error (`transfer`
 *  names result buffers to move rather than copy). */
export async function serveWorkerJob<I, E, R>(
  work: (input: I, emit: (e: E) => void, shouldStop: () => boolean) => Promise<R>,
  transfer: (result: R) => ArrayBuffer[] = () => [],
): Promise<void> {
  const { input, stop } = workerData as { input: I; stop: SharedArrayBuffer };
  const flag = new Int32Array(stop);
  const post = (m: JobMessage<E, R>, moved: ArrayBuffer[] = []) => parentPort!.postMessage(m, moved);
  try {
    const result = await work(
      input,
      (event) => post({ type: "event", event }),
      () => {
        const asked = Atomics.load(flag, 0);
        if (asked === KILL) process.exit(1); // ends this worker thread only
        return asked === STOP;
      },
    );
    post({ type: "done", result }, transfer(result));
  } catch (e) {
    post({
      type: "error",
      message: e instanceof Error ? e.message : String(e),
      ...(e instanceof DataError
        ? { data: { file: e.file, expected: e.expected, found: e.found, ...(e.hint ? { hint: e.hint } : {}) } }
        : {}),
    });
  }
}
