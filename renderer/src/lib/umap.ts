/**
 * UMAP scatter options shared by the pages: axes without a crossing at 0, zoom and pan, and series built from flat
 * Float32Arrays (x, y per point) so that echarts' large mode draws 100k points without a JS array per point.
 */
import { LEVELS as LEVEL_COLORS, levelOf } from "../../../main/isomorphic/palette";
import type { Option } from "./charts";

export const symbolSize = (n: number) => (n > 20000 ? 2 : n > 3000 ? 3 : 5);

export function umapBase(title: string): Option {
  const axis = (name: string, nameGap: number) => ({
    type: "value",
    name,
    nameLocation: "middle",
    nameGap,
    scale: true,
    splitLine: { show: false },
    axisLine: { onZero: false },
  });
  return {
    animation: false,
    title: { text: title, left: "center", textStyle: { fontSize: 13 } },
    grid: { left: 50, right: 170, top: 30, bottom: 45 },
    xAxis: axis("UMAP 1", 25),
    yAxis: axis("UMAP 2", 30),
    dataZoom: [
      { type: "inside", xAxisIndex: 0 },
      { type: "inside", yAxisIndex: 0 },
    ],
    legend: { type: "scroll", orient: "vertical", right: 0, top: 30, bottom: 10 },
    tooltip: { trigger: "item", formatter: (p: { seriesName: string }) => p.seriesName },
  };
}

/** Points split by `code` (−1: left out) into one large-mode series per category. */
export function categorySeries(
  umap: ArrayLike<number>,
  codes: ArrayLike<number>,
  categories: readonly string[],
  colors?: readonly string[],
) {
  const sizes = new Int32Array(categories.length);
  for (let i = 0; i < codes.length; i++) if (codes[i]! >= 0) sizes[codes[i]!]!++;
  const byCat = Array.from(sizes, (k) => new Float32Array(2 * k));
  const fill = new Int32Array(categories.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c < 0) continue;
    const at = 2 * fill[c]!++;
    byCat[c]![at] = umap[2 * i]!;
    byCat[c]![at + 1] = umap[2 * i + 1]!;
  }
  const n = codes.length;
  // An empty typed array breaks large mode: empty categories get a plain empty list.
  return categories.map((name, c) => ({
    name,
    type: "scatter",
    symbolSize: symbolSize(n),
    large: true,
    largeThreshold: 0,
    dimensions: ["UMAP 1", "UMAP 2"],
    ...(colors ? { itemStyle: { color: colors[c] } } : {}),
    data: byCat[c]!.length ? byCat[c] : [],
  }));
}

/**
 * A continuous value in 8 levels, drawn low → high so high cells stay on top (scanpy's sort order); values ≤ `floor`
 * form the first, grey level. Empty levels are left out, unless `keepEmpty` (figures meant to be compared side by side
 * then list the same levels).
 */
export function levelSeries(
  umap: ArrayLike<number>,
  values: readonly number[],
  floor: number,
  max: number,
  floorName: string,
  keepEmpty = false,
) {
  const levels = LEVEL_COLORS.length;
  const span = max - floor || 1;
  const codes = values.map((v) => levelOf(v, floor, max));
  const edge = (l: number) => (floor + ((l - 1) * span) / (levels - 1)).toFixed(1);
  const names = LEVEL_COLORS.map((_, l) => (l === 0 ? floorName : `${edge(l)}–${edge(l + 1)}`));
  return categorySeries(umap, codes, names, LEVEL_COLORS).filter((s) => keepEmpty || (s.data as ArrayLike<number>).length > 0);
}
