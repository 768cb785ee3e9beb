/**
 * The heatmap's clustering (main/isomorphic/cluster.ts) against SciPy: the same average-linkage merges, heights and
 * leaf order on a seeded matrix, a case worked by hand, and rows and columns of a block matrix brought together.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { averageLinkage, clusterOrder, leafOrder } from "../isomorphic/cluster.js";
import { python, tempDir } from "./helpers.js";

const euclid = (x: Float64Array, cols: number) => (i: number, j: number) => {
  let s = 0;
  for (let c = 0; c < cols; c++) s += (x[i * cols + c]! - x[j * cols + c]!) ** 2;
  return Math.sqrt(s);
};

test("average linkage equals SciPy's linkage(…, 'average') and leaves_list on a 40 × 12 matrix", (t) => {
  const rows = 40;
  const cols = 12;
  let s = 7;
  const x = Float64Array.from({ length: rows * cols }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32 + (s % 3);
  });
  const file = join(tempDir(t), "x.f64");
  writeFileSync(file, new Uint8Array(x.buffer));
  const ref = python<{ z: number[][]; leaves: number[] }>("linkage_reference.py", file, String(rows), String(cols));
  const merges = averageLinkage(rows, euclid(x, cols));
  assert.equal(merges.length, rows - 1);
  merges.forEach((m, k) => {
    const [a, b, d, n] = ref.z[k]!;
    assert.deepEqual([m.a, m.b, m.size], [a, b, n], `merge ${k}`);
    assert.ok(Math.abs(m.distance - d!) < 1e-9, `merge ${k}: ${m.distance} vs ${d}`);
  });
  assert.deepEqual(leafOrder(rows, merges), ref.leaves);
});

test("a case by hand: 0, 1, 5, 6.5 on a line merge at 1, 1.5, then 5.25 (the mean of the four cross distances)", () => {
  const p = [0, 1, 5, 6.5];
  const merges = averageLinkage(4, (i, j) => Math.abs(p[i]! - p[j]!));
  assert.deepEqual(merges, [
    { a: 0, b: 1, distance: 1, size: 2 },
    { a: 2, b: 3, distance: 1.5, size: 2 },
    { a: 4, b: 5, distance: 5.25, size: 4 },
  ]);
  assert.deepEqual(leafOrder(4, merges), [0, 1, 2, 3]);
  assert.deepEqual(
    leafOrder(
      1,
      averageLinkage(1, () => 0),
    ),
    [0],
  );
});

test("clusterOrder brings a block matrix's alike rows and alike columns together", () => {
  // Rows 0, 2, 4 are one profile and 1, 3 another; columns 0, 3 go together and 1, 2 together.
  const a = [1, -1, -1, 1];
  const b = [-2, 2, 2, -2];
  const m = [a, b, a, b, a].flatMap((r, i) => r.map((v) => v + 0.01 * i));
  const { rows, cols } = clusterOrder(m, 5, 4);
  const together = (order: number[], set: number[]) => {
    const at = set.map((i) => order.indexOf(i)).sort((x, y) => x - y);
    return at.at(-1)! - at[0]! === set.length - 1;
  };
  assert.ok(together(rows, [0, 2, 4]) && together(rows, [1, 3]), `rows ${rows}`);
  assert.ok(together(cols, [0, 3]) && together(cols, [1, 2]), `cols ${cols}`);
  assert.deepEqual([...rows].sort(), [0, 1, 2, 3, 4]);
});
