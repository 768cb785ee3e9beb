// The engine process of the desktop app (an Electron utilityProcess): registers the TypeScript loader, then runs the
// Studio API behind a message port (engine-main.ts).
import { register } from "tsx/esm/api";

register();
await import("./engine-main.ts");
