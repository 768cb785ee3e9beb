/** Panel folds for estimating imputation accuracy: every panel gene held out exactly once, seeded, balanced. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { panelFolds } from "../analysis/impute/folds.js";

test("k-fold over panel genes: each gene held out once, sizes within one, the same for the same seed and not for another", () => {
  const folds = panelFolds(33, { kind: "kfold", k: 5 }, 1);
  assert.equal(folds.length, 5);
  assert.deepEqual(
    folds.flatMap((f) => Array.from(f)).sort((a, b) => a - b),
    [...Array(33).keys()],
  );
  const sizes = folds.map((f) => f.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes}`);
  assert.deepEqual(panelFolds(33, { kind: "kfold", k: 5 }, 1), folds);
  assert.notDeepEqual(panelFolds(33, { kind: "kfold", k: 5 }, 2), folds);
  // More folds than genes: one gene per fold.
  assert.equal(panelFolds(3, { kind: "kfold", k: 5 }, 1).length, 3);
});

test("leave-one-gene-out holds out each panel gene alone; no evaluation gives no folds", () => {
  assert.deepEqual(
    panelFolds(4, { kind: "logo" }, 1).map((f) => Array.from(f)),
    [[0], [1], [2], [3]],
  );
  assert.deepEqual(panelFolds(4, { kind: "none" }, 1), []);
});
