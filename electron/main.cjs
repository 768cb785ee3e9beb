// The desktop shell (Electron main process). Thin on purpose: a window on the built renderer, served from a private
// app:// scheme with a strict CSP; the Studio engine runs in a utilityProcess (electron/engine.mjs), so training,
// imports and WASM never block this process or the UI. IPC is one validated channel forwarded to the engine.
const { app, BrowserWindow, Menu, dialog, ipcMain, net, protocol, shell, utilityProcess } = require("electron");
const { join, normalize, sep } = require("node:path");
const { pathToFileURL } = require("node:url");
const { renameSync, rmSync, writeFileSync } = require("node:fs");

const ROOT = join(__dirname, "..");
const RENDERER = join(ROOT, "renderer", "dist");
const APP_ORIGIN = "app://studio";
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

protocol.registerSchemesAsPrivileged([{ scheme: "app", privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (!app.requestSingleInstanceLock()) app.quit();

let win = null;
let engine = null;
let nextId = 1;
const pending = new Map();

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

async function printToFile(html, out) {
  const printer = new BrowserWindow({ show: false, webPreferences: { sandbox: true, contextIsolation: true, javascript: false } });
  // A temporary file rather than a data: URL (reports with large SVG figures exceed the data: URL limit).
  const page = join(app.getPath("temp"), `scilama-report-${process.pid}-${Date.now()}.html`);
  try {
    writeFileSync(page, html);
    await printer.loadFile(page);
    const pdf = await printer.webContents.printToPDF({ pageSize: "A4", printBackground: true, preferCSSPageSize: true });
    const tmp = `${out}.tmp-${process.pid}`;
    writeFileSync(tmp, pdf);
    renameSync(tmp, out);
  } finally {
    printer.destroy();
    rmSync(page, { force: true });
  }
}

/** Only our own page may talk to the engine. */
function fromApp(event) {
  return event.senderFrame?.url.startsWith(`${APP_ORIGIN}/`) && event.sender === win?.webContents;
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

/** app://studio/… → files of the built renderer (never outside it), each with the CSP. */
function serveRenderer() {
  protocol.handle("app", async (request) => {
    const url = new URL(request.url);
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, "") || "index.html";
    const file = join(RENDERER, rel);
    if (url.host !== "studio" || !(file === RENDERER || file.startsWith(RENDERER + sep))) return new Response("not found", { status: 404 });
    const res = await net.fetch(pathToFileURL(file).href);
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
  const contents = win.webContents;
  contents.on("will-navigate", (e, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) e.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith("https://")) void shell.openExternal(url);
    return { action: "deny" };
  });
  contents.on("will-attach-webview", (e) => e.preventDefault());
  contents.session.setPermissionRequestHandler((_wc, _permission, grant) => grant(false));
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
    { role: "help", submenu: [{ label: "sciLaMA paper", click: () => shell.openExternal("https://github.com/microsoft/sciLaMA") }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

app.on("second-instance", () => {
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
});
app.on("before-quit", () => {
  app.isQuitting = true;
  engine?.postMessage({ type: "quit" });
});
app.on("window-all-closed", () => app.quit());
app.on("web-contents-created", (_e, contents) => {
  contents.on("will-navigate", (e, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) e.preventDefault();
  });
});

app.whenReady().then(() => {
  serveRenderer();
  startEngine();
  wireIpc();
  buildMenu();
  createWindow();
});
