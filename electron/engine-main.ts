/**
 * The Studio API in Electron's utility process: calls arrive from the main process (already checked to come from
 * the Studio window), are validated and run by `callMethod` exactly as the web host does, and events go back up.
 * PDFs are printed by the main process (Electron's `printToPDF`), asked for over the same port.
 */
import { errorBody } from "../main/api/errors.js";
import { callMethod } from "../main/api/methods.js";
import { Studio } from "../main/api/studio.js";
import { appVersion } from "../main/version.js";

interface ParentPort {
  on(event: "message", listener: (e: { data: EngineRequest }) => void): void;
  postMessage(message: unknown): void;
}

type EngineRequest =
  | { type: "call"; id: number; method: string; payload: unknown }
  | { type: "printed"; id: number; printer?: string; error?: string }
  | { type: "quit" };

const port = (process as unknown as { parentPort: ParentPort }).parentPort;
const prints = new Map<number, { resolve: (printer: string) => void; reject: (e: Error) => void }>();
let nextPrint = 1;

const studio = new Studio(appVersion(), (html, out) => {
  const id = nextPrint++;
  return new Promise<string>((resolve, reject) => {
    prints.set(id, { resolve, reject });
    port.postMessage({ type: "print", id, html, out });
  });
});
studio.on((event) => port.postMessage({ type: "event", event }));

port.on("message", async ({ data: m }) => {
  if (m.type === "call") {
    try {
      port.postMessage({ type: "reply", id: m.id, body: { result: await callMethod(studio, m.method, m.payload) } });
    } catch (e) {
      port.postMessage({ type: "reply", id: m.id, body: { error: errorBody(e) } });
    }
  } else if (m.type === "printed") {
    const p = prints.get(m.id);
    prints.delete(m.id);
    if (m.error) p?.reject(new Error(m.error));
    else p?.resolve(m.printer ?? "Electron");
  } else if (m.type === "quit") {
    await studio.close();
    process.exit(0);
  }
});
