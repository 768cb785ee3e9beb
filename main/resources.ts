/** Where the files that ship with the app (resources/) are, from the source tree or an installed app. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export function resourcePath(...parts: string[]): string {
  const root = process.env.SCILAMA_RESOURCES ?? join(here, "..", "resources");
  const p = join(root, ...parts);
  if (!existsSync(p)) throw new Error(`missing application resource ${p}; reinstall the app or run 'npm run derive:resources'`);
  return p;
}
