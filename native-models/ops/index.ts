// Importing the op modules registers their definitions; this is the one public list of IR ops.
export * from "./elementwise.js";
export * from "./linalg.js";
export * from "./nn.js";
export * from "./reduce.js";
export * from "./shape.js";
