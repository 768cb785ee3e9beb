/**
 * Leiden clustering of the shared-nearest-neighbour graph (scran's "rank" weighting) through scran.js.
 * The default objective is modularity with a resolution parameter, the quality function scanpy's `tl.leiden`
 * optimises (scran.js's own default, CPM, reads the resolution on another scale).
 */
import type { BuildNeighborSearchIndexResults, BuildSnnGraphResults, ClusterResults, FindNearestNeighborsResults } from "scran.js";
import { checkEmbedding, checkK, type Embedding } from "./check.js";
import { checkKnn, type Knn, toScran } from "./neighbors.js";
import { permuteKnn, permuteRows, seededOrder, unpermuteRows } from "./permute.js";
import { release, scran } from "./scran.js";

export interface LeidenOptions {
  /** Neighbours per cell for the SNN graph (default 15, or cells − 1 when there are fewer cells, as scanpy caps
   *  `n_neighbors`; a value given is checked as it is; a precomputed Knn must have at least this many). */
  neighbors?: number;
  /** Resolution (default 1): higher gives more clusters. */
  resolution?: number;
  /** "modularity" (default, as scanpy) or "cpm" (constant Potts model, scran.js's default). */
  objective?: "modularity" | "cpm";
  /**
   * Without a seed the run is deterministic (scran.js's fixed internal seed, cells in their given order); with one,
   * the cells are clustered in a seeded random order, which gives another reproducible run per seed.
   */
  seed?: number;
}

/**
 * Cluster labels 0…c−1, numbered by decreasing cluster size (ties by first cell), of an embedding (row-major
 * cells × dims; its exact `neighbors`-NN graph is computed) or of a precomputed kNN graph.
 */
export function leiden(embedding: Embedding, cells: number, dims: number, opts?: LeidenOptions): Promise<Int32Array>;
export function leiden(graph: Knn, opts?: LeidenOptions): Promise<Int32Array>;
export async function leiden(
  source: Embedding | Knn,
  cellsOrOpts?: number | LeidenOptions,
  dims?: number,
  maybeOpts?: LeidenOptions,
): Promise<Int32Array> {
  const opts = (ArrayBuffer.isView(source) ? maybeOpts : (cellsOrOpts as LeidenOptions | undefined)) ?? {};
  checkLeidenOptions(opts);
  const graph = ArrayBuffer.isView(source)
    ? await snnGraph({ embedding: source, cells: cellsOrOpts as number, dims: dims as number }, opts.neighbors, opts.seed)
    : await snnGraph(source, opts.neighbors, opts.seed);
  try {
    return await clusterSnn(graph.graph, opts, graph.order);
  } finally {
    graph.graph.free();
  }
}

/** An SNN graph on the WebAssembly heap (the caller frees `graph`), and the cell order it was built in (null: as given). */
export interface SnnGraph {
  graph: BuildSnnGraphResults;
  order: Int32Array | null;
}

/** The default neighbour count: 15, or every other cell when there are fewer (a 12-cell dataset still clusters). */
export const defaultNeighbors = (cells: number): number => Math.max(1, Math.min(15, cells - 1));

/** Builds the SNN graph once (e.g. for several resolutions). */
export async function snnGraph(
  source: { embedding: Embedding; cells: number; dims: number } | Knn,
  given?: number,
  seed?: number,
): Promise<SnnGraph> {
  const fn = "Leiden";
  const neighbors = given ?? defaultNeighbors(source.cells);
  const s = await scran();
  let index: BuildNeighborSearchIndexResults | null = null;
  let nn: FindNearestNeighborsResults | null = null;
  try {
    let order: Int32Array | null = null;
    if ("embedding" in source) {
      checkEmbedding(fn, source.embedding, source.cells, source.dims, 2);
      checkK(fn, "neighbors", neighbors, source.cells);
      let x: Embedding = source.embedding;
      if (seed !== undefined) {
        order = seededOrder(source.cells, seed);
        x = permuteRows(x, source.dims, order);
      }
      index = s.buildNeighborSearchIndex(x, { numberOfDims: source.dims, numberOfCells: source.cells, approximate: false });
      nn = s.findNearestNeighbors(index, neighbors);
    } else {
      checkKnn(fn, source);
      checkK(fn, "neighbors", neighbors, source.cells);
      if (source.k < neighbors)
        throw new Error(`${fn}: the kNN graph has ${source.k} neighbours per cell, fewer than the ${neighbors} asked for`);
      let g = source;
      if (seed !== undefined) {
        order = seededOrder(source.cells, seed);
        g = permuteKnn(source, order);
      }
      nn = toScran(s, g, neighbors);
    }
    return { graph: s.buildSnnGraph(nn, { scheme: "rank", neighbors }), order };
  } finally {
    release(nn, index);
  }
}

/** Leiden on a prebuilt SNN graph; `order` (from snnGraph) maps the labels back to the original cell order. */
export async function clusterSnn(
  graph: BuildSnnGraphResults,
  opts: LeidenOptions = {},
  order: Int32Array | null = null,
): Promise<Int32Array> {
  checkLeidenOptions(opts);
  const resolution = opts.resolution ?? 1;
  const objective = opts.objective ?? "modularity";
  const s = await scran();
  let res: ClusterResults | null = null;
  try {
    res = s.clusterGraph(graph, { method: "leiden", leidenResolution: resolution, leidenModularityObjective: objective === "modularity" });
    const membership = res.membership();
    return relabelBySize(order ? unpermuteRows(membership, 1, order) : membership);
  } finally {
    release(res);
  }
}

function checkLeidenOptions(opts: LeidenOptions): void {
  const resolution = opts.resolution ?? 1;
  if (!(resolution > 0) || !Number.isFinite(resolution))
    throw new Error(`Leiden: the resolution must be a positive number, got ${resolution}`);
  const objective = opts.objective ?? "modularity";
  if (objective !== "modularity" && objective !== "cpm") throw new Error(`Leiden: unknown objective "${objective}" (modularity or cpm)`);
  if (opts.seed !== undefined && !Number.isInteger(opts.seed)) throw new Error(`Leiden: the seed must be an integer, got ${opts.seed}`);
}

/** Renumbers cluster ids 0…c−1 by decreasing size, ties by first appearance. */
export function relabelBySize(membership: Int32Array): Int32Array {
  const sizes = new Map<number, { n: number; first: number }>();
  for (let i = 0; i < membership.length; i++) {
    const c = membership[i]!;
    const e = sizes.get(c);
    if (e) e.n++;
    else sizes.set(c, { n: 1, first: i });
  }
  const order = [...sizes.entries()].sort((a, b) => b[1].n - a[1].n || a[1].first - b[1].first);
  const map = new Map<number, number>(order.map(([c], r) => [c, r]));
  return membership.map((c) => map.get(c)!);
}
