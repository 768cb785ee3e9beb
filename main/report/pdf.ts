/**
 * HTML → PDF through Debian's Chromium driven by playwright-core (the CLI and the web host; the desktop app prints
 * with Electron's own `printToPDF`). Written temp-file-then-rename, so a failed print leaves no half PDF.
 */
import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.SCILAMA_CHROMIUM ?? "/usr/bin/chromium";

export class NoChromiumError extends Error {
  constructor() {
    super(
      `PDF reports need Chromium, which is not installed at ${CHROMIUM}. Install it (Debian/Ubuntu: sudo apt-get install chromium), ` +
        "set SCILAMA_CHROMIUM to another Chromium or Chrome, or make the report from the desktop app.",
    );
    this.name = "NoChromiumError";
  }
}

/** Prints `html` to `out` (A4); returns the browser version used. */
export async function printPdf(html: string, out: string): Promise<string> {
  if (!existsSync(CHROMIUM)) throw new NoChromiumError();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
  try {
    const page = await browser.newPage();
    // The report is self-contained: block every network request a malicious value could smuggle in.
    await page.route("**/*", (route) => route.abort());
    await page.setContent(html, { waitUntil: "load" });
    const pdf = await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true });
    const tmp = `${out}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, pdf);
      renameSync(tmp, out);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    return `Chromium ${browser.version()}`;
  } finally {
    await browser.close();
  }
}
