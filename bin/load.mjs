// Loads an engine module (e.g. "main/cli/main"): the compiled build/ when it matches the sources (see
// scripts/build-engine.mjs), else the TypeScript itself through tsx — so a clone runs before any build, and an edit
// takes effect at once.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** True when no source the build was made from has changed (size and modification time). A packaged app ships the
 *  build without the sources: a source that is not there does not make the build stale. */
export function buildIsCurrent() {
  const stampFile = join(root, "build", "sources.json");
  if (!existsSync(stampFile)) return false;
  const stamp = JSON.parse(readFileSync(stampFile, "utf8"));
  return Object.entries(stamp).every(([file, [size, mtime]]) => {
    const path = join(root, file);
    if (!existsSync(path)) return true;
    const s = statSync(path);
    return s.size === size && Math.round(s.mtimeMs) === mtime;
  });
}

export async function loadEngine(module) {
  // h5wasm's WebAssembly (HDF5 + zlib) tiers up to optimised code once a function has run V8's budget of bytes; at
  // the default budget its start-up code alone was recompiled, ~0.25 s of CPU on every `scilama inspect`. 100× the
  // budget still optimises the loops that a large read spends its time in (a 39,570-cell gzip .h5ad read no slower).
  // It must be set before h5wasm's module is compiled, so here, before any engine module loads.
  setFlagsFromString("--wasm-tiering-budget=180000000");
  if (process.env.SCILAMA_FROM_SOURCE !== "1" && buildIsCurrent()) return import(pathToFileURL(join(root, "build", `${module}.js`)).href);
  const { register } = await import("tsx/esm/api");
  register();
  return import(pathToFileURL(join(root, `${module}.ts`)).href);
}
