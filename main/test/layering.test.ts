// The architecture's layering, checked on the imports themselves: no cycles in main/, the runtime below the models
// and the store, reports below the analyses, the shared lifecycle below every concrete analysis, and the renderer
// reaching into main/ only for the API contract and the isomorphic folder (palette, dot plot, setting limits).
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { ROOT } from "./helpers.js";

interface Edge {
  from: string;
  to: string;
  /** `import type` / `export type`: erased at run time. */
  typeOnly: boolean;
}

function files(dir: string, exts: readonly string[]): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) return name === "node_modules" || name === "dist" ? [] : files(rel, exts);
    return exts.some((e) => name.endsWith(e)) ? [rel] : [];
  });
}

/** The file a relative specifier names (`./x.js` is `./x.ts` in the sources), or null for packages. */
function resolveSpecifier(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const base = join(dirname(from), spec);
  for (const candidate of [base, base.replace(/\.js$/, ".ts"), `${base}.ts`, join(base, "index.ts")])
    if (existsSync(join(ROOT, candidate)) && statSync(join(ROOT, candidate)).isFile()) return candidate;
  throw new Error(`${from}: cannot resolve '${spec}'`);
}

const STATEMENT = /^\s*(import|export)\s+(type\s+)?[^;]*?\sfrom\s*["']([^"']+)["']/gm;
const DYNAMIC = /import\(\s*["']([^"']+)["']\s*\)|new URL\(\s*["'](\.[^"']+)["']\s*,\s*import\.meta\.url/g;

function edgesOf(file: string): Edge[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const edges: Edge[] = [];
  const add = (spec: string, typeOnly: boolean) => {
    const to = resolveSpecifier(file, spec);
    if (to) edges.push({ from: file, to, typeOnly });
  };
  for (const m of text.matchAll(STATEMENT)) add(m[3]!, Boolean(m[2]));
  for (const m of text.matchAll(DYNAMIC)) add((m[1] ?? m[2])!, false);
  return edges;
}

const SOURCES = [
  ...files("main", [".ts"]).filter((f) => !f.startsWith("main/test/")),
  ...files("native-models", [".ts"]).filter((f) => !f.startsWith("native-models/test/")),
  ...files("electron", [".ts"]),
  ...files("renderer/src", [".ts", ".svelte"]),
  ...files("scripts", [".ts"]),
];
const EDGES = SOURCES.flatMap(edgesOf);

const under = (dir: string) => (f: string) => f.startsWith(`${dir}/`);
const violations = (from: (f: string) => boolean, to: (f: string) => boolean) =>
  EDGES.filter((e) => from(e.from) && to(e.to)).map((e) => `${e.from} → ${e.to}`);

/** Cycles among the given files (each reported once, as the path around it). */
function cycles(nodes: (f: string) => boolean): string[] {
  const next = new Map<string, string[]>();
  for (const e of EDGES) if (nodes(e.from) && nodes(e.to)) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (f: string) => {
    state.set(f, "open");
    stack.push(f);
    for (const t of next.get(f) ?? []) {
      if (state.get(t) === "open") found.push([...stack.slice(stack.indexOf(t)), t].join(" → "));
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of SOURCES.filter(nodes)) if (!state.has(f)) visit(f);
  return found;
}

test("the import graph is read (a check that finds no imports would pass vacuously)", () => {
  assert.ok(EDGES.length > 300, `${EDGES.length} imports`);
  assert.ok(EDGES.some((e) => e.from === "main/api/methods.ts" && e.to === "main/analyses/registry.ts"));
  assert.ok(EDGES.some((e) => e.from === "main/analyses/integrate/analysis.ts" && e.to === "main/analyses/integrate/worker.ts"));
});

test("no import cycles in main/ (type-only imports included)", () => {
  assert.deepEqual(cycles(under("main")), []);
});

test("train/ imports neither models/ nor store/; numerics (analysis/, pp/, data/, drugs/) import no orchestration", () => {
  assert.deepEqual(
    violations(under("main/train"), (f) => under("main/models")(f) || under("main/store")(f)),
    [],
  );
  const orchestration = (f: string) =>
    ["main/analyses", "main/api", "main/store", "main/cli", "main/host", "main/report"].some((d) => under(d)(f));
  assert.deepEqual(
    violations((f) => ["main/analysis", "main/pp", "main/data", "main/drugs"].some((d) => under(d)(f)), orchestration),
    [],
  );
  // The drug-response data and baselines are below the models that train on them.
  assert.deepEqual(violations(under("main/drugs"), under("main/models")), []);
});

test("report/ and isomorphic/ import no analysis; the lifecycle imports no concrete analysis", () => {
  assert.deepEqual(
    violations((f) => under("main/report")(f) || under("main/isomorphic")(f), under("main/analyses")),
    [],
  );
  // Like scvi-tools' `train`, the shared parts of analyses/ never know a concrete one; only the registry lists them.
  const shared = (f: string) => dirname(f) === "main/analyses" && !["main/analyses/registry.ts", "main/analyses/run-report.ts"].includes(f);
  const concrete = (f: string) => under("main/analyses")(f) && dirname(f) !== "main/analyses";
  assert.deepEqual(violations(shared, concrete), []);
  // An analysis reaches the API layer only for its method declarations (api.ts), never the other way round but
  // through the registry.
  assert.deepEqual(
    violations(
      (f) => under("main/api")(f) && f !== "main/api/methods.ts" && f !== "main/api/contract.ts",
      (f) => under("main/analyses")(f) && !f.endsWith("/lifecycle.ts") && !f.endsWith("/stages.ts"),
    ),
    [],
  );
});

test("only the CLI imports the CLI; main/ imports no electron; native-models/ imports nothing of ours", () => {
  assert.deepEqual(
    violations((f) => !under("main/cli")(f) && !f.startsWith("scripts/"), under("main/cli")),
    [],
  );
  assert.deepEqual(violations(under("main"), under("electron")), []);
  assert.deepEqual(
    violations(under("native-models"), (f) => !under("native-models")(f)),
    [],
  );
  for (const f of SOURCES.filter(under("main")))
    assert.doesNotMatch(readFileSync(join(ROOT, f), "utf8"), /from ["']electron["']/, `${f} imports electron`);
});

test("the renderer imports from main/ only the API contract (types) and the isomorphic folder", () => {
  const bad = EDGES.filter((e) => under("renderer/src")(e.from) && under("main")(e.to)).filter(
    (e) => !(e.to === "main/api/contract.ts" && e.typeOnly) && !under("main/isomorphic")(e.to),
  );
  assert.deepEqual(
    bad.map((e) => `${relative(ROOT, join(ROOT, e.from))} → ${e.to}`),
    [],
  );
  // The figures run in the browser: nothing there may need Node.
  for (const f of SOURCES.filter(under("main/isomorphic")))
    assert.deepEqual(
      edgesOf(f).map((e) => e.to),
      [],
      `${f} imports only what a browser has`,
    );
  for (const f of SOURCES.filter(under("main/isomorphic"))) assert.doesNotMatch(readFileSync(join(ROOT, f), "utf8"), /from ["']node:/);
});
