/** Writing CSV tables for spreadsheets and R/pandas: quoted where needed, numbers to 6 decimals, written atomically. */
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { writeError } from "./disk.js";

/**
 * Text a spreadsheet would run as a formula (CSV injection: a group, molecule or cell name such as `=HYPERLINK(…)` or
 * `@SUM(…)` that Excel or LibreOffice evaluates on opening) gets a leading single quote, OWASP's advice: the sheet
 * shows it as text. Text that is a plain number (`-1.5`, `+3e-4`) is left as it is; so are numbers, never text.
 */
const FORMULA = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
export const csvText = (s: string): string => (FORMULA.test(s) && !PLAIN_NUMBER.test(s) ? `'${s}` : s);

/** A text field: made harmless (`csvText`), then quoted where it holds a quote, a comma or a line break. */
export const csvField = (text: string): string => {
  const s = csvText(text);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** A number rounded to 1e-6 (p-values keep their significant digits); null and NaN as empty fields. */
export const csvNumber = (v: number | null): string =>
  v === null || Number.isNaN(v) ? "" : Math.abs(v) < 1e-3 && v !== 0 ? v.toPrecision(6) : String(Math.round(v * 1e6) / 1e6);

export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const line = (r: readonly (string | number | null)[]) => r.map((v) => (typeof v === "string" ? csvField(v) : csvNumber(v))).join(",");
  return `${[header.map(csvField).join(","), ...rows.map(line)].join("\n")}\n`;
}

/** Temp file then rename: a reader never sees half a file, and a failed write leaves none. */
export function atomicWrite(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw writeError(path, e);
  }
}
