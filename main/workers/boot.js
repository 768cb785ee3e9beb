// The script every worker thread starts from. Worker threads start without the parent's TypeScript loader: a worker
// module of the compiled build (build/…/worker.js) runs as it is; from the sources (where only worker.ts exists),
// tsx is registered first.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { workerData } from "node:worker_threads";

const entry = new URL(workerData.entry);
if (existsSync(fileURLToPath(entry))) await import(entry.href);
else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(entry.href.replace(/\.js$/, ".ts"));
}
