/**
 * HTML → PDF through Debian's Chromium driven by playwright-core (the CLI and the web host; the desktop app prints
 * with Electron's own `printToPDF`). Written temp-file-then-rename, so a failed print leaves no half PDF.
 */
import { type Browser, chromium } from "playwright-core";
import { atomicWrite } from "../io/csv.js";
import { CHROMIUM, requireChromium } from "./chromium.js";

/** Debian's Chromium, headless, as the reports and the e2e tests drive it. */
export function launchChromium(): Promise<Browser> {
  requireChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
}

/** Prints `html` to `out` (A4); returns the browser version used. */
export async function printPdf(html: string, out: string): Promise<string> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    // The report is self-contained: block every network request a malicious value could smuggle in.
    await page.route("**/*", (route) => route.abort());
    await page.setContent(html, { waitUntil: "load" });
    atomicWrite(out, await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true }));
    return `Chromium ${browser.version()}`;
  } finally {
    await browser.close();
  }
}
