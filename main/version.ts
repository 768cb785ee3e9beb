/** The app's root folder and version (one source for the CLI, the Electron shell, reports and benchmarks). */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The folder holding package.json: the repository or the installed app, whether this module runs from main/ or from
 *  the compiled build/main/. */
export const APP_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

export const appVersion = (): string => (JSON.parse(readFileSync(join(APP_ROOT, "package.json"), "utf8")) as { version: string }).version;

/** The built user interface (`npm run build`). */
export const rendererDir = (): string => join(APP_ROOT, "renderer", "dist");
