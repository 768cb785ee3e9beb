/// <reference lib="dom" />
/**
 * The desktop window through Playwright's `_electron`, when Electron's binary is installed. Where it is not (npm does
 * not run Electron's download script here, and this machine cannot reach its download host), the test says so and
 * is reported as skipped — nothing is claimed about the window then.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { _electron } from "playwright-core";
import { electronBinary } from "../main/cli/start.js";
import { ROOT, shot } from "./studio.js";

const exe = electronBinary();

test("the Electron window opens the demo project, sandboxed, with the bridge and a CSP", {
  skip: exe
    ? false
    : "Electron's binary is not installed on this machine (npm skipped its download script): the desktop window was NOT tested",
}, async () => {
  const app = await _electron.launch({
    executablePath: exe!,
    args: [join(ROOT, "electron", "main.cjs")],
    env: { ...process.env, SCILAMA_HOME: mkdtempSync(join(tmpdir(), "studio-electron-")) } as Record<string, string>,
  });
  try {
    const win = await app.firstWindow();
    await win.getByRole("heading", { name: "Demo: PBMC 3k" }).waitFor({ timeout: 120_000 });
    assert.equal(await win.evaluate(() => typeof (window as unknown as { require?: unknown }).require), "undefined");
    assert.equal(await win.evaluate(() => typeof (window as unknown as { studio?: { call?: unknown } }).studio?.call), "function");
    assert.equal(await win.evaluate(() => typeof (globalThis as unknown as { process?: unknown }).process), "undefined");
    const blocked = await win.evaluate(async () => {
      try {
        await fetch("https://example.org/");
        return false;
      } catch {
        return true;
      }
    });
    assert.equal(blocked, true, "the CSP blocks requests to other origins");
    await shot(win, "electron-demo");
  } finally {
    await app.close();
  }
});
