/**
 * The bad-input suite for the web host, table-driven: foreign or unauthenticated requests, malformed addresses and
 * bodies, invalid payloads and settings, each → its HTTP status, the message's key words, and the project (its
 * datasets, runs and every file's hash) as it was. Requests are made with node:http so that Host and Origin can be
 * forged as a hostile page or a DNS-rebinding attack would. Each case is printed; the last line counts them.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { isDeepStrictEqual } from "node:util";
import type { ProjectView } from "../api/contract.js";
import { callMethod } from "../api/methods.js";
import { Studio } from "../api/studio.js";
import { type Host, startHost } from "../host/server.js";
import { importDataset } from "../store/import.js";
import { Project } from "../store/project.js";
import { recordReport } from "../store/runs.js";
import { PBMC_SMALL, projectState } from "./helpers.js";
import { integratedRun, Tally } from "./refusal-harness.js";

const home = mkdtempSync(join(tmpdir(), "studio-refusals-"));
process.env.SCILAMA_HOME = home;
const project = join(home, "project");
let studio: Studio;
let host: Host;
/** A recorded integration whose folder is moved out of the project before the cases (the project still lists it). */
let movedRun = 0;

before(async () => {
  const renderer = join(home, "renderer");
  mkdirSync(renderer, { recursive: true });
  writeFileSync(join(renderer, "index.html"), "<!doctype html><title>studio page</title>");
  writeFileSync(join(home, "secret.txt"), "do not serve");
  execFileSync("mkfifo", [join(home, "pipe")]);
  const p = Project.create(project, "Web refusals");
  await importDataset(p, PBMC_SMALL);
  p.close();
  studio = new Studio("test");
  host = await startHost({ studio, rendererDir: renderer });
  movedRun = await integratedRun(studio, project);
  // Its PDF report, as `run.report` records it (the file's content does not matter here).
  const q = Project.open(project);
  writeFileSync(q.path("runs", String(movedRun), "report.pdf"), "%PDF-1.4\n");
  recordReport(q, movedRun, "Integration", join("runs", String(movedRun), "report.pdf"));
  q.close();
  renameSync(join(project, "runs", String(movedRun)), join(home, "moved-run"));
});

after(async () => {
  await host.close();
  await studio.close();
  rmSync(home, { recursive: true, force: true });
});

interface Req {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Leave out the token header (it is sent by default). */
  anonymous?: boolean;
}

/** One request as any client could send it (Host and Origin included); resolves with the status and the body. */
function send(r: Req): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      host: `127.0.0.1:${host.port}`,
      ...(r.anonymous ? {} : { "x-studio-token": host.token }),
      ...(r.body !== undefined ? { "content-type": "application/json" } : {}),
      ...r.headers,
    };
    const req = request({ host: "127.0.0.1", port: host.port, method: r.method ?? "POST", path: r.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    });
    // The host may answer before it has read a refused body; the client then sees its write cut short.
    req.on("error", (e: NodeJS.ErrnoException) => (e.code === "EPIPE" || e.code === "ECONNRESET" ? undefined : reject(e)));
    req.end(r.body);
  });
}

const api = (method: string, payload: unknown, extra: Partial<Req> = {}): Req => ({
  path: `/api/${method}`,
  body: JSON.stringify(payload),
  ...extra,
});

/** A valid integration start on dataset 1, to be spoiled one field at a time. */
const start = (over: Record<string, unknown>) =>
  api("integration.start", { project, datasets: [1], prior: "bundled", preset: "quick", seed: 0, hvg: 0, baselines: [], ...over });

type Case = [name: string, req: () => Req, status: number, message: RegExp];

const FORBIDDEN = /open the address printed when the app started/;
const TWICE = /Dataset 1 is listed twice; list each dataset once/;
const MISSING = /Run (\d+)'s files are missing at .*runs\/\1 \(moved or deleted\?\)\. The project still lists the run; put its folder back/;
const CASES: Case[] = [
  ["no token", () => api("home", {}, { anonymous: true }), 403, FORBIDDEN],
  ["a wrong token", () => api("home", {}, { headers: { "x-studio-token": "nope" } }), 403, FORBIDDEN],
  ["a wrong token in the cookie", () => api("home", {}, { anonymous: true, headers: { cookie: "studio_token=nope" } }), 403, FORBIDDEN],
  ["a foreign Origin (another web page)", () => api("home", {}, { headers: { origin: "http://evil.example" } }), 403, FORBIDDEN],
  ["a foreign Host (DNS rebinding)", () => api("home", {}, { headers: { host: `evil.example:${host.port}` } }), 403, FORBIDDEN],
  [
    "a Host that only starts like ours",
    () => api("home", {}, { headers: { host: `127.0.0.1:${host.port}.evil.example` } }),
    403,
    FORBIDDEN,
  ],
  ["the page without a token", () => ({ method: "GET", path: "/", anonymous: true }), 403, FORBIDDEN],
  [
    "the event channel without a token",
    () => ({
      method: "GET",
      path: "/events",
      anonymous: true,
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    }),
    403,
    /^$/,
  ],
  ["a path out of the renderer folder", () => ({ method: "GET", path: "/..%2Fsecret.txt" }), 200, /studio page/],
  ["a path out of the renderer folder, dots escaped", () => ({ method: "GET", path: "/%2e%2e/%2e%2e/secret.txt" }), 200, /studio page/],
  ["a malformed %-escape", () => ({ method: "GET", path: "/%E0%A4%A" }), 400, /not a valid URL \(a malformed %-escape\)/],
  ["an oversized body", () => api("home", {}, { body: JSON.stringify({ pad: "x".repeat(2 << 20) }) }), 400, /The request is too large/],
  ["a body that is not JSON", () => api("home", {}, { body: "{not json" }), 400, /not valid JSON/],
  ["a body without the JSON content type", () => api("home", {}, { headers: { "content-type": "text/plain" } }), 400, /must be JSON/],
  ["an unknown method", () => api("project.drop", {}), 400, /no API method 'project\.drop'/],
  ["an unknown field", () => api("home", { evil: 1 }), 400, /unknown field\(s\) evil/],
  ["an inherited name as a field (toString)", () => api("home", { toString: 1 }), 400, /unknown field\(s\) toString/],
  [
    "an inherited name as a field (constructor)",
    () => api("project.view", { project, constructor: 1 }),
    400,
    /unknown field\(s\) constructor/,
  ],
  ["__proto__ as a field", () => ({ path: "/api/home", body: '{"__proto__": {"evil": 1}}' }), 400, /unknown field\(s\) __proto__/],
  ["a dataset listed twice (integration)", () => start({ datasets: [1, 1] }), 400, TWICE],
  ["a dataset listed twice (the integration's plan)", () => api("integration.plan", { project, datasets: [1, 1] }), 400, TWICE],
  [
    "a dataset listed twice (scPaLM training)",
    () => api("scpalm.train", { project, mode: "pretrain", datasets: [1, 1], config: "desktop", seed: 0 }),
    400,
    TWICE,
  ],
  ["the result of a run whose folder was moved", () => api("run.result", { project, runId: movedRun }), 404, MISSING],
  ["the report of a run whose folder was moved", () => api("run.report", { project, runId: movedRun }), 404, MISSING],
  [
    "the PDF of a run whose folder was moved",
    () => ({ method: "GET", path: `/files/report?project=${encodeURIComponent(project)}&runId=${movedRun}` }),
    404,
    MISSING,
  ],
  ["a gene of a run whose folder was moved", () => api("run.gene", { project, runId: movedRun, gene: "MS4A1" }), 404, MISSING],
  ["markers on a run whose folder was moved", () => api("markers.plan", { project, runId: movedRun }), 404, MISSING],
  ["a wrong type", () => api("project.create", { name: 42 }), 400, /name must be a string \(got number\)/],
  ["another HTTP verb", () => ({ method: "PUT", path: "/api/home", body: "{}" }), 404, /PUT \/api\/home is not part of the Studio API/],
  ["a folder that is not a project", () => api("project.view", { project: home }), 409, /not a sciLaMA Studio project/],
  ["a pipe as the project", () => api("project.view", { project: join(home, "pipe") }), 409, /not a sciLaMA Studio project/],
  [
    "a new project where a file is",
    () => api("project.create", { name: "x", dir: join(home, "secret.txt") }),
    409,
    /secret\.txt is a file, not a folder; choose a new or empty folder/,
  ],
  ["an import of a pipe (hung the host)", () => api("dataset.import", { project, path: join(home, "pipe") }), 422, /found a pipe \(FIFO\)/],
  ["an import of /dev/zero", () => api("dataset.import", { project, path: "/dev/zero" }), 422, /found a device/],
  [
    "an import of the project's own database",
    () => api("dataset.import", { project, path: join(project, "project.sqlite") }),
    422,
    /found a sciLaMA Studio project's database/,
  ],
  ["a pipe as the prior", () => start({ prior: join(home, "pipe") }), 422, /pipe: expected a file, but found a pipe \(FIFO\)/],
  [
    "/dev/zero as the prior of the coverage the wizard shows",
    () => api("integration.coverage", { project, datasets: [1], prior: "/dev/zero" }),
    422,
    /found a device/,
  ],
  ["a dataset that does not exist", () => api("dataset.remove", { project, id: 99 }), 404, /There is no dataset 99 in this project/],
  ["a preset that does not exist", () => start({ preset: "fast" }), 400, /preset must be one of quick, standard, thorough/],
  ["a fractional number of genes", () => start({ hvg: 10.5 }), 400, /hvg needs a whole number from 0 to 100000, got '10\.5'/],
  ["a learning rate of 0", () => start({ hyper: { lr: 0 } }), 400, /lr needs a number from/],
  [
    "a batch column that does not exist",
    () => start({ batch: "no_such_column" }),
    400,
    /the batch column 'no_such_column' is not a cell column of /,
  ],
  [
    "a measurement as batch",
    () => start({ batch: "nCount_RNA" }),
    400,
    /the batch column 'nCount_RNA' has \d+ different values — too many groups/,
  ],
  ["a single-valued label", () => start({ label: "orig.ident" }), 400, /the label column 'orig\.ident' has a single value/],
  [
    "a prior file that does not exist",
    () => start({ prior: join(home, "nope.csv") }),
    400,
    /prior must be bundled, self, random, shuffled or a prior file/,
  ],
  [
    "a markers run on a run that does not exist",
    () => api("markers.start", { project, sourceRun: 7, groupby: "groups", neighbors: 15, resolution: 1, gmt: [] }),
    404,
    /7/,
  ],
  ["an upload without its project", () => ({ path: "/upload?name=x.h5ad", body: "x" }), 400, /An upload needs \?project= and \?name=/],
  [
    "the report of a run that does not exist",
    () => ({ method: "GET", path: `/files/report?project=${encodeURIComponent(project)}&runId=5` }),
    404,
    /5/,
  ],
];

const tally = new Tally("web refusals");

test("the web host refuses each bad request with its status and reason, and the project is unchanged", async () => {
  const beforeState = projectState(project, project);
  for (const [name, req, status, message] of CASES) {
    const r = await send(req());
    const changed = !isDeepStrictEqual(projectState(project, project), beforeState);
    const leaked = /do not serve/.test(r.text);
    tally.count({
      hung: false,
      internal: r.status >= 500,
      silent: r.status < 300 && status >= 400,
      changed: changed || leaked,
      clean: r.status === status && message.test(r.text),
    });
    console.log(`# ${name}: HTTP ${r.status} — ${r.text.slice(0, 160).replace(/\s+/g, " ")}`);
    assert.equal(r.status, status, `${name}: ${r.text}`);
    assert.match(r.text, message, name);
    assert.equal(leaked, false, `${name}: nothing outside the renderer folder is served`);
    assert.equal(changed, false, `${name}: the project is unchanged`);
  }
  // The run whose folder was moved is still listed on the project page.
  const view = (await callMethod(studio, "project.view", { project })) as ProjectView;
  assert.deepEqual(
    view.runs.filter((r) => r.id === movedRun).map((r) => r.status),
    ["succeeded"],
  );
});
