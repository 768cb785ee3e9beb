/**
 * An input problem a biologist can act on: which file, what was expected, what was found, and what to do.
 * Everything the readers reject is a DataError; anything else escaping a reader is a bug.
 */
import { basename } from "node:path";

export class DataError extends Error {
  readonly file: string;
  readonly expected: string;
  readonly found: string;
  readonly hint?: string;

  constructor(file: string, expected: string, found: string, hint?: string) {
    super(`${basename(file) || file}: expected ${expected}, but found ${found}.${hint ? ` ${hint}` : ""}`);
    this.name = "DataError";
    this.file = file;
    this.expected = expected;
    this.found = found;
    this.hint = hint;
  }
}

/** Checks that every value is finite; throws a DataError naming the first bad one. Whether the values are usable
 *  expression (counts or normalised, not scaled) is one rule for every format, applied on import (`expressionOf`). */
export function checkValues(file: string, what: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) {
      throw new DataError(
        file,
        `finite numbers in ${what}`,
        `${v} at position ${i}`,
        "Remove or replace missing values (NaN/Inf) before importing.",
      );
    }
  }
}

export function checkUnique(file: string, what: string, names: string[], hint: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) {
      const count = names.filter((x) => x === n).length;
      throw new DataError(file, `unique ${what}`, `'${n}' ${count} times`, hint);
    }
    seen.add(n);
  }
}
