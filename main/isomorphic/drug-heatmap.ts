/**
 * The drug-response heatmap as an echarts option, the same figure on screen and in the PDF report: groups × drugs in
 * the order the caller clustered them, colour = predicted ln IC50 minus the drug's CCLE median on a diverging scale
 * (blue: lower than the median line, i.e. more sensitive; red: less), the hover showing the prediction ± the ensemble's
 * standard deviation. Imported by the renderer too, so nothing here may need Node.
 */

/** Blue → white → red (ColorBrewer RdBu, reversed): low ln IC50 (sensitive) is blue. */
export const DIVERGING: readonly string[] = [
  "#2166ac",
  "#4393c3",
  "#92c5de",
  "#d1e5f0",
  "#f7f7f7",
  "#fddbc7",
  "#f4a582",
  "#d6604d",
  "#b2182b",
];

const rgb = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));

/** The colour of `v` on the diverging scale from −limit (blue) to +limit (red), clipped at both ends. */
export function divergingColor(v: number, limit: number): string {
  const t = Math.max(0, Math.min(1, (v / (limit || 1) + 1) / 2)) * (DIVERGING.length - 1);
  const i = Math.min(DIVERGING.length - 2, Math.floor(t));
  const [a, b] = [rgb(DIVERGING[i]!), rgb(DIVERGING[i + 1]!)];
  return `#${a
    .map((x, k) =>
      Math.round(x + (b[k]! - x) * (t - i))
        .toString(16)
        .padStart(2, "0"),
    )
    .join("")}`;
}

/** Half the colour scale's width: the 95th percentile of |value| (a few extreme drugs would otherwise wash out the
 *  rest; beyond it colours saturate), at least 0.5 ln units (so that noise is not painted deep). */
export function heatmapLimit(values: ArrayLike<number>): number {
  const a = Array.from(values, Math.abs)
    .filter(Number.isFinite)
    .sort((x, y) => x - y);
  const q = a.length ? a[Math.min(a.length - 1, Math.floor(0.95 * a.length))]! : 0;
  return Math.ceil(Math.max(0.5, q) * 10) / 10;
}

/** The `n` drugs whose predictions (groups × drugs, row-major) vary most across the groups, in their own order; all
 *  of them when there are no more than `n`. */
export function mostVariable(pred: ArrayLike<number>, groups: number, drugs: number, n: number): number[] {
  if (drugs <= n) return [...Array(drugs).keys()];
  const spread = Array.from({ length: drugs }, (_, d) => {
    let m = 0;
    for (let g = 0; g < groups; g++) m += pred[g * drugs + d]! / groups;
    let s = 0;
    for (let g = 0; g < groups; g++) s += (pred[g * drugs + d]! - m) ** 2;
    return s;
  });
  return [...Array(drugs).keys()]
    .sort((a, b) => spread[b]! - spread[a]!)
    .slice(0, n)
    .sort((a, b) => a - b);
}

/** A group's first `n` drugs by rank (1: the lowest predicted ln IC50). */
export function topByRank(rank: ArrayLike<number>, group: number, drugs: number, n: number): number[] {
  return [...Array(drugs).keys()].sort((a, b) => rank[group * drugs + a]! - rank[group * drugs + b]!).slice(0, n);
}

export interface DrugHeatmap {
  groups: string[];
  drugs: string[];
  /** Per drug: a molecule the user gave, read against the model's predictions over CCLE lines, not measurements. */
  custom: boolean[];
  /** groups × drugs, row-major: predicted ln IC50, its ensemble sd, and the prediction minus the drug's CCLE median. */
  pred: number[];
  sd: number[];
  relative: number[];
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const signed = (v: number) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(2)}`;

/** The heatmap with rows and columns in `order` (indices into groups and drugs). */
export function drugHeatmapOption(
  h: DrugHeatmap,
  order: { rows: number[]; cols: number[] },
  size: "screen" | "page",
): Record<string, unknown> {
  const page = size === "page";
  const nd = h.drugs.length;
  const limit = heatmapLimit(h.relative);
  const data = order.rows.flatMap((g, y) => order.cols.map((d, x) => [x, y, h.relative[g * nd + d]!, g, d]));
  const many = order.cols.length > 60;
  return {
    animation: false,
    grid: page ? { left: 90, right: 70, top: 10, bottom: 90 } : { left: 150, right: 100, top: 10, bottom: many ? 130 : 110 },
    xAxis: {
      type: "category",
      data: order.cols.map((d) => `${h.drugs[d]}${h.custom[d] ? " *" : ""}`),
      axisLabel: { rotate: 60, fontSize: page ? 6 : 10, interval: many && !page ? "auto" : 0 },
      splitArea: { show: false },
    },
    yAxis: { type: "category", inverse: true, data: order.rows.map((g) => h.groups[g]), axisLabel: { fontSize: page ? 8 : 12 } },
    visualMap: {
      min: -limit,
      max: limit,
      dimension: 2,
      calculable: !page,
      precision: 1,
      orient: "vertical",
      right: 0,
      top: "middle",
      itemHeight: page ? 90 : 110,
      // On screen the handles show the scale's ends; on paper the text does.
      text: page ? [`+${limit.toFixed(1)} less sensitive`, `−${limit.toFixed(1)} more sensitive`] : ["less sensitive", "more sensitive"],
      textStyle: { fontSize: page ? 7 : 11 },
      inRange: { color: [...DIVERGING] },
    },
    tooltip: {
      formatter: (p: { value: number[] }) => {
        const [, , rel, g, d] = p.value as [number, number, number, number, number];
        const i = g * nd + d;
        return [
          `<b>${esc(h.groups[g]!)}</b> · ${esc(h.drugs[d]!)}`,
          `predicted ln IC50 ${h.pred[i]!.toFixed(2)} ± ${h.sd[i]!.toFixed(2)}`,
          `${signed(rel)} against the ${h.custom[d] ? "median predicted for CCLE lines (new molecule)" : "CCLE median"}`,
        ].join("<br>");
      },
    },
    ...(many && !page
      ? {
          dataZoom: [
            { type: "inside", xAxisIndex: 0 },
            { type: "slider", xAxisIndex: 0, height: 14, bottom: 4 },
          ],
        }
      : {}),
    series: [{ type: "heatmap", data, progressive: 0, emphasis: { itemStyle: { borderColor: "#1d2433", borderWidth: 1 } } }],
  };
}
