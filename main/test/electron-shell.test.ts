/**
 * The desktop shell's security decisions, where node can run them (electron/policy.cjs needs no Electron): the
 * external-link allow-list, app:// paths confined to the renderer (traversal, encoded dots, malformed escapes), what
 * the print window may load and its CSP, and the Electron fuses electron-builder.yml flips in the packaged binary.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, sep } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";

const ROOT = join(import.meta.dirname, "..", "..");
const policy = createRequire(import.meta.url)("../../electron/policy.cjs") as {
  PRINT_CSP: string;
  externalUrl(url: unknown): string | null;
  isAppUrl(url: unknown): boolean;
  resolveAppFile(root: string, url: string): { status: 200; file: string } | { status: 400 | 404 };
  printRequestAllowed(url: string, dirs: Iterable<string>): boolean;
  withCsp(html: string, csp?: string): string;
};

test("only the allow-listed pages open in the system browser", () => {
  for (const ok of ["https://github.com/microsoft/sciLaMA", "https://github.com/microsoft/sciLaMA/blob/main/README.md"])
    assert.equal(policy.externalUrl(ok), ok);
  for (const refused of [
    "https://github.com/microsoft/sciLaMA-evil",
    "https://github.com/microsoft/sciLaMA/../../evil/repo",
    "https://github.com/microsoft/sciLaMA/%2e%2e/%2e%2e/evil",
    "https://github.com/microsoft",
    "https://github.com.evil.com/microsoft/sciLaMA",
    "https://evil.com/github.com/microsoft/sciLaMA",
    "https://github.com@evil.com/microsoft/sciLaMA",
    "https://user:pass@github.com/microsoft/sciLaMA",
    "https://github.com:8443/microsoft/sciLaMA",
    "http://github.com/microsoft/sciLaMA",
    "javascript:alert(1)//https://github.com/microsoft/sciLaMA",
    "file:///etc/passwd",
    "app://studio/index.html",
    "not a url",
    "",
    undefined,
  ])
    assert.equal(policy.externalUrl(refused), null, String(refused));
});

test("app pages are recognised by parsed origin, not by prefix", () => {
  assert.ok(policy.isAppUrl("app://studio/index.html#/project/x"));
  for (const other of [
    "app://studio.evil/index.html",
    "app://evil/",
    "app://x@studio/",
    "https://studio/",
    "file:///app://studio/",
    undefined,
  ])
    assert.ok(!policy.isAppUrl(other), String(other));
});

test("app:// URLs resolve inside the renderer folder; traversal is refused and a malformed escape is a 400", () => {
  const root = join(ROOT, "renderer", "dist");
  const inside = (r: ReturnType<typeof policy.resolveAppFile>) => r.status === 404 || (r.status === 200 && r.file.startsWith(root + sep));
  assert.deepEqual(policy.resolveAppFile(root, "app://studio/"), { status: 200, file: join(root, "index.html") });
  assert.deepEqual(policy.resolveAppFile(root, "app://studio/assets/a%20b.js"), { status: 200, file: join(root, "assets", "a b.js") });
  for (const url of [
    "app://studio/../../../etc/passwd",
    "app://studio/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "app://studio/assets/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "app://studio/assets/..%5c..%5c..%5c..%5cetc%5cpasswd",
    "app://studio/%2F%2F..%2F..%2Fetc/passwd",
    "app://studio/C:%5CWindows%5Cwin.ini",
  ]) {
    const r = policy.resolveAppFile(root, url);
    assert.ok(inside(r), `${url} → ${JSON.stringify(r)}`);
  }
  assert.deepEqual(policy.resolveAppFile(root, "app://evil/index.html"), { status: 404 });
  assert.deepEqual(policy.resolveAppFile(root, "app://studio/%E0%A4%A"), { status: 400 });
  assert.deepEqual(policy.resolveAppFile(root, "app://studio/%"), { status: 400 });
  assert.deepEqual(policy.resolveAppFile(root, "app://studio/index.html%00.png"), { status: 400 });
});

test("the print window loads its own page and data: only; its HTML starts with a strict CSP", () => {
  const dir = join(ROOT, "print-dir");
  const dirs = new Set([dir]);
  assert.ok(policy.printRequestAllowed(pathToFileURL(join(dir, "report.html")).href, dirs));
  assert.ok(policy.printRequestAllowed("data:image/png;base64,AAAA", dirs));
  for (const refused of [
    pathToFileURL(join(ROOT, "print-dir-other", "x.html")).href,
    pathToFileURL(join(dir, "..", "secret.txt")).href,
    "file:///etc/passwd",
    "file://evil.example/share/x.png",
    "https://example.com/pixel.png",
    "http://127.0.0.1:8080/",
    "ws://127.0.0.1/",
    "blob:null/abc",
  ])
    assert.ok(!policy.printRequestAllowed(refused, dirs), refused);
  assert.ok(!policy.printRequestAllowed(pathToFileURL(join(dir, "report.html")).href, new Set()));

  const csp = `<meta http-equiv="Content-Security-Policy" content="${policy.PRINT_CSP}">`;
  assert.match(policy.PRINT_CSP, /default-src 'none'/);
  assert.doesNotMatch(policy.PRINT_CSP, /script-src|https?:/);
  assert.equal(
    policy.withCsp('<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>x</title></head><body></body></html>'),
    `<!doctype html>\n<html lang="en"><head>${csp}<meta charset="utf-8"><title>x</title></head><body></body></html>`,
  );
  assert.equal(policy.withCsp("<p>bare</p>"), `${csp}<p>bare</p>`);
  // A <head> further down (say, inside an unescaped value) does not move it.
  assert.ok(policy.withCsp("<!doctype html><body><head></head></body>").startsWith(`<!doctype html>${csp}<body>`));
});

test("electron-builder.yml flips the Electron fuses, with keys the installed electron-builder knows", () => {
  const yml = readFileSync(join(ROOT, "electron-builder.yml"), "utf8");
  const block = /^electronFuses:\n((?:[ \t]+.*\n)+)/m.exec(yml);
  assert.ok(block, "electronFuses: block");
  const fuses = Object.fromEntries([...block[1]!.matchAll(/^\s+(\w+):\s*(true|false)\s*$/gm)].map((m) => [m[1], m[2] === "true"]));
  assert.deepEqual(fuses, {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    loadBrowserProcessSpecificV8Snapshot: false,
    grantFileProtocolExtraPrivileges: false,
  });
  // electron-builder rejects unknown keys: check them against its schema where it is installed.
  const scheme = join(ROOT, "node_modules", "app-builder-lib", "scheme.json");
  if (existsSync(scheme)) {
    const known = Object.keys(JSON.parse(readFileSync(scheme, "utf8")).definitions.FuseOptionsV1.properties);
    for (const k of Object.keys(fuses)) assert.ok(known.includes(k), `${k} is not an electron-builder fuse option`);
  }
});
