/// <reference lib="dom" />
/**
 * e2e helpers: start sciLaMA Studio in browser mode (`scilama start --browser --port 0 --no-open`) in a fresh
 * Studio home, and drive Debian's Chromium through playwright-core. Screenshots go to e2e/artifacts/.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { launchChromium } from "../main/report/pdf.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const ARTIFACTS = join(ROOT, "e2e", "artifacts");
export const DATA = join(ROOT, "..", "shared", "data");

export interface Running {
  url: string;
  home: string;
  proc: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** Starts the app in browser mode and resolves with the address it printed. */
export async function startStudio(env: Record<string, string> = {}): Promise<Running> {
  const home = mkdtempSync(join(tmpdir(), "studio-e2e-"));
  const proc = spawn(process.execPath, [join(ROOT, "bin", "scilama.js"), "start", "--browser", "--no-open"], {
    cwd: ROOT,
    env: { ...process.env, SCILAMA_HOME: home, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Studio did not start within 120 s:\n${out}`)), 120_000);
    proc.stdout!.on("data", () => {
      const m = /Studio ready at (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.on("exit", (code) => reject(new Error(`Studio exited (code ${code}) before it was ready:\n${out}`)));
  });
  return {
    url,
    home,
    proc,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      }),
  };
}

export const browser = launchChromium;

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Drops files onto the window as a drag from the desktop would. */
export async function dropFiles(page: Page, files: { name: string; bytes: Buffer }[]): Promise<void> {
  const dt = await page.evaluateHandle(
    (list) => {
      const t = new DataTransfer();
      for (const f of list) t.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
      return t;
    },
    files.map((f) => ({ name: f.name, b64: f.bytes.toString("base64") })),
  );
  await page.dispatchEvent("main", "dragenter", { dataTransfer: dt });
  await page.dispatchEvent("main", "drop", { dataTransfer: dt });
}
