// Compiles the engine's TypeScript (main/, native-models/, the Electron engine entry) to plain JavaScript in build/,
// file by file with the same layout, so that the CLI, the desktop app and worker threads start without a TypeScript
// loader: under tsx every module — h5wasm's 4 MB WebAssembly glue among them — went through its transform on every
// start. build/sources.json records each source's size and mtime; bin/load.mjs runs the build only while it matches
// the sources (an edited file sends it back to tsx until the next build). Runs on `npm install` and `npm run build`.
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "build");

function sources(dir) {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) return name === "test" ? [] : sources(rel);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") && !name.endsWith(".test.ts") ? [rel] : [];
  });
}

const files = [...sources("main"), ...sources("native-models"), "electron/engine-main.ts"];
const copied = ["main/workers/boot.js"];
const started = performance.now();
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: files.map((f) => join(root, f)),
  outdir: out,
  outbase: root,
  format: "esm",
  platform: "node",
  target: "node20",
  bundle: false,
  sourcemap: "linked",
  logLevel: "warning",
});
for (const f of copied) {
  mkdirSync(dirname(join(out, f)), { recursive: true });
  copyFileSync(join(root, f), join(out, f));
}
const stamp = Object.fromEntries(
  [...files, ...copied].map((f) => {
    const s = statSync(join(root, f));
    return [f, [s.size, Math.round(s.mtimeMs)]];
  }),
);
writeFileSync(join(out, "sources.json"), JSON.stringify(stamp));
console.log(`build-engine: ${files.length} modules → ${relative(root, out)}/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
