/** Gene priors (static gene embeddings) for sciLaMA's gene encoder: reading, alignment by gene id, controls. */
export { alignPrior, alignPriors, type MultiPriorAlignment, type PriorAlignment, type PriorCoverage } from "./align.js";
export { BUNDLED_PRIOR_NAME, bundledPrior } from "./bundled.js";
export { randomPrior, shuffledAlignment, shuffledPrior } from "./controls.js";
export { detectPriorFormat, type PriorFormat, type ReadPriorOptions, readGeneList, readPrior } from "./read.js";
export type { GenePrior } from "./types.js";
