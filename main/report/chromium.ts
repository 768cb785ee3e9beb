/** Where the reports' Chromium is, and the refusal where it is not: a light module (the command line's exit codes read
 *  it on every start; playwright-core loads only with `pdf.ts`). */
import { existsSync } from "node:fs";

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

/** Refuses, before any work, a command that will print a PDF where there is no Chromium to print it. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new NoChromiumError();
}
