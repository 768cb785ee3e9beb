/** The app's version, from package.json (one source for the CLI, the Electron shell, reports and benchmarks). */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository (or the packaged app's) root folder. */
export const APP_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export const appVersion = (): string => (JSON.parse(readFileSync(join(APP_ROOT, "package.json"), "utf8")) as { version: string }).version;

/** The built user interface (`npm run build`). */
export const rendererDir = (): string => join(APP_ROOT, "renderer", "dist");
