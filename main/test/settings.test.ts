// One table of defaults and bounds per analysis: the CLI's flags and the API's schema read the same limits and refuse
// a value outside them in the same words; the CLI's help states the table's defaults.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { INTEGRATION_DEFAULTS } from "../analyses/integrate/settings.js";
import { MARKERS_DEFAULTS } from "../analyses/markers/settings.js";
import { ApiError } from "../api/errors.js";
import { callMethod } from "../api/methods.js";
import { Studio } from "../api/studio.js";
import { CLI, PBMC_SMALL, tempDir } from "./helpers.js";

const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });

/** The API's refusal of `payload` for `method` (it must refuse). */
async function apiRefusal(method: string, payload: object): Promise<string> {
  const studio = new Studio("test");
  try {
    await callMethod(studio, method, payload);
  } catch (e) {
    assert.ok(e instanceof ApiError && e.kind === "bad-request", String(e));
    return e.message;
  } finally {
    await studio.close();
  }
  throw new Error(`${method} accepted ${JSON.stringify(payload)}`);
}

test("a bound is refused identically by the CLI and the API (markers' neighbours, integration's highly variable genes)", async (t) => {
  const dir = tempDir(t);
  const neighbors = cli("markers", PBMC_SMALL, "--groupby", "groups", "--out", join(dir, "m"), "--neighbors", "0");
  assert.equal(neighbors.status, 2, neighbors.stderr);
  const api = await apiRefusal("markers.start", { project: dir, sourceRun: 1, groupby: "groups", neighbors: 0, resolution: 1, gmt: [] });
  assert.equal(api, "neighbors needs a whole number from 2 to 200, got '0'");
  assert.match(neighbors.stderr, /^error: --neighbors needs a whole number from 2 to 200, got '0'$/m);

  const hvg = cli("integrate", PBMC_SMALL, "--out", join(dir, "x.h5ad"), "--hvg", "5.5");
  assert.equal(hvg.status, 2, hvg.stderr);
  const apiHvg = await apiRefusal("integration.start", {
    project: dir,
    datasets: [1],
    prior: "bundled",
    preset: "quick",
    seed: 0,
    hvg: 5.5,
    baselines: [],
  });
  assert.equal(apiHvg, "hvg needs a whole number from 0 to 100000, got '5.5'");
  assert.equal(hvg.stderr.trim(), `error: --${apiHvg}`);

  // A hyper-parameter the wizard's Advanced panel sets: the API refuses a learning rate of 0 (the wizard, given the
  // same limits through the plan, refuses it before sending).
  const lr = await apiRefusal("integration.start", {
    project: dir,
    datasets: [1],
    prior: "bundled",
    preset: "quick",
    hyper: { lr: 0 },
    seed: 0,
    hvg: 100,
    baselines: [],
  });
  assert.equal(lr, "hyper.lr needs a number from 0.000001 to 1, got '0'");
});

test("the CLI's help states the shared defaults", () => {
  const help = cli("--help");
  assert.equal(help.status, 0);
  assert.match(help.stdout, new RegExp(`--preset quick\\|standard\\|thorough \\(${INTEGRATION_DEFAULTS.preset}\\)`));
  assert.match(help.stdout, new RegExp(`--hvg N \\(${INTEGRATION_DEFAULTS.hvg}; 0: all genes\\)`));
  assert.match(help.stdout, new RegExp(`\\(${INTEGRATION_DEFAULTS.baselines.join(",")}\\)`));
  assert.match(help.stdout, new RegExp(`--resolution ${MARKERS_DEFAULTS.resolution}\\] \\[--neighbors ${MARKERS_DEFAULTS.neighbors}\\]`));
});
