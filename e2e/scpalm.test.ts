/// <reference lib="dom" />
/**
 * The scPaLM wizard end to end in browser mode: Seurat's pbmc_small dropped into a new project; a pre-training with
 * the tests' tiny architecture typed into the wizard (a width the heads do not divide refused on the step), followed
 * live (stage, epoch, device), cancelled in stage 1 and resumed from its checkpoints to the end; the training's view;
 * then the pathway tokens of the dataset through that model, a token chosen from the keyboard showing its genes and
 * the cells using it on the map. Screenshots: e2e/artifacts/scpalm-*.png.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { TINY_SCPALM } from "../main/test/scpalm-data.js";
import { browser, DATA, dropFiles, type Running, shot, startStudio } from "./studio.js";

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
const number = async (label: string | RegExp, value: number) => {
  const box = page.getByRole("spinbutton", { name: label, exact: true });
  await box.fill(String(value));
  await box.dispatchEvent("change");
};
const runIdOfPage = () => Number(/\/run\/(\d+)/.exec(page.url())![1]);

test("scPaLM wizard: a tiny pre-training cancelled and resumed, then the pathway tokens of the dataset", async () => {
  await page.goto(studio.url.replace(/#.*$/, "#/"));
  await page.getByLabel("Name").fill("scPaLM e2e");
  await page.getByRole("button", { name: "Create project" }).click();
  await page.getByRole("heading", { name: "scPaLM e2e" }).waitFor();
  const file = join(DATA, "pbmc3k", "pbmc_small_seuratobject_80cells_230genes.h5ad");
  await dropFiles(page, [{ name: "pbmc_small.h5ad", bytes: readFileSync(file) }]);
  await page.locator("article.dataset", { hasText: "pbmc_small" }).getByText("ready").waitFor({ timeout: 120_000 });

  await page.getByRole("link", { name: "scPaLM…" }).click();
  await page.getByRole("heading", { name: "What to do" }).waitFor();
  assert.equal(await page.getByLabel(/Pre-train a model/).isChecked(), true, "pre-training is the default");
  await next();
  await page.getByRole("heading", { name: "Datasets" }).waitFor();
  assert.equal(await page.getByLabel(/pbmc_small/).isChecked(), true, "the one ready dataset is chosen");
  await next();
  await page.getByRole("heading", { name: "Model and settings" }).waitFor();
  assert.equal(await page.getByLabel(/Desktop —/).isChecked(), true);
  assert.equal(await page.getByRole("spinbutton", { name: "Epochs per stage" }).inputValue(), "60", "the desktop schedule");
  await number("Epochs per stage", 150);
  await page.getByText(/^Architecture/).click();
  const { tokens, hidden, ffn, layers, heads, codes, batch } = TINY_SCPALM;
  await number("Tokens per cell (N)", tokens);
  await number("Width", hidden);
  await number("Feed-forward width", ffn);
  await number("Layers per transformer", layers);
  await number("Attention heads", 3);
  await page.getByText("The width (16) must be divisible by the attention heads (3).").waitFor();
  assert.equal(await page.getByRole("button", { name: "Next ›" }).isDisabled(), true);
  await number("Attention heads", heads);
  await number("Codebook size (K)", codes);
  await number("Batch size", batch);
  await shot(page, "scpalm-wizard-settings");
  await next();
  const review = await page.locator("dl.review").innerText();
  assert.match(review, /Pre-train a model from scratch/);
  assert.match(
    review,
    /desktop configuration, 150 \+ 150 epochs, seed 0; tokens 8, hidden 16, ffn 32, layers 1, heads 2, codes 16, batch 32/,
  );
  await page.getByRole("button", { name: "Start pre-training" }).click();

  // Followed live: stage 1, its epochs, the device; cancelled there.
  await page.locator(".monitor").waitFor();
  await page.locator(".monitor dd", { hasText: /^stage 1 of 2: pathway tokens$/ }).waitFor({ timeout: 120_000 });
  await page
    .locator(".monitor dd", { hasText: /^[2-9]\d* \/ 150$/ })
    .first()
    .waitFor({ timeout: 60_000 });
  assert.equal(await page.locator(".monitor dt:text-is('Device') + dd").innerText(), "cpu");
  await shot(page, "scpalm-running");
  const first = runIdOfPage();
  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Cancel run" }).click();
  await page.locator('[data-status="cancelled"]').waitFor({ timeout: 60_000 });
  assert.match(await page.locator(".resume-note").innerText(), /Its checkpoints are kept \(stage 1 under way\)/);
  await shot(page, "scpalm-cancelled");
  await page.getByRole("button", { name: "Resume training" }).click();
  await page.waitForURL((u) => Number(/\/run\/(\d+)/.exec(u.hash)?.[1]) > first);
  const resumed = runIdOfPage();
  await page.getByText(new RegExp(`seed 0 · resumes run ${first}`)).waitFor();
  await page.locator('[data-status="succeeded"]').waitFor({ timeout: 120_000 });
  const summary = await page.locator("p.summary").innerText();
  assert.match(summary, /^(\d+) of 16 codes used by the tokens of 80 cells \(pbmc_small\); pre-trained from scratch on cpu/);
  for (const stage of [1, 2]) await page.locator(`[data-chart="run-${resumed}-stage-${stage}-loss"] canvas`).waitFor();
  await page.locator(`[data-chart="run-${resumed}-codes"] canvas`).waitFor();
  await shot(page, "scpalm-training");

  // The pathway tokens of the dataset through the model just trained (preselected by the link).
  await page.getByRole("link", { name: "Pathway tokens of a dataset through this model…" }).click();
  await page.getByRole("heading", { name: "What to do" }).waitFor();
  assert.equal(await page.getByLabel(/Pathway tokens of a dataset/).isChecked(), true);
  await next();
  await next();
  await page.getByRole("heading", { name: "Model and settings" }).waitFor();
  assert.equal(await page.getByLabel(new RegExp(`Run ${resumed}'s model`)).isChecked(), true);
  assert.equal(await page.getByLabel(/The bundled model/).isChecked(), false);
  await next();
  await page.getByRole("button", { name: "Find pathway tokens" }).click();
  await page.locator('[data-status="succeeded"]').waitFor({ timeout: 120_000 });
  const pathways = runIdOfPage();
  const text = await page.locator("p.summary").innerText();
  const used = Number(/^(\d+) of 16 codes are used by the 80 cells of pbmc_small, read with run \d+'s model/.exec(text)?.[1]);
  assert.ok(used >= 2, text);
  const rows = page.locator("table.tokens tbody tr");
  assert.equal(await rows.count(), used);
  await page.locator(`[data-chart="run-${pathways}-token-usage"] canvas`).waitFor();

  // Another token, chosen from the keyboard: its heading, genes and the cells using it on the map.
  const second = rows.nth(1);
  const code = Number(await second.getAttribute("data-code"));
  await second.getByRole("button").focus();
  await page.keyboard.press("Enter");
  assert.equal(await second.getByRole("button").getAttribute("aria-pressed"), "true");
  const heading = await page.locator("#token-h").innerText();
  const cellsUsing = Number(/^Code \d+: used by (\d+) cells/.exec(heading)?.[1]);
  assert.match(heading, new RegExp(`^Code ${code}: used by`));
  assert.match(await second.locator("td").nth(1).innerText(), new RegExp(`^${cellsUsing} \\(`));
  await page.locator(`[data-chart="run-${pathways}-code-${code}-cells"] canvas`).waitFor();
  assert.match(await page.locator(".token-detail").innerText(), /A UMAP of scPaLM's cell token/);
  await shot(page, "scpalm-pathways");
});
