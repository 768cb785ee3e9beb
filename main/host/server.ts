/**
 * The web host: the Studio API over HTTP + WebSocket on 127.0.0.1, serving the built renderer. Every request needs
 * the per-launch token (the launch URL's `?token=` sets it as a same-site cookie; scripts may send the
 * `X-Studio-Token` header), and the Host/Origin headers must name this server (no DNS rebinding, no cross-site
 * requests). Browser drops are streamed to the project's uploads folder, then imported by path.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, rmSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { WebSocketServer } from "ws";
import { reportFile } from "../analyses/run-report.js";
import { ApiError, errorBody, HTTP_STATUS } from "../api/errors.js";
import { callMethod } from "../api/methods.js";
import type { Studio } from "../api/studio.js";

export interface HostOptions {
  studio: Studio;
  /** The built renderer (index.html + assets). */
  rendererDir: string;
  port?: number;
  token?: string;
}

export interface Host {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".json": "application/json",
};

const MAX_JSON_BYTES = 1 << 20;

export function csp(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export async function startHost(o: HostOptions): Promise<Host> {
  const token = o.token ?? randomBytes(24).toString("base64url");
  const tokenBytes = Buffer.from(token);
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  let port = 0;

  const sameToken = (t: string | undefined) => {
    if (!t) return false;
    const b = Buffer.from(t);
    return b.length === tokenBytes.length && timingSafeEqual(b, tokenBytes);
  };
  const cookieToken = (req: IncomingMessage) => /(?:^|;\s*)studio_token=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
  const ownHost = (req: IncomingMessage) => {
    const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
    if (!hosts.includes(req.headers.host ?? "")) return false;
    const origin = req.headers.origin;
    return origin === undefined || hosts.some((h) => origin === `http://${h}`);
  };
  const authorised = (req: IncomingMessage, url: URL) =>
    ownHost(req) &&
    (sameToken(req.headers["x-studio-token"] as string | undefined) ||
      sameToken(cookieToken(req)) ||
      sameToken(url.searchParams.get("token") ?? undefined));

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", "x-content-type-options": "nosniff" });
    res.end(text);
  };
  const sendError = (req: IncomingMessage, res: ServerResponse, e: unknown) => {
    const body = errorBody(e);
    // A body refused half-read (too large) leaves its rest on the connection: close it rather than parse that rest as
    // the client's next request.
    if (!req.complete) res.setHeader("connection", "close");
    if (body.kind === "internal") console.error(e);
    send(res, HTTP_STATUS[body.kind], { error: body });
  };

  server.on("request", async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (!authorised(req, url)) {
      const message = "sciLaMA Studio: open the address printed when the app started (it carries this launch's access token).";
      if (req.method === "GET") {
        res.writeHead(403, { "content-type": "text/plain; charset=utf-8" });
        res.end(message);
      } else send(res, 403, { error: { kind: "forbidden", message } });
      return;
    }
    try {
      if (req.method === "POST" && url.pathname.startsWith("/api/")) {
        const payload = await readJson(req);
        send(res, 200, { result: await callMethod(o.studio, url.pathname.slice(5), payload) });
      } else if (req.method === "POST" && url.pathname === "/upload") {
        const project = url.searchParams.get("project");
        const name = url.searchParams.get("name");
        if (!project || !name) throw new ApiError("bad-request", "An upload needs ?project= and ?name=.");
        const target = o.studio.uploadPath(project, name);
        try {
          await pipeline(req, createWriteStream(target, { flags: "wx" }));
        } catch (e) {
          rmSync(target, { force: true });
          throw e;
        }
        send(res, 200, { result: { path: target } });
      } else if (req.method === "GET" && url.pathname === "/files/report") {
        const file = reportFile(o.studio.project(url.searchParams.get("project") ?? ""), Number(url.searchParams.get("runId")));
        res.writeHead(200, {
          "content-type": "application/pdf",
          "content-disposition": `attachment; filename="sciLaMA-run-${Number(url.searchParams.get("runId"))}-report.pdf"`,
          "x-content-type-options": "nosniff",
        });
        // A file that cannot be read after all (replaced by a folder, removed meanwhile) ends this answer, not the host.
        createReadStream(file)
          .on("error", () => res.destroy())
          .pipe(res);
      } else if (req.method === "GET") {
        serveStatic(res, url);
      } else throw new ApiError("not-found", `${req.method} ${url.pathname} is not part of the Studio API.`);
    } catch (e) {
      sendError(req, res, e);
    }
  });

  /** The path's percent-escapes decoded; a malformed one (`/%E0%A4%A`) is the client's mistake, not a crash. */
  const decodedPath = (url: URL) => {
    try {
      return decodeURIComponent(url.pathname);
    } catch {
      throw new ApiError("bad-request", `The address ${url.pathname} is not a valid URL (a malformed %-escape).`);
    }
  };

  const serveStatic = (res: ServerResponse, url: URL) => {
    const rel = normalize(decodedPath(url)).replace(/^([/\\])+/, "");
    const file = join(o.rendererDir, rel === "" ? "index.html" : rel);
    const inside = file === o.rendererDir || file.startsWith(o.rendererDir + sep);
    const target = inside && existsSync(file) && statSync(file).isFile() ? file : join(o.rendererDir, "index.html");
    if (!existsSync(target)) throw new ApiError("not-found", "The user interface is not built; run `npm run build`.");
    const headers: Record<string, string> = {
      "content-type": TYPES[extname(target)] ?? "application/octet-stream",
      "x-content-type-options": "nosniff",
      "cache-control": target.endsWith("index.html") ? "no-store" : "max-age=3600",
    };
    if (target.endsWith(".html")) {
      headers["content-security-policy"] = csp(port);
      headers["x-frame-options"] = "DENY";
      headers["referrer-policy"] = "no-referrer";
      headers["set-cookie"] = `studio_token=${token}; Path=/; HttpOnly; SameSite=Strict`;
    }
    res.writeHead(200, headers);
    createReadStream(target).pipe(res);
  };

  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/events" || !authorised(req, url)) {
      socket.write("HTTP/1.1 403 Forbidden\r\n\r\n");
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const off = o.studio.on((e) => ws.send(JSON.stringify(e)));
      ws.on("close", off);
      ws.on("message", () => ws.close(1008, "the event channel is one-way"));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 0, "127.0.0.1", () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (!(req.headers["content-type"] ?? "").startsWith("application/json"))
    throw new ApiError("bad-request", "API requests must be JSON (content-type: application/json).");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_JSON_BYTES) throw new ApiError("bad-request", "The request is too large.");
    chunks.push(c as Buffer);
  }
  if (!size) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    throw new ApiError("bad-request", "The request body is not valid JSON.");
  }
}
