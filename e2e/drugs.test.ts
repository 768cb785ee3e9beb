/// <reference lib="dom" />
/**
 * The drug-response wizard end to end in browser mode: CellBench (three lung adenocarcinoma lines, 499 cells, with a
 * UMAP) dropped into a new project, the wizard walked — grouping by cell line (group counts, the pseudobulk note), LUAD
 * as the cancer type (by keyboard), the model's EGFR-pathway drugs and a molecule of one's own typed as SMILES (a
 * broken one refused as typed) — then the result: the clustered heatmap with the three groups, a drug's page with its
 * RDKit structure as an image and the cells coloured on the UMAP, the evaluation and warning, and the PDF report.
 * Screenshot: e2e/artifacts/drugs-heatmap.png.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { cellbenchWithUmap } from "../main/test/drug-data.js";
import { browser, dropFiles, type Running, shot, startStudio } from "./studio.js";

const BRIGATINIB = "CN1CCN(CC1)C2CCN(CC2)C3=CC(=C(C=C3)NC4=NC=C(C(=N4)NC5=CC=CC=C5P(=O)(C)C)Cl)OC";

let studio: Running;
let chrome: Browser;
let page: Page;

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

const next = () => page.getByRole("button", { name: "Next ›" }).click();
const heading = (name: string) => page.getByRole("heading", { name, exact: true }).waitFor({ timeout: 60_000 });

test("drug-response wizard on CellBench by cell line, then the heatmap, a drug's page and the report", async () => {
  const file = await cellbenchWithUmap(mkdtempSync(join(tmpdir(), "e2e-drugs-")));
  await page.goto(studio.url.replace(/#.*$/, "#/"));
  await page.getByLabel("Name").fill("Drugs e2e");
  await page.getByRole("button", { name: "Create project" }).click();
  await page.getByRole("heading", { name: "Drugs e2e" }).waitFor();
  await dropFiles(page, [{ name: "cellbench.h5ad", bytes: readFileSync(file) }]);
  await page.locator("article.dataset", { hasText: "cellbench" }).getByText("ready").waitFor({ timeout: 120_000 });

  await page.getByRole("link", { name: "Drug response…" }).click();
  await heading("Dataset");
  await next();

  await heading("Grouping");
  assert.match(await page.locator(".coverage-note").innerText(), /^544 of the model's 706 genes/);
  const grouping = (name: string) => page.locator(`input[name="groupby"][value="${name}"]`);
  assert.equal(await grouping("cell_line").isChecked(), true, "the suggested grouping");
  assert.equal(await grouping("outliers").isDisabled(), true, "a single-valued column cannot group");
  assert.deepEqual(await page.locator("table.group-counts tbody tr").allInnerTexts(), ["H1975\t206", "H2228\t146", "HCC827\t147"]);
  assert.match(await page.locator(".pseudobulk-note").innerText(), /Single cells are pooled.*z-scored across your 3 groups/s);
  await next();

  await heading("Cancer type");
  await page.locator("#cancer-select").selectOption("LUAD");
  await page.keyboard.press("Alt+ArrowRight");

  await heading("Drugs");
  await page.getByLabel(/Only the drugs I choose/).check();
  await page.locator("#drug-pathway").selectOption("EGFR signaling");
  await page.getByRole("button", { name: /^Choose all \d+ shown$/ }).click();
  const chosen = Number(/^(\d+) of/.exec(await page.locator(".chosen-count").innerText())![1]);
  assert.ok(chosen >= 3, `${chosen} EGFR-pathway drugs chosen`);
  await page.getByLabel("Molecule name").fill("Brigatinib");
  await page.getByLabel("SMILES").fill("CC(=O");
  assert.match(await page.locator(".smiles-problem").innerText({ timeout: 30_000 }), /SMILES "CC\(=O":.*position 3/);
  assert.equal(await page.getByRole("button", { name: "Add molecule" }).isDisabled(), true);
  assert.equal(await page.getByRole("button", { name: "Next ›" }).isDisabled(), true, "a typed molecule must be added or cleared");
  await page.getByLabel("SMILES").fill(BRIGATINIB);
  await page.getByText(/Valid: 40 heavy atoms/).waitFor({ timeout: 30_000 });
  assert.ok((await page.locator(".smiles-check img.structure").getAttribute("src"))!.startsWith("data:image/svg+xml"));
  await page.getByRole("button", { name: "Add molecule" }).click();
  await page.getByRole("list", { name: "Your molecules" }).getByText("Brigatinib").waitFor();
  await next();

  await heading("Review and run");
  const review = await page.locator("dl.review").innerText();
  assert.match(review, /cell_line: 3 groups, each pooled into a pseudobulk/);
  assert.match(review, /LUAD \(lung adenocarcinoma\), 50 lines/);
  assert.match(review, new RegExp(`${chosen}: .*\\+ your molecule Brigatinib`));
  await page.getByRole("button", { name: "Predict drug response" }).click();

  await page.locator('[data-status="succeeded"]').waitFor({ timeout: 300_000 });
  const heat = page.locator(".heatmap");
  await heat.locator("canvas").first().waitFor();
  assert.equal(await heat.getAttribute("data-groups"), "3");
  assert.equal(await heat.getAttribute("data-drugs"), String(chosen + 1));
  assert.deepEqual((await heat.getAttribute("data-rows"))!.split("|").sort(), ["H1975", "H2228", "HCC827"]);
  assert.match(await page.locator(".cell-line-warning").innerText(), /trained on cancer cell lines/);

  // A drug's page, opened from the list (keyboard-reachable): the RDKit drawing loads as an image under the CSP.
  await page.locator("#drug-open").selectOption({ label: "Gefitinib" });
  const drugPage = page.locator('.drug-page[data-drug="Gefitinib"]');
  const img = drugPage.locator("img.structure");
  await img.waitFor({ timeout: 30_000 });
  assert.ok((await img.getAttribute("src"))!.startsWith("data:image/svg+xml"));
  await page.waitForFunction(() => (document.querySelector(".drug-page img.structure") as HTMLImageElement | null)?.naturalWidth === 320);
  assert.match(await drugPage.innerText(), /EGFR/);
  assert.equal(await drugPage.locator("table.drug-groups tbody tr").count(), 3);
  assert.equal((await drugPage.locator("canvas").count()) >= 2, true, "the strip plot and the cells on the UMAP");
  await page.locator("#heat-h").scrollIntoViewIfNeeded();
  await shot(page, "drugs-heatmap");

  await page.getByRole("button", { name: "Export PDF report" }).click();
  const saved = await page.locator(".report-path").innerText({ timeout: 120_000 });
  const text = execFileSync("pdftotext", ["-layout", saved.replace(/^Saved /, "").trim(), "-"], { encoding: "utf8" });
  assert.match(text, /Drug response/);
  assert.match(text, /trained on cancer cell lines/);
  assert.match(text, /z-scored across the groups/);
  for (const g of ["H1975", "H2228", "HCC827", "Brigatinib", "Gefitinib"]) assert.ok(text.includes(g), `the PDF names ${g}`);
});
