/** Reading the command line's flags: numbers within a setting's range, choices, lists (refused in the API's words). */
import { type Limit, rangeProblem } from "../isomorphic/limits.js";
import { UsageError } from "./output.js";

export function num(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${flag} needs a number, got '${v}'`);
  return n;
}

/** A number flag that must lie within a setting's range (refused in the API's words). */
export function bounded(v: string | undefined, flag: string, limit: Limit): number | undefined {
  if (v === undefined) return undefined;
  const problem = rangeProblem(`--${flag}`, v.trim() === "" ? Number.NaN : Number(v), limit, v);
  if (problem) throw new UsageError(problem);
  return Number(v);
}

export function oneOf<T extends string>(v: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new UsageError(`--${flag} must be one of ${allowed.join(", ")}; got '${v}'`);
  return v as T;
}

/** `all`, `none` or a comma-separated list of `allowed`. */
export function baselineList<T extends string>(v: string, allowed: readonly T[]): T[] {
  if (v === "all") return [...allowed];
  if (v === "none") return [];
  return v.split(",").map((b) => oneOf(b.trim(), allowed, "baselines")!);
}
