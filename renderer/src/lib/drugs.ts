/**
 * What the drug-response pages compute from a result: the heatmap's rows and columns clustered, two groups compared,
 * a box plot's five numbers, and a structure drawing as an image address (RDKit's SVG is only ever shown through an
 * <img>, where nothing in it can run, and the CSP allows data: images).
 */
import { clusterOrder } from "../../../main/isomorphic/cluster";
import type { DrugHeatmap } from "../../../main/isomorphic/drug-heatmap";
import type { DrugResult } from "./api";

export const svgImage = (svg: string): string => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

/** The heatmap of the drugs `shown` (indices into the result's drugs), with its rows and columns clustered. */
export function heatmapOf(r: DrugResult, shown: readonly number[]): { h: DrugHeatmap; order: { rows: number[]; cols: number[] } } {
  const nd = r.drugs.length;
  const pick = (v: readonly number[]) => r.groups.flatMap((_, g) => shown.map((d) => v[g * nd + d]!));
  const h: DrugHeatmap = {
    groups: r.groups,
    drugs: shown.map((d) => r.drugs[d]!.name),
    custom: shown.map((d) => r.drugs[d]!.custom),
    pred: pick(r.pred),
    sd: pick(r.sd),
    relative: pick(r.relative),
  };
  return { h, order: clusterOrder(h.relative, r.groups.length, shown.length) };
}

export interface Difference {
  drug: number;
  /** Group A's predicted ln IC50 minus group B's: negative where A is predicted the more sensitive. */
  diff: number;
  /** The two predictions' ensemble sds combined (√(sdA² + sdB²)). */
  sd: number;
}

/** The `n` drugs whose predictions differ most between groups `a` and `b`, largest difference first. */
export function differences(r: DrugResult, a: number, b: number, n: number): Difference[] {
  const nd = r.drugs.length;
  return r.drugs
    .map((_, d) => ({
      drug: d,
      diff: r.pred[a * nd + d]! - r.pred[b * nd + d]!,
      sd: Math.hypot(r.sd[a * nd + d]!, r.sd[b * nd + d]!),
    }))
    .sort((x, y) => Math.abs(y.diff) - Math.abs(x.diff))
    .slice(0, n);
}

/** Minimum, quartiles (linear interpolation, as numpy's default) and maximum of sorted values. */
export function fiveNumbers(sorted: readonly number[]): [number, number, number, number, number] {
  const q = (p: number) => {
    const at = p * (sorted.length - 1);
    const lo = Math.floor(at);
    return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (at - lo);
  };
  return [sorted[0]!, q(0.25), q(0.5), q(0.75), sorted.at(-1)!];
}
