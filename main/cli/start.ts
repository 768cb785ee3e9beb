/**
 * `npm start` / `scilama start`: opens sciLaMA Studio on the bundled demo project (created on first launch). The
 * desktop window when Electron's binary is installed; otherwise — or with --browser — the web host on 127.0.0.1,
 * printing its address (with this launch's access token) and opening it in the default browser unless --no-open.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Studio } from "../api/studio.js";
import { startHost } from "../host/server.js";
import { ensureDemoProject } from "../store/home.js";
import { APP_ROOT, appVersion, rendererDir } from "../version.js";

const root = APP_ROOT;

/** Electron's executable when its binary was downloaded (npm's install script for it is not run here), else null.
 *  Read from the package's path.txt rather than `require("electron")`, which would try to download it. */
export function electronBinary(): string | null {
  try {
    const pkg = dirname(createRequire(import.meta.url).resolve("electron/package.json"));
    const rel = readFileSync(join(pkg, "path.txt"), "utf8").trim();
    const exe = join(pkg, "dist", rel);
    return existsSync(exe) ? exe : null;
  } catch {
    return null;
  }
}

export interface StartOptions {
  browser: boolean;
  port?: number;
  open: boolean;
}

export async function startCommand(o: StartOptions): Promise<void> {
  const say = (s: string) => process.stdout.write(`${s}\n`);
  const demo = await ensureDemoProject((dir) => say(`First launch: creating the demo project in ${dir} …`));
  if (!existsSync(join(rendererDir(), "index.html"))) throw new Error("the user interface is not built; run `npm run build` first");
  if (!o.browser) {
    const electron = electronBinary();
    if (electron) {
      const child = spawn(electron, [join(root, "electron", "main.cjs")], { stdio: "inherit" });
      await new Promise((resolve) => child.on("exit", resolve));
      return;
    }
    say(
      "The desktop window needs Electron's binary, which is not installed on this machine (npm did not run its download script).\n" +
        "Starting sciLaMA Studio in browser mode instead: everything works the same in your browser.",
    );
  }
  const studio = new Studio(appVersion());
  const host = await startHost({ studio, rendererDir: rendererDir(), ...(o.port ? { port: o.port } : {}) });
  const url = `${host.url}#/project/${encodeURIComponent(demo)}`;
  say(`Studio ready at ${url}`);
  if (o.open) openInBrowser(url);
  await new Promise<void>((resolve) => {
    const stop = () => {
      say("Closing sciLaMA Studio (running jobs are stopped and recorded as cancelled) …");
      void studio
        .close()
        .then(() => host.close())
        .then(resolve);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

function openInBrowser(url: string): void {
  const cmd = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  const child = spawn(cmd, [url], { stdio: "ignore", detached: true });
  child.on("error", () => process.stdout.write("(could not open a browser here: open the address above yourself)\n"));
  child.unref();
}
