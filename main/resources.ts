/** Where the files that ship with the app (resources/) are, from the source tree or an installed app. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { APP_ROOT } from "./version.js";

export function resourcePath(...parts: string[]): string {
  const root = process.env.SCILAMA_RESOURCES ?? join(APP_ROOT, "resources");
  const p = join(root, ...parts);
  if (!existsSync(p)) throw new Error(`missing application resource ${p}; reinstall the app or run 'npm run derive:resources'`);
  return p;
}
