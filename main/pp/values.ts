/** What kind of values a matrix holds, so raw counts are never confused with processed data. */
import type { Matrix } from "../data/dataset.js";

export type ValueKind = "counts" | "non-negative" | "signed";

export function describeValues(m: Matrix): ValueKind {
  const v = m.kind === "csr" ? m.data : m.values;
  let integer = true;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < 0) return "signed";
    if (integer && !Number.isInteger(v[i])) integer = false;
  }
  return integer ? "counts" : "non-negative";
}
