/**
 * A job in a worker thread: onnxruntime's `run` and WASM numerics (h5wasm, scran.js) block their thread for seconds,
 * so callers (the CLI, the web host, the Electron utility process) keep a free event loop for progress, cancel and
 * the UI. The worker module calls `serveWorkerJob`; the caller gets events, a result, cancel and kill. The errors
 * whose class decides what the user is told (bad input, a setting, a full disk: exit 3, 2, 5 in the CLI, HTTP 4xx or
 * 507 in the API) keep their class and words across the thread boundary; any other error stays a plain Error.
 */
import { parentPort, Worker, workerData } from "node:worker_threads";
import { DiskFullError, writeError } from "../io/disk.js";
import { DataError } from "../io/errors.js";
import { SettingError } from "../isomorphic/limits.js";
import { EmptySelectionError } from "../pp/filter.js";
import { WORKER_BOOT } from "./boot-url.js";

const STOP = 1;
const KILL = 2;

type DataErrorFields = { file: string; expected: string; found: string; hint?: string };

/** An error as it crosses the thread boundary: its message, and what rebuilds its class on the other side. */
type PostedError =
  | { kind: "data"; message: string; data: DataErrorFields }
  | { kind: "disk-full"; message: string; path: string }
  | { kind: "setting" | "empty-selection" | "other"; message: string };

type JobMessage<E, R> = { type: "event"; event: E } | { type: "done"; result: R } | ({ type: "error" } & PostedError);

/** The worker's error as posted (a raw ENOSPC becomes the disk-full error first). */
export function postedError(e: unknown): PostedError {
  const err = writeError((e as NodeJS.ErrnoException | null)?.path ?? "", e);
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof DataError)
    return {
      kind: "data",
      message,
      data: { file: err.file, expected: err.expected, found: err.found, ...(err.hint ? { hint: err.hint } : {}) },
    };
  if (err instanceof DiskFullError) return { kind: "disk-full", message, path: err.path };
  if (err instanceof SettingError) return { kind: "setting", message };
  if (err instanceof EmptySelectionError) return { kind: "empty-selection", message };
  return { kind: "other", message };
}

/** The caller's side: the error with its class back. */
export function rebuiltError(m: PostedError): Error {
  switch (m.kind) {
    case "data":
      return new DataError(m.data.file, m.data.expected, m.data.found, m.data.hint);
    case "disk-full":
      return new DiskFullError(m.path, m.message);
    case "setting":
      return new SettingError(m.message);
    case "empty-selection":
      return new EmptySelectionError(m.message);
    default:
      return new Error(m.message);
  }
}

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
      else reject(rebuiltError(m));
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
    post({ type: "error", ...postedError(e) });
  }
}
