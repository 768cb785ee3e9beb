/**
 * What every input path is checked for before anything opens it: that it exists, is what is meant (a regular file, a
 * folder, or either for a dataset — never a FIFO, a device or a socket, which would block or never end), that a small
 * text (a gene list, a gene-set file, settings, a pairs table) is small, and that it is none of a project's own
 * database files. Those are refused by name and by inode (a hard link or symlink to them) before they are opened:
 * closing any descriptor of a SQLite file drops every lock the process holds on it, and a running host would lose
 * its database's locks and then its WAL to the next outside client.
 */
import { existsSync, realpathSync, type Stats, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { DataError } from "./errors.js";

/** A project's database file; `-wal`, `-shm` and `-journal` lie beside it. */
export const PROJECT_DATABASE = "project.sqlite";
const DATABASE_FILES = /^project\.sqlite(-wal|-shm|-journal)?$/;

export type InputKind = "dataset" | "file" | "folder";

export interface Input {
  path: string;
  /** How the user named it: a flag (`--panel`) or a description ("the dataset"). */
  what: string;
  /** A dataset may be a file or a 10x folder. */
  kind: InputKind;
  /** For a small text: the most bytes it may have. */
  maxBytes?: number;
}

/** Sizes of the small texts inputs may be. */
export const TEXT_LIMITS = { list: 10 << 20, settings: 1 << 20, table: 512 << 20, geneSets: 256 << 20 } as const;

/** The folders of the projects this process opened: their database files are compared by inode, as they are at
 *  the time of the check (the -wal and -shm come and go, and a deleted file's inode is soon another file's). */
const guarded = new Set<string>();
const inode = (s: Stats) => `${s.dev}:${s.ino}`;

/** Registers a project so that no input can be one of its database files, by any name. */
export function guardDatabase(projectDir: string): void {
  guarded.add(projectDir);
}

/** Whether `path` (through any link) is a project's database file. */
export function isProjectDatabase(path: string): boolean {
  if (!existsSync(path)) return false;
  const real = realpathSync(path);
  if (DATABASE_FILES.test(basename(real)) && existsSync(join(dirname(real), PROJECT_DATABASE))) return true;
  const id = inode(statSync(real));
  for (const dir of guarded)
    for (const suffix of ["", "-wal", "-shm", "-journal"]) {
      const f = join(dir, PROJECT_DATABASE + suffix);
      if (existsSync(f) && inode(statSync(f)) === id) return true;
    }
  return false;
}

const KIND_WORDS: Record<InputKind, string> = { dataset: "a file or 10x folder", file: "a file", folder: "a folder" };

function typeOf(s: Stats): string {
  if (s.isDirectory()) return "a folder";
  if (s.isFIFO()) return "a pipe (FIFO)";
  if (s.isCharacterDevice() || s.isBlockDevice()) return "a device";
  if (s.isSocket()) return "a socket";
  return "a file";
}

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
const mb = (bytes: number) => `${(bytes / (1 << 20)).toFixed(bytes < 1 << 20 ? 2 : 0)} MB`;

/** What is wrong with one input (a DataError: the file, what was expected, what was found, what to do), or null.
 *  Only `stat`s it. */
export function inputProblem(i: Input): DataError | null {
  const expected = KIND_WORDS[i.kind];
  if (!existsSync(i.path)) return new DataError(i.path, expected, "nothing at this path", `Check the path given as ${i.what}.`);
  if (isProjectDatabase(i.path))
    return new DataError(
      i.path,
      expected,
      "a sciLaMA Studio project's database",
      `A project's own files are never read as inputs; for ${i.what}, name the data file itself.`,
    );
  const s = statSync(i.path);
  const ok = s.isDirectory() ? i.kind !== "file" : s.isFile() ? i.kind !== "folder" : false;
  if (!ok) return new DataError(i.path, expected, typeOf(s), `${cap(i.what)} must be ${expected}; a pipe or a device is never read.`);
  if (i.maxBytes !== undefined && s.isFile() && s.size > i.maxBytes)
    return new DataError(i.path, `a small text of at most ${mb(i.maxBytes)}`, `${mb(s.size)}`, `Is it the right file for ${i.what}?`);
  return null;
}

/** Throws the first input's problem (a DataError). */
export function checkInputs(inputs: readonly Input[]): void {
  for (const i of inputs) {
    const problem = inputProblem(i);
    if (problem) throw problem;
  }
}

/** Inputs checked when they are there: a model or settings file whose absence the command or analysis refuses itself,
 *  in its own words ("no scPaLM model in …", "--config must be paper, desktop or a .json file"). */
export const present = (...inputs: Input[]): Input[] => inputs.filter((i) => existsSync(i.path));
