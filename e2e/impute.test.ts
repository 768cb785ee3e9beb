/// <reference lib="dom" />
/**
 * The imputation wizard end to end in browser mode: osmFISH split by region (reference: every region but
 * "Layer 2-3 medial"; target: that region, 527 cells with coordinates) dropped into a new project, the wizard walked
 * with a 12-gene panel of cell-type markers typed in after removing the detected 33, evaluation none, the Quick preset
 * cut to 3 epochs per step; then the result: a gene the target measured outside the panel drawn on the tissue,
 * measured beside predicted on one colour scale, the methods table with sciLaMA beside the reference gene mean and
 * kNN, and the PDF report holding the PCC the page shows. Screenshot: e2e/artifacts/impute-spatial.png. Then
 * dropouts within CellBench (10% masked, Quick cut to 3 epochs): the errors on every masked entry, and on those of the
 * genes the bundled scPaLM knows, scPaLM's row beside sciLaMA's and the baselines, the lowest RMSE marked. Screenshot:
 * e2e/artifacts/impute-dropouts.png.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { CELLBENCH } from "../main/test/helpers.js";
import { osmfishSplit } from "../main/test/impute-data.js";
import { browser, dropFiles, type Running, shot, startStudio } from "./studio.js";

const PANEL = ["Gad2", "Slc32a1", "Vip", "Tbr1", "Rorb", "Syt6", "Gfap", "Plp1", "Pdgfra", "Mrc1", "Hexb", "Flt1"];
/** Measured by the target outside the panel, and covered by the bundled prior. */
const GENE = "Crhbp";

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

test("imputation wizard: a 12-gene osmFISH panel from a reference, then the tissue maps and the methods table", async () => {
  const split = await osmfishSplit(mkdtempSync(join(tmpdir(), "e2e-impute-")), "Layer 2-3 medial");
  await page.goto(studio.url.replace(/#.*$/, "#/"));
  await page.getByLabel("Name").fill("osmFISH e2e");
  await page.getByRole("button", { name: "Create project" }).click();
  await page.getByRole("heading", { name: "osmFISH e2e" }).waitFor();
  await dropFiles(page, [
    { name: "osmfish_ref.h5ad", bytes: readFileSync(split.reference) },
    { name: "osmfish_target.h5ad", bytes: readFileSync(split.target) },
  ]);
  for (const name of ["osmfish_ref", "osmfish_target"])
    await page.locator("article.dataset", { hasText: name }).getByText("ready").waitFor({ timeout: 120_000 });

  await page.getByRole("link", { name: "Impute genes…" }).click();
  await page.getByRole("heading", { name: "What to impute" }).waitFor();
  assert.equal(await page.getByLabel(/Genes a panel did not measure/).isChecked(), true, "panel mode is the default");
  await next();
  await page.getByRole("heading", { name: "Datasets" }).waitFor();
  const option = async (select: string, name: string) =>
    (await page.locator(`${select} option`, { hasText: name }).getAttribute("value")) ?? "";
  await page.locator("#reference-select").selectOption(await option("#reference-select", "osmfish_ref"));
  await page.locator("#target-select").selectOption(await option("#target-select", "osmfish_target"));
  await next();

  // Detected: every gene both measure (all 33); replaced by 12 markers typed as one list.
  await page.getByRole("heading", { name: "Panel genes" }).waitFor({ timeout: 60_000 });
  assert.match(await page.locator(".panel-count").innerText(), /^33 panel genes · the target has cell coordinates/);
  await page.getByRole("button", { name: "Remove all" }).click();
  await page.getByText(/A panel needs at least 3 genes/).waitFor();
  assert.equal(await page.getByRole("button", { name: "Next ›" }).isDisabled(), true);
  await page.getByLabel("Add to panel genes").fill(`${PANEL.join(", ")}, NotAGene`);
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByText("Not offered here: NotAGene.").waitFor();
  assert.match(await page.locator(".panel-count").innerText(), /^12 panel genes/);
  await page.getByRole("button", { name: "Remove Gad2" }).click();
  assert.match(await page.locator(".panel-count").innerText(), /^11 panel genes/);
  await page.getByLabel("Add to panel genes").fill("gad2");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  assert.match(await page.locator(".panel-count").innerText(), /^12 panel genes/);
  await next();

  await page.getByRole("heading", { name: "Genes to impute" }).waitFor();
  assert.equal(await page.getByLabel(/Every gene of the reference/).isChecked(), true);
  await next();
  await page.getByText(/Gene coverage:/).waitFor({ timeout: 60_000 });
  assert.match(await page.locator(".coverage").innerText(), /31 of the reference's 33 genes/);
  await next();

  await page.getByRole("heading", { name: "Settings and evaluation" }).waitFor();
  // The engine's defaults: 5-fold evaluation, the Standard preset, the gene mean and kNN as baselines.
  assert.equal(await page.getByLabel(/k-fold over the panel genes/).isChecked(), true);
  assert.equal(await page.getByLabel(/Standard — /).isChecked(), true);
  assert.equal(await page.getByLabel(/Reference gene mean/).isChecked(), true);
  assert.equal(await page.getByLabel(/kNN regression/).isChecked(), true);
  await page.getByLabel(/None — only genes/).check();
  await page.getByLabel(/Quick — /).check();
  await page.getByRole("spinbutton", { name: "Epochs per step" }).fill("3");
  await page.getByRole("spinbutton", { name: "Epochs per step" }).dispatchEvent("change");
  await next();
  const review = await page.locator("dl.review").innerText();
  assert.match(review, /12 genes: Slc32a1, Vip, .*Gad2/);
  assert.match(review, /quick preset: up to 3 epochs per step/);
  await page.getByRole("button", { name: "Run imputation" }).click();

  await page.locator('[data-status="succeeded"]').waitFor({ timeout: 600_000 });
  const methods = page.locator("table.impute-methods[data-set='outside']");
  await methods.waitFor();
  const rows = await methods.locator("tbody tr").allInnerTexts();
  assert.ok(
    rows.some((r) => r.startsWith("sciLaMA (")),
    rows.join("\n"),
  );
  assert.ok(
    rows.some((r) => r.startsWith("reference gene mean")),
    rows.join("\n"),
  );
  assert.ok(
    rows.some((r) => r.startsWith("kNN-50 from the reference")),
    rows.join("\n"),
  );
  assert.equal(await methods.locator(".recommended").count(), 1, "one method is marked as recommended");

  await page.getByLabel("Show a gene").fill(GENE);
  await page.getByRole("button", { name: "Show", exact: true }).click();
  const pair = page.locator(`.spatial-pair[data-gene="${GENE}"]`);
  await pair.waitFor();
  const maps = pair.locator(".spatial-map");
  assert.equal(await maps.count(), 2, "measured and predicted side by side");
  await pair.locator('[data-role="measured"] canvas').first().waitFor();
  await pair.locator('[data-role="predicted"] canvas').first().waitFor();
  const scales = await maps.evaluateAll((els) => els.map((e) => e.getAttribute("data-scale") ?? ""));
  assert.ok(scales[0]!.includes("–"), scales[0]);
  assert.equal(scales[0], scales[1], "one colour scale for both maps");
  assert.match(
    await page.locator(".role-note").innerText(),
    new RegExp(`${GENE}: the target measured it outside the panel — measured against predicted; PCC \\d\\.\\d{3}`),
  );
  await shot(page, "impute-spatial");

  await page.getByRole("button", { name: "Export PDF report" }).click();
  const saved = await page.locator(".report-path").innerText({ timeout: 120_000 });
  const text = execFileSync("pdftotext", ["-layout", saved.replace(/^Saved /, "").trim(), "-"], { encoding: "utf8" });
  assert.match(text, /Imputation/);
  const pcc = await methods.locator("tbody tr:first-child td[data-metric='pcc']").innerText();
  for (const v of pcc.split(" ± ")) assert.ok(text.includes(v), `the PDF holds the PCC shown (${pcc})`);
});

test("imputation wizard: dropouts within CellBench, scPaLM scored beside sciLaMA on the genes it knows", async () => {
  await page.goto(studio.url.replace(/#.*$/, "#/"));
  await page.getByLabel("Name").fill("dropouts e2e");
  await page.getByRole("button", { name: "Create project" }).click();
  await page.getByRole("heading", { name: "dropouts e2e" }).waitFor();
  await dropFiles(page, [{ name: "cellbench.h5ad", bytes: readFileSync(CELLBENCH) }]);
  await page.locator("article.dataset", { hasText: "cellbench" }).getByText("ready").waitFor({ timeout: 120_000 });

  await page.getByRole("link", { name: "Impute genes…" }).click();
  await page.getByRole("heading", { name: "What to impute" }).waitFor();
  await page.getByLabel(/Dropouts within one dataset/).check();
  await next();
  await page.getByRole("heading", { name: "Dataset", exact: true }).waitFor();
  await next();
  await page.getByText(/Gene coverage:/).waitFor({ timeout: 60_000 });
  await next();
  await page.getByRole("heading", { name: "Settings", exact: true }).waitFor();
  await page.getByText(/and scPaLM \(the bundled model, zero shot\)/).waitFor();
  await page.getByLabel(/Quick — /).check();
  await page.getByRole("spinbutton", { name: "Epochs per step" }).fill("3");
  await page.getByRole("spinbutton", { name: "Epochs per step" }).dispatchEvent("change");
  await next();
  await page.getByRole("button", { name: "Run imputation" }).click();

  await page.locator('[data-status="succeeded"]').waitFor({ timeout: 600_000 });
  const all = page.locator("table.impute-dropouts[data-scope='all']");
  const palm = page.locator("table.impute-dropouts[data-scope='scpalm']");
  await palm.waitFor();
  const methods = async (t: typeof all) =>
    (await t.locator("tbody tr td:first-child").allInnerTexts()).map((m) => m.replace(/ lowest RMSE$/, ""));
  assert.deepEqual(
    (await methods(all)).map((m) => m.replace(/ \(.*/, "")),
    ["sciLaMA", "zeros", "gene mean", "gene non-zero mean", "kNN smoothing"],
  );
  assert.deepEqual(
    (await methods(palm)).map((m) => m.replace(/ \(.*/, "")),
    ["scPaLM", "sciLaMA", "zeros", "gene mean", "gene non-zero mean", "kNN smoothing"],
  );
  for (const t of [all, palm]) assert.equal(await t.locator("tr.highlight").count(), 1, "one lowest RMSE per table");
  assert.match(
    await page.getByRole("heading", { name: /masked entries of the [\d,]+ genes in scPaLM's vocabulary/ }).innerText(),
    /The [\d,]+ masked/,
  );
  const rmse = Number(await palm.locator("tbody tr:first-child td.num").first().innerText());
  assert.ok(rmse > 0 && rmse < 5, `scPaLM's RMSE ${rmse}`);
  await shot(page, "impute-dropouts");
});
