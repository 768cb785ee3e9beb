/**
 * Types for the part of scran.js (4.0.x, no bundled declarations) that main/analysis uses. Every object returned
 * here lives on the WebAssembly heap and must be released with `free()`.
 */
declare module "scran.js" {
  type NumArray = ArrayLike<number>;

  export interface Freeable {
    free(): void;
  }

  /** One-sided P(X ≥ markersInSet) per test (arrays of equal length, or scalars); a copied Float64Array. */
  export function hypergeometricTest(
    markersInSet: number | NumArray,
    numberOfMarkers: number | NumArray,
    geneSetSize: number | NumArray,
    numberOfGenes: number | NumArray,
    options?: { numberOfThreads?: number },
  ): Float64Array;

  export function initialize(options?: { numberOfThreads?: number; localFile?: boolean }): Promise<boolean>;
  export function terminate(): void;
  export function maximumThreads(): number;

  export class ScranMatrix implements Freeable {
    numberOfRows(): number;
    numberOfColumns(): number;
    free(): void;
  }
  export function initializeSparseMatrixFromSparseArrays(
    numberOfRows: number,
    numberOfColumns: number,
    values: NumArray,
    indices: NumArray,
    pointers: NumArray,
    options?: { byRow?: boolean; forceInteger?: boolean; layered?: boolean },
  ): ScranMatrix;
  export function initializeDenseMatrixFromDenseArray(
    numberOfRows: number,
    numberOfColumns: number,
    values: NumArray,
    options?: { columnMajor?: boolean; forceInteger?: boolean },
  ): ScranMatrix;

  export class RunPcaResults implements Freeable {
    principalComponents(options?: { copy?: boolean }): Float64Array;
    rotation(options?: { copy?: boolean }): Float64Array;
    varianceExplained(options?: { copy?: boolean }): Float64Array;
    totalVariance(): number;
    numberOfPCs(): number;
    numberOfCells(): number;
    free(): void;
  }
  export function runPca(
    x: ScranMatrix,
    options?: {
      features?: NumArray | null;
      numberOfPCs?: number;
      scale?: boolean;
      block?: NumArray | null;
      blockMethod?: "none" | "regress" | "project";
      blockWeightPolicy?: "none" | "equal" | "variable";
      realizeMatrix?: boolean | null;
      numberOfThreads?: number | null;
    },
  ): RunPcaResults;

  export class BuildNeighborSearchIndexResults implements Freeable {
    numberOfCells(): number;
    numberOfDims(): number;
    free(): void;
  }
  export function buildNeighborSearchIndex(
    x: NumArray,
    options: { numberOfDims: number; numberOfCells: number; approximate?: boolean },
  ): BuildNeighborSearchIndexResults;

  export class FindNearestNeighborsResults implements Freeable {
    numberOfCells(): number;
    numberOfNeighbors(): number;
    serialize(options?: { truncate?: number | null }): { runs: Int32Array; indices: Int32Array; distances: Float64Array };
    static unserialize(runs: NumArray, indices: NumArray, distances: NumArray): FindNearestNeighborsResults;
    free(): void;
  }
  export function findNearestNeighbors(
    x: BuildNeighborSearchIndexResults,
    k: number,
    options?: { numberOfThreads?: number | null },
  ): FindNearestNeighborsResults;

  export class BuildSnnGraphResults implements Freeable {
    free(): void;
  }
  export function buildSnnGraph(
    x: BuildNeighborSearchIndexResults | FindNearestNeighborsResults,
    options?: { scheme?: "rank" | "number" | "jaccard"; neighbors?: number; numberOfThreads?: number | null },
  ): BuildSnnGraphResults;

  export interface ClusterResults extends Freeable {
    membership(options?: { copy?: boolean }): Int32Array;
    modularity(): number;
  }
  export function clusterGraph(
    x: BuildSnnGraphResults,
    options?: {
      method?: "multilevel" | "walktrap" | "leiden";
      multiLevelResolution?: number;
      leidenResolution?: number;
      leidenModularityObjective?: boolean;
      walktrapSteps?: number;
    },
  ): ClusterResults;

  export function runUmap(
    x: BuildNeighborSearchIndexResults | FindNearestNeighborsResults,
    options?: { neighbors?: number; epochs?: number; minDist?: number; numberOfThreads?: number | null },
  ): { x: Float64Array; y: Float64Array };

  export function mnnCorrect(
    x: NumArray,
    block: NumArray,
    options: {
      numberOfDims: number;
      numberOfCells: number;
      k?: number;
      numberOfMADs?: number;
      robustIterations?: number;
      robustTrim?: number;
      referencePolicy?: "input" | "max-variance" | "max-rss" | "max-size";
      approximate?: boolean;
      numberOfThreads?: number | null;
    },
  ): Float64Array;
}
