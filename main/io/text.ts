/** Line-oriented reading of plain or gzipped text files (gzip recognised by its magic bytes, not the name). */
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { DataError } from "./errors.js";

export function headBytes(path: string, n: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

export function isGzip(path: string): boolean {
  const h = headBytes(path, 2);
  return h.length === 2 && h[0] === 0x1f && h[1] === 0x8b;
}

/** Yields the lines of a text file, transparently gunzipping; a damaged gzip stream becomes a DataError. */
export async function* lines(path: string): AsyncGenerator<string> {
  const raw = createReadStream(path);
  const stream = isGzip(path) ? raw.pipe(createGunzip()) : raw;
  let failure: Error | null = null;
  stream.on("error", (e: Error) => {
    failure = e;
  });
  const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of rl) yield line;
  } catch (e) {
    failure = e as Error;
  }
  if (failure) {
    throw new DataError(
      path,
      "a complete text or gzip file",
      `a damaged stream (${(failure as Error).message})`,
      "The file is truncated or corrupt; copy or download it again.",
    );
  }
}

/** Splits one delimited line, honouring double-quoted fields ("" inside quotes is a literal quote). */
export function splitFields(line: string, sep: string): string[] {
  if (!line.includes('"')) return line.split(sep);
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      out.push(field);
      field = "";
    } else field += ch;
  }
  out.push(field);
  return out;
}

/** Guesses the delimiter of a table from its first line: tab, comma or semicolon. */
export function guessSeparator(firstLine: string): string {
  const counts: Array<[string, number]> = ["\t", ",", ";"].map((s) => [s, firstLine.split(s).length - 1]);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 0 ? counts[0][0] : "\t";
}
