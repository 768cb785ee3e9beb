// The engine process of the desktop app (an Electron utilityProcess): the Studio API behind a message port
// (engine-main.ts), from the compiled build when it is current (a packaged app ships only the build), else through tsx.
import { loadEngine } from "../bin/load.mjs";

await loadEngine("electron/engine-main");
