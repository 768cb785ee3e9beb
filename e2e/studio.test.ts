/// <reference lib="dom" />
/**
 * The app end to end in browser mode, as a biologist uses it: the demo project on first launch, a new project, a real
 * .h5ad dropped onto the window, bad drops refused with a message and no change, the integration wizard on the
 * Quick preset (batch and labels suggested from the data), a run cancelled and restarted, the UMAP and metrics, the
 * PDF report read back with pdftotext, the markers wizard on that run (a gene's module, its enriched terms and cells,
 * the dot plot, the PDF), the wizard driven by keyboard alone, and its warning when a batch lacks a cell type the
 * others have. Screenshots: e2e/artifacts/.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { subset } from "../main/data/subset.js";
import { writeH5ad } from "../main/io/h5ad/write.js";
import { readDataset } from "../main/io/read.js";
import { ARTIFACTS, browser, DATA, dropFiles, type Running, shot, startStudio } from "./studio.js";

const PANCREAS = join(DATA, "pancreas", "cepo_sce_pancreas_528cells_1403genes_3batches.h5ad");

let studio: Running;
let chrome: Browser;
let page: Page;
let projectDir = "";

before(async () => {
  studio = await startStudio();
  chrome = await browser();
  page = await chrome.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (e) => console.error("page error:", e.message));
});

after(async () => {
  await chrome?.close();
  await studio?.stop();
});

/** Calls the Studio API from the page (same origin, the launch cookie carries the token). */
async function api<T>(method: string, payload: object): Promise<T> {
  return page.evaluate(
    async ([m, p]) => {
      const r = await fetch(`api/${m}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(p) });
      return ((await r.json()) as { result: unknown }).result;
    },
    [method, payload] as const,
  ) as Promise<T>;
}

const drop = (files: { name: string; bytes: Buffer }[]) => dropFiles(page, files);

test("first launch opens the demo project; the home page lists it", async () => {
  assert.match(studio.output(), /Studio ready at http:\/\/127\.0\.0\.1:\d+\/\?token=/);
  assert.match(studio.output(), /First launch: creating the demo project/);
  await page.goto(studio.url);
  await page.getByRole("heading", { name: "Demo: PBMC 3k" }).waitFor();
  await page.getByText("2,638").first().waitFor();
  await page.goto(studio.url.replace(/#.*$/, "#/"));
  await page.getByRole("heading", { name: "Recent projects" }).waitFor();
  await page.getByText("Demo: PBMC 3k").waitFor();
  await shot(page, "01-home");
});

test("the web host refuses requests without this launch's token", async () => {
  const origin = new URL(studio.url).origin;
  const res = await fetch(`${origin}/api/home`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  assert.equal(res.status, 403);
  assert.match(await res.text(), /access token/);
  const bad = await fetch(`${origin}/api/home?token=wrong`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(bad.status, 403);
});

test("create a project and drop a real .h5ad onto the window", async () => {
  await page.getByLabel("Name").fill("Pancreas e2e");
  await page.getByRole("button", { name: "Create project" }).click();
  await page.getByRole("heading", { name: "Pancreas e2e" }).waitFor();
  projectDir = decodeURIComponent(new URL(page.url()).hash.replace("#/project/", ""));
  await drop([{ name: "pancreas.h5ad", bytes: readFileSync(PANCREAS) }]);
  const card = page.locator("article.dataset", { hasText: "pancreas" });
  await card.getByText("ready").waitFor({ timeout: 60_000 });
  const text = await card.innerText();
  assert.match(text, /528\s+cells × 1,403\s+genes/);
  assert.match(text, /batch/);
  assert.match(text, /cellTypes/);
  await shot(page, "02-dataset-import");
});

test("bad drops show an actionable message and leave the project as it was", async () => {
  const before = await api<{ datasets: unknown[]; runs: unknown[] }>("project.view", { project: projectDir });
  const corrupt = readFileSync(PANCREAS).subarray(0, 20_000);
  const cases = [
    {
      name: "notes.pdf",
      bytes: Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"),
      expect: /notes\.pdf.*a PDF document.*drop the \.h5ad/is,
    },
    { name: "broken.h5ad", bytes: corrupt, expect: /broken\.h5ad.*(truncated|corrupt|damaged)/is },
    {
      name: "counts.csv",
      bytes: Buffer.from("gene,cell1,cell2\nCD3E,1,2\nCD14,three,4\nLYZ,5,6\n"),
      expect: /counts\.csv.*(three|number)/is,
    },
  ];
  for (const c of cases) {
    await drop([{ name: c.name, bytes: c.bytes }]);
    const box = page.locator(".import-failed", { hasText: c.name });
    await box.waitFor({ timeout: 30_000 });
    const message = await box.innerText();
    assert.match(message, /the project is unchanged/);
    assert.match(message, c.expect);
  }
  await shot(page, "03-bad-drops");
  const after = await api<{ datasets: unknown[]; runs: unknown[] }>("project.view", { project: projectDir });
  assert.equal(after.datasets.length, before.datasets.length);
  assert.equal(after.runs.length, before.runs.length);
});

test("integration wizard on the Quick preset: cancel a run, restart it, see the UMAP and metrics, export the PDF", async () => {
  await page.getByRole("link", { name: "New integration…" }).click();
  await page.getByRole("heading", { name: "Datasets" }).waitFor();
  await page.getByLabel(/pancreas/).check();
  await shot(page, "04-wizard-datasets");
  await page.getByRole("button", { name: "Next ›" }).click();
  await page.locator("#batch-select").waitFor();
  // Suggested from the data: the study column as batch, the cell types as labels.
  assert.equal(await page.locator("#batch-select").inputValue(), "batch");
  assert.equal(await page.locator("#label-select").inputValue(), "cellTypes");
  await page.locator("#label-select").selectOption("batch");
  await page.getByText("The batch and the label must be different columns.").waitFor();
  assert.equal(await page.getByRole("button", { name: "Next ›" }).isDisabled(), true);
  await page.locator("#label-select").selectOption("cellTypes");
  await shot(page, "05-wizard-columns");
  await page.getByRole("button", { name: "Next ›" }).click();
  await page.getByText(/Gene coverage:/).waitFor({ timeout: 30_000 });
  assert.match(await page.locator(".coverage").innerText(), /1,393 of 1,403 genes/);
  await shot(page, "06-wizard-prior");
  await page.getByRole("button", { name: "Next ›" }).click();
  await page.getByLabel(/Quick/).check();
  await page.getByLabel(/Embed with scPaLM too/).check();
  await shot(page, "07-wizard-settings");
  await page.getByRole("button", { name: "Next ›" }).click();
  const review = await page.locator("dl.review").innerText();
  assert.match(review, /quick preset/);
  assert.match(review, /batch/);
  await shot(page, "08-wizard-review");
  await page.getByRole("button", { name: "Run integration" }).click();

  await page.locator(".monitor").waitFor();
  await page
    .locator(".monitor dd", { hasText: /^[3-9] \/ \d+$/ })
    .first()
    .waitFor({ timeout: 120_000 });
  await shot(page, "09-running-job");
  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Cancel run" }).click();
  await page.locator('[data-status="cancelled"]').waitFor({ timeout: 120_000 });
  await page.getByRole("button", { name: "Run again with the same settings" }).click();
  await page.locator('[data-status="succeeded"]').waitFor({ timeout: 600_000 });
  await page.locator('[data-chart^="run-"][data-chart*="umap"] canvas').first().waitFor();
  const table = page.locator("table.metrics");
  await table.waitFor();
  const rows = await table.locator("tbody tr").allInnerTexts();
  assert.ok(
    rows.some((r) => r.startsWith("sciLaMA")),
    rows.join("\n"),
  );
  assert.ok(
    rows.some((r) => r.startsWith("unintegrated PCA")),
    rows.join("\n"),
  );
  await page.getByLabel("Colour by a gene's expression").fill("INS");
  await page.getByRole("button", { name: "Show" }).click();
  await page.waitForFunction(() => (document.querySelector("#color-by") as HTMLSelectElement | null)?.value === "__gene");
  assert.match(await page.locator("#color-by").innerText(), /gene: INS/);
  await shot(page, "10-results");
  // scPaLM's own map and clusters: choosing its map while sciLaMA's clusters colour the cells switches to scPaLM's.
  assert.ok(
    rows.some((r) => r.startsWith("scPaLM cell token")),
    rows.join("\n"),
  );
  await page.locator("#color-by").selectOption("leiden");
  await page.locator("#map-by").selectOption("scPaLM");
  await page.getByRole("heading", { name: "Cells on the scPaLM embedding (UMAP)" }).waitFor();
  assert.equal(await page.locator("#color-by").inputValue(), "scPaLM_leiden");
  await page.getByText(/on scPaLM's cell token \(bundled model, zero-shot\), clustered on its own/).waitFor();
  await page.locator('[data-chart*="umap-scPaLM-scPaLM_leiden"] canvas').waitFor();
  await shot(page, "10b-results-scpalm-map");

  await page.getByRole("button", { name: "Export PDF report" }).click();
  const saved = await page.locator(".report-path").innerText({ timeout: 120_000 });
  const pdf = saved.replace(/^Saved /, "").trim();
  const text = execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" });
  assert.match(text, /pancreas/);
  const shown = await table.locator('tbody tr:first-child td[data-metric="ari"]').innerText();
  assert.ok(text.includes(shown), `the PDF holds the ARI shown in the UI (${shown})`);
  const sci = rows
    .find((r) => r.startsWith("sciLaMA"))!
    .split("\t")
    .slice(1);
  for (const v of sci.filter((x) => /^\d\.\d{3}$/.test(x))) assert.ok(text.includes(v), `PDF lacks ${v}`);
  assert.match(text, /scPaLM: UMAP by scPaLM_leiden/);
  execFileSync("pdftoppm", ["-png", "-r", "60", "-f", "1", "-l", "2", pdf, join(ARTIFACTS, "11-report-page")]);
});

test("markers wizard on the integrated pancreas: modules, a gene's module with its terms and cells, dot plot, the PDF", async () => {
  await page.getByRole("link", { name: "Find markers and gene modules…" }).click();
  await page.getByRole("heading", { name: "Markers and gene modules" }).waitFor();
  // The integration's label column is suggested as the grouping.
  await page.waitForFunction(() => (document.querySelector("#groupby-select") as HTMLSelectElement | null)?.value === "cellTypes");
  await page.locator(".quick-note", { hasText: "trained on the Quick preset" }).waitFor();
  await shot(page, "13-markers-wizard");
  await page.getByRole("button", { name: "Find modules and markers" }).click();
  await page.locator('[data-status="succeeded"]').waitFor({ timeout: 300_000 });
  const rows = page.locator("table.modules tbody tr");
  await rows.first().waitFor();
  assert.ok((await rows.count()) >= 2, "several modules");
  await page.getByLabel("Find the module of a gene").fill("INS");
  await page.getByRole("button", { name: "Find", exact: true }).click();
  const note = await page.locator(".search-note").innerText();
  const m = /INS is in module (\d+)/.exec(note)?.[1];
  assert.ok(m, note);
  await page.locator("#module-h", { hasText: `Module ${m}:` }).waitFor();
  await page.locator(`[data-chart$="-module-${m}-cells"] canvas`).first().waitFor();
  await page.locator('[data-chart$="-dotplot"] canvas').first().waitFor();
  await page.getByLabel(/static prior \(same module colours/).check();
  await page.locator('[data-chart$="-gene-modules-prior"] canvas').first().waitFor();
  await page.getByLabel("sciLaMA contextual embedding").check();
  const dbShown = await page.locator('td[data-metric="db-contextual"]').innerText();
  await shot(page, "14-markers-results");

  await page.getByRole("button", { name: "Export PDF report" }).click();
  const saved = await page.locator(".report-path").innerText({ timeout: 120_000 });
  const text = execFileSync("pdftotext", ["-layout", saved.replace(/^Saved /, "").trim(), "-"], { encoding: "utf8" });
  assert.match(text, /Markers and gene modules/);
  assert.ok(text.includes(dbShown), `the PDF holds the Davies–Bouldin index shown (${dbShown})`);
});

test("the wizard works from the keyboard alone, and Back keeps the choices", async () => {
  await page.goto(studio.url.replace(/#.*$/, `#/project/${encodeURIComponent(projectDir)}/integrate`));
  await page.reload();
  const heading = page.getByRole("heading", { name: "Datasets", level: 2 });
  await heading.waitFor();
  await page.getByLabel(/pancreas/).focus();
  await page.keyboard.press("Space"); // toggles the dataset off …
  assert.equal(await page.getByLabel(/pancreas/).isChecked(), false);
  await page.keyboard.press("Space"); // … and on again
  const next = async () => {
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate(() => document.activeElement?.textContent?.includes("Next ›"))) break;
    }
    await page.keyboard.press("Enter");
  };
  await next();
  await page.getByRole("heading", { name: "Batch and labels" }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), "step-h", "focus moves to the new step's heading");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "batch-select");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "label-select");
  await page.locator("#label-select").selectOption("");
  await next();
  await page.getByRole("heading", { name: "Gene prior" }).waitFor();
  await page.keyboard.press("Shift+Tab");
  for (let i = 0; i < 40; i++) {
    if (await page.evaluate(() => document.activeElement?.textContent?.includes("‹ Back"))) break;
    await page.keyboard.press("Tab");
  }
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Batch and labels" }).waitFor();
  assert.equal(await page.locator("#label-select").inputValue(), "", "Back keeps the label choice");
  assert.equal(await page.locator("#batch-select").inputValue(), "batch");
  await shot(page, "12-keyboard-wizard");
});

test("a batch lacking a cell type the others have: the wizard warns and recommends the global scaling", async () => {
  // Pancreas with the ductal cells of one study removed: scaling within that study would make its beta cells look
  // like the other studies' mixture of beta and ductal cells.
  const { dataset } = await readDataset(PANCREAS);
  const batch = dataset.obs.columns.get("batch");
  const type = dataset.obs.columns.get("cellTypes");
  assert.ok(batch?.kind === "categorical" && type?.kind === "categorical");
  const study = batch.categories[0]!;
  const keep = [...batch.codes.keys()].filter((i) => !(batch.codes[i] === 0 && type.categories[type.codes[i]!] === "ductal"));
  const file = join(mkdtempSync(join(tmpdir(), "e2e-")), "pancreas_no_ductal.h5ad");
  writeH5ad(file, subset(dataset, keep));
  await page.goto(studio.url.replace(/#.*$/, `#/project/${encodeURIComponent(projectDir)}`));
  await page.reload();
  await drop([{ name: "pancreas_no_ductal.h5ad", bytes: readFileSync(file) }]);
  await page.locator("article.dataset", { hasText: "pancreas_no_ductal" }).getByText("ready").waitFor({ timeout: 60_000 });
  await page.getByRole("link", { name: "New integration…" }).click();
  await page.getByRole("heading", { name: "Datasets" }).waitFor();
  const datasetBox = (name: RegExp) => page.locator("label.choice").filter({ hasText: name }).locator("input");
  await datasetBox(/^\s*pancreas\s*528 cells/).uncheck();
  await datasetBox(/pancreas_no_ductal/).check();
  await page.getByRole("button", { name: "Next ›" }).click();
  const warning = page.locator(".scaling-warning");
  await warning.waitFor({ timeout: 30_000 });
  assert.match(await warning.innerText(), new RegExp(`batch '${study}' has no 'ductal' cells, which other batches have`));
  await shot(page, "13-scaling-warning");
  await page.getByRole("button", { name: "Next ›" }).click();
  await page.getByText(/Gene coverage:/).waitFor({ timeout: 30_000 });
  await page.getByRole("button", { name: "Next ›" }).click();
  assert.equal(await page.getByLabel(/Over all cells/).isChecked(), true, "the global scaling is chosen");
  assert.match(await page.locator("label.choice", { hasText: "Over all cells" }).innerText(), /recommended: a batch lacks a cell type/);
  await shot(page, "14-scaling-choice");
  // Without the label the warning cannot be known, and the per-batch default is back.
  await page.getByRole("button", { name: "‹ Back" }).click();
  await page.getByRole("button", { name: "‹ Back" }).click();
  await page.locator("#label-select").selectOption("");
  await warning.waitFor({ state: "detached" });
});
