/**
 * The markers analysis's settings: types, defaults and ranges — the one table the CLI's flags, the API's schema and
 * the wizard (through the plan) read.
 */
import type { Limit } from "../../isomorphic/limits.js";

/** The markers wizard's choices: which integration result, which cell groups, how fine the gene modules are. */
export interface MarkersSettings {
  /** The integration run whose contextual gene embeddings are clustered. */
  sourceRun: number;
  /** The cell column whose groups modules are matched to and markers found for. */
  groupby: string;
  neighbors: number;
  resolution: number;
  /** Extra gene-set collections (.gmt files) besides the bundled ones. */
  gmt: string[];
}

/**
 * 15 neighbours as the authors' later code. Their resolution 0.5 was for scanpy's graph (UMAP connectivities of the
 * kNN graph); scran's shared-nearest-neighbour graph is denser, and modularity at 0.5 merges cell states on it (PBMC
 * 3k: 5–8 modules, 5–6 of 9 canonical markers in a module of their cell type), so the default here is 1 (16 modules,
 * 8 of 9).
 */
export const MARKERS_DEFAULTS = { neighbors: 15, resolution: 1 } as const satisfies Partial<MarkersSettings>;

/** The neighbour counts and resolutions the app and the CLI accept. */
export const MARKERS_LIMITS = {
  neighbors: { min: 2, max: 200, integer: true },
  resolution: { min: 0.01, max: 20 },
} as const satisfies Record<string, Limit>;

/** At most this many extra gene-set files. */
export const MAX_GMT_FILES = 20;
