#!/usr/bin/env node
// The CLI: the compiled engine when the build is current, else the TypeScript through tsx (bin/load.mjs).
import { loadEngine } from "./load.mjs";

await loadEngine("main/cli/main");
