/**
 * Train / validation / test splits of the screened pairs, 8:1:1, seeded:
 *  - random: the pairs of each cell line split 8:1:1 (TGSA's protocol). Stratifying keeps every line in training with
 *    ~80% of its pairs, so the test measures filling in a partly screened line, not a line's absence by chance;
 *  - cells: cell lines split 8:1:1, each with all its pairs (a new cell line, no drug measured on it);
 *  - drugs: drugs split 8:1:1, each with all its pairs (a new drug).
 * Validation (early stopping, model choice) and test are disjoint by construction.
 */
import { Rng } from "../../native-models/random.js";
import type { Pairs } from "./tables.js";

export const SPLITS = ["random", "cells", "drugs"] as const;
export type SplitKind = (typeof SPLITS)[number];

/** Pair indices, ascending. */
export interface Split {
  train: Int32Array;
  val: Int32Array;
  test: Int32Array;
}

/** How many of n shuffled items go to test (the first tenth, rounded) and to validation (the next); the rest train. */
function parts(n: number): { test: number; val: number } {
  const test = Math.round(n / 10);
  return { test, val: Math.round((2 * n) / 10) - test };
}

/** Items 0…n−1 shuffled into 8:1:1: 0 train, 1 validation, 2 test for each. */
function assign(n: number, rng: Rng): Uint8Array {
  const order = rng.permutation(n);
  const { test, val } = parts(n);
  const out = new Uint8Array(n);
  order.forEach((g, i) => {
    out[g] = i < test ? 2 : i < test + val ? 1 : 0;
  });
  return out;
}

const STREAM: Record<SplitKind, number> = { random: 0x52414e44, cells: 0x43454c4c, drugs: 0x44525547 };

export function splitPairs(pairs: Pairs, kind: SplitKind, seed: number): Split {
  const n = pairs.y.length;
  const rng = new Rng(seed, STREAM[kind]);
  const part = new Uint8Array(n);
  if (kind === "random") {
    const byLine = Array.from(pairs.cellLines, () => [] as number[]);
    for (let i = 0; i < n; i++) byLine[pairs.cell[i]!]!.push(i);
    for (const members of byLine) {
      const which = assign(members.length, rng);
      members.forEach((p, j) => {
        part[p] = which[j]!;
      });
    }
  } else {
    const key = kind === "cells" ? pairs.cell : pairs.drug;
    const which = assign(kind === "cells" ? pairs.cellLines.length : pairs.drugs.length, rng);
    for (let i = 0; i < n; i++) part[i] = which[key[i]!]!;
  }
  const pick = (p: number) => Int32Array.from(part.keys()).filter((i) => part[i] === p);
  return { train: pick(0), val: pick(1), test: pick(2) };
}
