/** One API method: its payload's schema and what it does with the session. Analyses declare theirs with `method`. */
import { type Infer, int, type Schema, str } from "./schema.js";
import type { Studio } from "./studio.js";

export interface Method<S extends Schema<unknown>> {
  input: S;
  run(studio: Studio, input: Infer<S>): unknown;
}

export const method = <S extends Schema<unknown>>(input: S, run: (studio: Studio, input: Infer<S>) => unknown): Method<S> => ({
  input,
  run,
});

/** The fields most payloads share. */
export const path = str({ min: 1, max: 4096 });
export const id = int({ min: 1 });
export const name = str({ min: 1, max: 200 });
export const project = { project: path };
