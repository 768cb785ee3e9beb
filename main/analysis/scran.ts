/**
 * scran.js (libscran compiled to WebAssembly) loaded once per process, with one thread per available core.
 * Everything it returns lives on the WebAssembly heap: callers free it with `free()` in a `finally`.
 */
import { availableParallelism } from "node:os";
import * as scranJs from "scran.js";

export type Scran = typeof scranJs;

let ready: Promise<Scran> | null = null;

/** The initialised module (initialises it on first use; later calls return the same instance). */
export function scran(): Promise<Scran> {
  ready ??= scranJs.initialize({ numberOfThreads: Math.max(1, availableParallelism()) }).then(
    () => scranJs,
    (e: unknown) => {
      ready = null;
      throw e;
    },
  );
  return ready;
}

/** Frees every non-null scran.js object given (WASM memory is not garbage collected). */
export function release(...objects: ({ free(): void } | null | undefined)[]): void {
  for (const o of objects) o?.free();
}
