#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx's loader (no build step between a clone and a working CLI).
import { register } from "tsx/esm/api";

register();
await import("../main/cli/main.ts");
