/**
 * Validators for API payloads. Every request crossing a host boundary (Electron IPC, HTTP, WebSocket) is untrusted:
 * it is checked against its method's schema before any work, and a mismatch is answered with a message naming the
 * field. Plain functions, no code generation.
 */
import { type Limit, rangeProblem } from "../isomorphic/limits.js";
import { ApiError } from "./errors.js";

export type Schema<T> = (value: unknown, path: string) => T;
export type Infer<S> = S extends Schema<infer T> ? T : never;

const fail = (path: string, expected: string, value: unknown): never => {
  const found = value === null ? "null" : Array.isArray(value) ? "a list" : typeof value;
  throw new ApiError("bad-request", `${path || "the request"} must be ${expected} (got ${found})`);
};

export const str =
  (o: { min?: number; max?: number; pattern?: RegExp } = {}): Schema<string> =>
  (v, path) => {
    if (typeof v !== "string") return fail(path, "a string", v);
    if (v.length < (o.min ?? 0) || v.length > (o.max ?? 4096)) return fail(path, `${o.min ?? 0}–${o.max ?? 4096} characters`, v);
    if (o.pattern && !o.pattern.test(v)) throw new ApiError("bad-request", `${path} has an unexpected form`);
    return v;
  };

export const num =
  (o: { min?: number; max?: number; integer?: boolean } = {}): Schema<number> =>
  (v, path) => {
    if (typeof v !== "number" || !Number.isFinite(v)) return fail(path, "a finite number", v);
    if (o.integer && !Number.isInteger(v)) return fail(path, "a whole number", v);
    if (v < (o.min ?? -Infinity) || v > (o.max ?? Infinity)) return fail(path, `between ${o.min} and ${o.max}`, v);
    return v;
  };

/** A number within a setting's range, refused in the same words as the CLI's flag. */
export const within =
  (limit: Limit): Schema<number> =>
  (v, path) => {
    if (typeof v !== "number") return fail(path, "a number", v);
    const problem = rangeProblem(path, v, limit);
    if (problem) throw new ApiError("bad-request", problem);
    return v;
  };

export const int = (o: { min?: number; max?: number } = {}): Schema<number> => num({ ...o, integer: true });

export const bool: Schema<boolean> = (v, path) => (typeof v === "boolean" ? v : fail(path, "true or false", v));

export const oneOf =
  <const T extends readonly string[]>(values: T): Schema<T[number]> =>
  (v, path) =>
    typeof v === "string" && values.includes(v) ? (v as T[number]) : fail(path, `one of ${values.join(", ")}`, v);

export const list =
  <T>(item: Schema<T>, o: { min?: number; max?: number } = {}): Schema<T[]> =>
  (v, path) => {
    if (!Array.isArray(v)) return fail(path, "a list", v);
    if (v.length < (o.min ?? 0) || v.length > (o.max ?? 10_000)) return fail(path, `a list of ${o.min ?? 0}–${o.max ?? 10_000} items`, v);
    return v.map((x, i) => item(x, `${path}[${i}]`));
  };

export const optional =
  <T>(s: Schema<T>): Schema<T | undefined> =>
  (v, path) =>
    v === undefined ? undefined : s(v, path);

type Shape = Record<string, Schema<unknown>>;
type FromShape<S extends Shape> = { [K in keyof S as undefined extends Infer<S[K]> ? never : K]: Infer<S[K]> } & {
  [K in keyof S as undefined extends Infer<S[K]> ? K : never]?: Infer<S[K]>;
};

/** An object with exactly these fields (unknown fields are refused, so typos do not pass silently). */
export const obj =
  <S extends Shape>(shape: S): Schema<FromShape<S>> =>
  (v, path) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return fail(path, "an object", v);
    // Own fields only, both sides: `k in shape` would let `toString`, `constructor` or `__proto__` through (every object
    // inherits them), and a field the payload does not have must not be read from its prototype.
    const extra = Object.keys(v).filter((k) => !Object.hasOwn(shape, k));
    if (extra.length) throw new ApiError("bad-request", `${path || "the request"} has unknown field(s) ${extra.join(", ")}`);
    const out: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(shape)) {
      const x = s(Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined, path ? `${path}.${k}` : k);
      if (x !== undefined) out[k] = x;
    }
    return out as FromShape<S>;
  };

/** The first schema that accepts the value. */
export const either =
  <A, B>(a: Schema<A>, b: Schema<B>, expected: string): Schema<A | B> =>
  (v, path) => {
    try {
      return a(v, path);
    } catch {
      try {
        return b(v, path);
      } catch {
        return fail(path, expected, v);
      }
    }
  };
