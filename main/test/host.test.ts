/**
 * The web host and the API it serves: the page's CSP and token cookie, uploads streamed into the project and imported,
 * the integration wizard's questions answered from real data, and bad input reported with its structured reason.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { IntegrationPlan, PriorCoverage, ProjectView, StudioEvent } from "../api/contract.js";
import { Studio } from "../api/studio.js";
import { type Host, startHost } from "../host/server.js";
import { waitFor } from "./helpers.js";

const PANCREAS = join(
  import.meta.dirname,
  "..",
  "..",
  "..",
  "shared",
  "data",
  "pancreas",
  "cepo_sce_pancreas_528cells_1403genes_3batches.h5ad",
);
const home = mkdtempSync(join(tmpdir(), "studio-host-"));
process.env.SCILAMA_HOME = home;
const rendererDir = join(home, "renderer");
let studio: Studio;
let host: Host;
const events: StudioEvent[] = [];

before(async () => {
  mkdirSync(rendererDir, { recursive: true });
  writeFileSync(join(rendererDir, "index.html"), "<!doctype html><title>t</title>");
  studio = new Studio("test");
  studio.on((e) => events.push(e));
  host = await startHost({ studio, rendererDir });
});

after(async () => {
  await host.close();
  await studio.close();
});

const origin = () => `http://127.0.0.1:${host.port}`;

async function call(method: string, payload: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${origin()}/api/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-studio-token": host.token, ...headers },
    body: JSON.stringify(payload),
  });
  return {
    status: res.status,
    body: (await res.json()) as { result?: unknown; error?: { kind: string; message: string; data?: unknown } },
  };
}

// Refusals (token, Host, Origin, bodies, payloads, paths) are in the table-driven refusals-web.test.ts.
test("the page sets a strict CSP and an HttpOnly token cookie, which then authorises API calls", async () => {
  const page = await fetch(`${origin()}/?token=${host.token}`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'self'.*object-src 'none'/);
  assert.match(page.headers.get("set-cookie") ?? "", /studio_token=.*HttpOnly; SameSite=Strict/);
  const withCookie = await fetch(`${origin()}/api/home`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: `studio_token=${host.token}` },
    body: "{}",
  });
  assert.equal(withCookie.status, 200);
});

test("home creates the demo project once; a project, an upload imported, the wizard's plan and coverage", async () => {
  const h = (await call("home", {})).body.result as { demo: string; recent: { dir: string }[] };
  assert.ok(existsSync(join(h.demo, "project.sqlite")));
  assert.equal(h.recent[0]!.dir, h.demo);
  const view = (await call("project.create", { name: "Host test" })).body.result as ProjectView;
  assert.equal(view.name, "Host test");
  const dup = await call("project.create", { name: "Host test" });
  assert.equal(dup.body.error!.kind, "busy");

  const up = await fetch(`${origin()}/upload?project=${encodeURIComponent(view.dir)}&name=pancreas.h5ad`, {
    method: "POST",
    headers: { "x-studio-token": host.token },
    body: readFileSync(PANCREAS),
  });
  const path = ((await up.json()) as { result: { path: string } }).result.path;
  assert.equal(path.split(/[\\/]/).pop(), "pancreas.h5ad");
  const { ticket } = (await call("dataset.import", { project: view.dir, path, name: "pancreas" })).body.result as { ticket: string };
  const done = await waitFor(() => events.find((e) => e.type === "import-done" && e.ticket === ticket));
  assert.equal(done.type === "import-done" && done.error, null);
  assert.ok(
    events.some((e) => e.type === "import" && e.ticket === ticket && e.phase === "write"),
    "progress events arrive",
  );
  assert.deepEqual(readdirSync(join(view.dir, "uploads")), [], "the uploaded copy is removed once imported");
  const after = (await call("project.view", { project: view.dir })).body.result as ProjectView;
  const d = after.datasets.find((x) => x.name === "pancreas")!;
  assert.equal(d.cells, 528);
  assert.equal(d.genes, 1403);

  const plan = (await call("integration.plan", { project: view.dir, datasets: [d.id] })).body.result as IntegrationPlan;
  assert.deepEqual(plan.suggested, { batch: "batch", label: "cellTypes" });
  assert.equal(plan.cells, 528);
  assert.equal(plan.sharedGenes, 1403);
  const guess = plan.columns.find((c) => c.name === "study_guess");
  assert.ok(guess, "every cell column is offered");
  const cov = (await call("integration.coverage", { project: view.dir, datasets: [d.id], prior: "bundled" })).body.result as PriorCoverage;
  assert.equal(cov.covered, 1393);
  assert.equal(cov.genes, 1403);

  const badColumn = await call("integration.start", {
    project: view.dir,
    datasets: [d.id],
    batch: "no_such_column",
    prior: "bundled",
    preset: "quick",
    seed: 0,
    hvg: 0,
    baselines: [],
  });
  assert.equal(badColumn.status, 400);
  assert.match(badColumn.body.error!.message, /the batch column 'no_such_column' is not a cell column of /);
  assert.equal(((await call("project.view", { project: view.dir })).body.result as ProjectView).runs.length, 0, "nothing started");
});

test("a bad file is refused with its structured reason and leaves no dataset", async () => {
  const view = (await call("project.create", { name: "Bad input" })).body.result as ProjectView;
  const bad = join(home, "broken.h5ad");
  writeFileSync(bad, readFileSync(PANCREAS).subarray(0, 30_000));
  const { ticket } = (await call("dataset.import", { project: view.dir, path: bad })).body.result as { ticket: string };
  const done = await waitFor(() => events.find((e) => e.type === "import-done" && e.ticket === ticket));
  assert.match(done.type === "import-done" ? (done.error ?? "") : "", /broken\.h5ad: expected .*(truncated|corrupt)/s);
  assert.equal(((await call("project.view", { project: view.dir })).body.result as ProjectView).datasets.length, 0);
  const missing = await call("dataset.import", { project: view.dir, path: join(home, "nothing.h5ad") });
  assert.equal(missing.body.error!.kind, "not-found");
});
