/**
 * A setting's accepted range, and the one sentence that refuses a value outside it. The CLI's flags and the API's
 * schema both check through `rangeProblem`, so the same bound is refused in the same words by either door.
 */
export interface Limit {
  min: number;
  max: number;
  /** Whole numbers only. */
  integer?: boolean;
}

/** Why `value` is not acceptable for `name` under `limit`, or null when it is; `shown` is how the refusal quotes the
 *  value (the CLI quotes the text that was typed). */
export function rangeProblem(name: string, value: unknown, limit: Limit, shown = String(value)): string | null {
  const n = typeof value === "number" ? value : Number.NaN;
  if (Number.isFinite(n) && n >= limit.min && n <= limit.max && (!limit.integer || Number.isInteger(n))) return null;
  return `${name} needs ${limit.integer ? "a whole number" : "a number"} from ${limit.min} to ${limit.max}, got '${shown}'`;
}

/** A setting refused before any work starts; the message names the setting as the caller spells it (a CLI flag, an
 *  API field). The CLI answers it as a usage error, the API as a bad request. */
export class SettingError extends Error {
  override name = "SettingError";
}
