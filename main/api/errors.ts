/**
 * Errors as the UI receives them: a kind it can act on and a message a biologist can read. Bad input files keep
 * their structured reason (file, expected, found, what to do); anything unexpected is a bug, reported as such.
 */
import { DiskFullError } from "../io/disk.js";
import { DataError } from "../io/errors.js";
import { SettingError } from "../isomorphic/limits.js";
import { NoChromiumError } from "../report/chromium.js";
import { DatasetBusyError } from "../store/datasets.js";
import { NotInProjectError, ProjectBusyError, ProjectError } from "../store/project.js";

export type ApiErrorKind =
  | "bad-request"
  | "forbidden"
  | "not-found"
  | "data"
  | "project"
  | "busy"
  | "unavailable"
  | "disk-full"
  | "internal";

export interface ApiErrorBody {
  kind: ApiErrorKind;
  message: string;
  data?: { file: string; expected: string; found: string; hint?: string };
}

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function errorBody(e: unknown): ApiErrorBody {
  if (e instanceof ApiError) return { kind: e.kind, message: e.message };
  if (e instanceof SettingError) return { kind: "bad-request", message: e.message };
  if (e instanceof DataError)
    return {
      kind: "data",
      message: e.message,
      data: { file: e.file, expected: e.expected, found: e.found, ...(e.hint ? { hint: e.hint } : {}) },
    };
  if (e instanceof DatasetBusyError || e instanceof ProjectBusyError) return { kind: "busy", message: e.message };
  if (e instanceof NotInProjectError) return { kind: "not-found", message: e.message };
  if (e instanceof ProjectError) return { kind: "project", message: e.message };
  if (e instanceof DiskFullError) return { kind: "disk-full", message: `${e.message[0]!.toUpperCase()}${e.message.slice(1)}.` };
  if (e instanceof NoChromiumError) return { kind: "unavailable", message: e.message };
  const message = e instanceof Error ? e.message : String(e);
  return { kind: "internal", message: `Something went wrong inside sciLaMA Studio (${message}). Please report it with the log.` };
}

/** HTTP status for an error kind (the web host's answer). */
export const HTTP_STATUS: Record<ApiErrorKind, number> = {
  "bad-request": 400,
  forbidden: 403,
  "not-found": 404,
  data: 422,
  project: 409,
  busy: 409,
  unavailable: 503,
  "disk-full": 507,
  internal: 500,
};
