// The desktop shell (Electron main process). Thin on purpose: a window on the built renderer, served from a private
// app:// scheme with a strict CSP; the Studio engine runs in a utilityProcess (electron/engine.mjs), so training,
// imports and WASM never block this process or the UI. IPC is one validated channel forwarded to the engine.
// The decisions that need no Electron (allow-lists, app:// paths, the print window's CSP) live in policy.cjs.
const { app, BrowserWindow, Menu, dialog, ipcMain, net, protocol, session, shell, utilityProcess } = require("electron");
const { join } = require("node:path");
const { tmpdir } = require("node:os");
const { pathToFileURL } = require("node:url");
const { mkdtempSync, renameSync, rmSync, writeFileSync } = require("node:fs");
const { APP_ORIGIN, externalUrl, isAppUrl, printRequestAllowed, resolveAppFile, withCsp } = require("./policy.cjs");

const ROOT = join(__dirname, "..");
const RENDERER = join(ROOT, "renderer", "dist");
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");
const METHOD = /^[a-z]+(\.[a-z]+)?$/i;

let win = null;
let engine = null;
let nextId = 1;
const pending = new Map();
let printSession = null;
const printDirs = new Set(); // the private folders of the prints under way: all their window may load

/** The engine: the same Studio API as the web host, in its own process (a crash there does not take the UI down). */
function startEngine() {
  engine = utilityProcess.fork(join(__dirname, "engine.mjs"), [], { serviceName: "sciLaMA Studio engine", stdio: "inherit" });
  engine.on("message", async (m) => {
    if (m.type === "reply") {
      pending.get(m.id)?.(m.body);
      pending.delete(m.id);
    } else if (m.type === "event") {
      win?.webContents.send("studio:event", m.event);
    } else if (m.type === "print") {
      // The engine asks for a PDF: Chromium's own printer, on a hidden, sandboxed window with no scripts.
      try {
        await printToFile(m.html, m.out);
        engine.postMessage({
          type: "printed",
          id: m.id,
          printer: `Electron ${process.versions.electron} (Chromium ${process.versions.chrome})`,
        });
      } catch (e) {
        engine.postMessage({ type: "printed", id: m.id, error: String(e?.message ?? e) });
      }
    }
  });
  engine.on("exit", (code) => {
    for (const reply of pending.values())
      reply({ error: { kind: "internal", message: `The engine stopped (code ${code}); restart the app.` } });
    pending.clear();
    if (code !== 0 && !app.isQuitting)
      dialog.showErrorBox(
        "sciLaMA Studio",
        `The analysis engine stopped unexpectedly (code ${code}). Restart the app; your projects are safe.`,
      );
  });
}

function callEngine(method, payload) {
  return new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    engine.postMessage({ type: "call", id, method, payload });
  });
}

/** No web permission is ever granted, asked (request) or probed (check): the app needs none, clipboard API included. */
function denyPermissions(ses) {
  ses.setPermissionRequestHandler((_wc, permission, grant) => {
    console.warn(`refused permission: ${permission}`);
    grant(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
}

/** The print windows' own in-memory session: no permissions, and every request but their page (or data:) cancelled. */
function printWindowSession() {
  if (!printSession) {
    printSession = session.fromPartition("scilama-print", { cache: false });
    denyPermissions(printSession);
    printSession.webRequest.onBeforeRequest((details, callback) => {
      const allowed = printRequestAllowed(details.url, printDirs);
      if (!allowed) console.warn(`print window: blocked ${details.url.slice(0, 200)}`);
      callback({ cancel: !allowed });
    });
  }
  return printSession;
}

async function printToFile(html, out) {
  // A temporary file rather than a data: URL (reports with large SVG figures exceed the data: URL limit), in a
  // private folder: mkdtemp makes it with an unguessable name and mode 0700, and it is removed with its page.
  const dir = mkdtempSync(join(tmpdir(), "scilama-print-"));
  const page = join(dir, "report.html");
  printDirs.add(dir);
  let printer = null;
  try {
    writeFileSync(page, withCsp(String(html)), { mode: 0o600, flag: "wx" });
    printer = new BrowserWindow({
      show: false,
      webPreferences: {
        session: printWindowSession(),
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        javascript: false,
        webSecurity: true,
        spellcheck: false,
      },
    });
    await printer.loadFile(page);
    const pdf = await printer.webContents.printToPDF({ pageSize: "A4", printBackground: true, preferCSSPageSize: true });
    const tmp = `${out}.tmp-${process.pid}`;
    writeFileSync(tmp, pdf);
    renameSync(tmp, out);
  } finally {
    printer?.destroy();
    printDirs.delete(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The system browser, for the allow-listed pages only (policy.cjs EXTERNAL); anything else is refused and logged. */
function openExternal(url) {
  const allowed = externalUrl(url);
  if (allowed) void shell.openExternal(allowed);
  else console.warn(`refused to open externally: ${String(url).slice(0, 200)}`);
}

/** Only our own page may talk to the engine. */
function fromApp(event) {
  return isAppUrl(event.senderFrame?.url) && event.sender === win?.webContents;
}

function wireIpc() {
  ipcMain.handle("studio:call", (event, method, payload) => {
    if (!fromApp(event)) return { error: { kind: "bad-request", message: "refused: not the Studio window" } };
    if (typeof method !== "string" || !METHOD.test(method)) return { error: { kind: "bad-request", message: "refused: bad method name" } };
    if (payload !== undefined && (typeof payload !== "object" || payload === null || Array.isArray(payload)))
      return { error: { kind: "bad-request", message: "refused: the payload must be an object" } };
    return callEngine(method, payload ?? {});
  });
  ipcMain.handle("studio:choose-folder", async (event) => {
    if (!fromApp(event)) return null;
    const r = await dialog.showOpenDialog(win, {
      properties: ["openDirectory", "createDirectory"],
      title: "Choose a folder for the project",
    });
    return r.canceled ? null : r.filePaths[0];
  });
  ipcMain.handle("studio:choose-files", async (event) => {
    if (!fromApp(event)) return [];
    const r = await dialog.showOpenDialog(win, {
      properties: ["openFile", "multiSelections"],
      title: "Choose single-cell data",
      filters: [
        { name: "Single-cell data", extensions: ["h5ad", "h5", "csv", "tsv", "txt", "gz", "mtx", "parquet", "npy"] },
        { name: "All files", extensions: ["*"] },
      ],
    });
    return r.canceled ? [] : r.filePaths;
  });
}

/** app://studio/… → files of the built renderer (never outside it), each with the CSP; a malformed escape is a 400. */
function serveRenderer() {
  protocol.handle("app", async (request) => {
    const target = resolveAppFile(RENDERER, request.url);
    if (target.status !== 200) return new Response(target.status === 400 ? "bad request" : "not found", { status: target.status });
    let res;
    try {
      res = await net.fetch(pathToFileURL(target.file).href);
    } catch {
      return new Response("not found", { status: 404 });
    }
    const headers = new Headers(res.headers);
    headers.set("Content-Security-Policy", CSP);
    headers.set("X-Content-Type-Options", "nosniff");
    return new Response(res.body, { status: res.status, headers });
  });
}

function createWindow() {
  win = new BrowserWindow({
    width: 1360,
    height: 900,
    title: "sciLaMA Studio",
    webPreferences: {
      preload: join(__dirname, "preload.cjs"),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  // Navigation, redirects and webviews are refused for every page (web-contents-created); new windows too, except
  // that the Studio window's allow-listed links open in the system browser.
  win.webContents.setWindowOpenHandler(({ url }) => {
    openExternal(url);
    return { action: "deny" };
  });
  void callEngine("home", {}).then((r) => {
    const demo = r.result?.demo;
    win.loadURL(`${APP_ORIGIN}/index.html${demo ? `#/project/${encodeURIComponent(demo)}` : ""}`);
  });
}

function buildMenu() {
  const isMac = process.platform === "darwin";
  const template = [
    ...(isMac ? [{ role: "appMenu" }] : []),
    {
      label: "File",
      submenu: [
        { label: "Projects", accelerator: "CmdOrCtrl+Shift+H", click: () => win?.loadURL(`${APP_ORIGIN}/index.html#/`) },
        { type: "separator" },
        isMac ? { role: "close" } : { role: "quit" },
      ],
    },
    { role: "editMenu" },
    { role: "viewMenu" },
    { role: "windowMenu" },
    { role: "help", submenu: [{ label: "sciLaMA paper", click: () => openExternal("https://github.com/microsoft/sciLaMA") }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function start() {
  protocol.registerSchemesAsPrivileged([{ scheme: "app", privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  app.on("second-instance", () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    }
  });
  app.on("before-quit", () => {
    app.isQuitting = true;
    engine?.postMessage({ type: "quit" });
  });
  app.on("window-all-closed", () => app.quit());
  app.on("web-contents-created", (_e, contents) => {
    // Every page (the Studio window, the print windows) stays on the app: no link or server redirect leaves it.
    const stay = (e, url) => {
      if (isAppUrl(url)) return;
      e.preventDefault();
      console.warn(`refused navigation to ${String(url).slice(0, 200)}`);
    };
    contents.on("will-navigate", stay);
    contents.on("will-redirect", stay);
    contents.on("will-attach-webview", (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: "deny" }));
  });
  app.whenReady().then(() => {
    denyPermissions(session.defaultSession);
    serveRenderer();
    startEngine();
    wireIpc();
    buildMenu();
    createWindow();
  });
}

// A second launch only wakes the first one (whose "second-instance" handler brings its window forward) and quits:
// it registers nothing, starts no engine and does no whenReady work.
if (app.requestSingleInstanceLock()) start();
else app.quit();
