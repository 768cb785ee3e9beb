// The shell's security decisions that need no Electron, so that node can test them (main/test/electron-shell.test.ts):
// which links may leave for the browser, which file an app:// URL names, what the print window may load.
const { join, normalize, sep } = require("node:path");
const { fileURLToPath } = require("node:url");

const APP_ORIGIN = "app://studio";

/** The only pages the app sends to the system browser: an exact https origin and a path prefix (whole segments). */
const EXTERNAL = [{ origin: "https://github.com", path: "/microsoft/sciLaMA" }];

/** CSP of the report pages printed to PDF: self-contained HTML with inline styles and SVG, no scripts, nothing fetched. */
const PRINT_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src data:",
  "font-src data:",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

/** The URL to hand to shell.openExternal (normalised), or null when it is not on the allow-list. */
function externalUrl(raw) {
  let url;
  try {
    url = new URL(String(raw));
  } catch {
    return null;
  }
  // url.origin drops userinfo, so refuse it explicitly (https://github.com@evil.example is evil.example anyway).
  if (url.protocol !== "https:" || url.username || url.password) return null;
  const ok = EXTERNAL.some((a) => url.origin === a.origin && (url.pathname === a.path || url.pathname.startsWith(`${a.path}/`)));
  return ok ? url.href : null;
}

/** A page of the app itself (app://studio/…), by parsed origin rather than by string prefix. */
function isAppUrl(raw) {
  try {
    const url = new URL(String(raw));
    return url.protocol === "app:" && url.host === "studio" && !url.username && !url.password && !url.port;
  } catch {
    return false;
  }
}

/**
 * app://studio/<path> → { status: 200, file } inside `root`, or { status: 400 } for a malformed URL or escape, or
 * { status: 404 } for another host or a path that would leave `root` (after decoding, e.g. %2e%2e or %2F..).
 */
function resolveAppFile(root, raw) {
  let url;
  try {
    url = new URL(String(raw));
  } catch {
    return { status: 400 };
  }
  if (url.protocol !== "app:" || url.host !== "studio") return { status: 404 };
  let path;
  try {
    path = decodeURIComponent(url.pathname); // throws URIError on a malformed escape such as %E0%A4%A
  } catch {
    return { status: 400 };
  }
  if (path.includes("\0")) return { status: 400 };
  // normalize() of a rooted path cannot climb above it; join (not resolve) keeps a decoded "C:\…" under root too.
  const rel = normalize(path).replace(/^([/\\])+/, "") || "index.html";
  const file = join(root, rel);
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return { status: 404 };
  return { status: 200, file };
}

/** The print window may load its own page (a file inside one of `dirs`) and data: URLs; nothing else. */
function printRequestAllowed(raw, dirs) {
  let url;
  try {
    url = new URL(String(raw));
  } catch {
    return false;
  }
  if (url.protocol === "data:") return true;
  if (url.protocol !== "file:" || (url.host && url.host !== "localhost")) return false;
  let path;
  try {
    path = normalize(fileURLToPath(url));
  } catch {
    return false;
  }
  const fold = (p) => (process.platform === "win32" ? p.toLowerCase() : p); // drive letters and case on Windows
  return [...dirs].some((d) => fold(path).startsWith(fold(d + sep)));
}

/**
 * `html` with a CSP <meta> as the first thing of its <head> (a meta CSP only binds what follows it, so it goes before
 * any content; a second policy injected later can only narrow it). Anchored at the start: nothing later can move it.
 */
function withCsp(html, csp = PRINT_CSP) {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${csp}">`;
  const head = /^\s*(<!doctype[^>]*>)?\s*(<html[^>]*>)?\s*(<head(\s[^>]*)?>)?/i.exec(html)[0];
  return head + meta + html.slice(head.length);
}

module.exports = { APP_ORIGIN, EXTERNAL, PRINT_CSP, externalUrl, isAppUrl, resolveAppFile, printRequestAllowed, withCsp };
