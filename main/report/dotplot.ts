/**
 * The marker dot plot as an echarts option, the same figure on screen and in the PDF report: groups × genes, dot size
 * = fraction of the group expressing the gene, colour = log2 fold change against the rest (clipped to −3…6, blue →
 * white → red). Imported by the renderer too, so nothing here may need Node.
 */
export interface DotPlot {
  genes: string[];
  groups: string[];
  /** groups × genes */
  pct: number[][];
  logfc: number[][];
}

export function dotPlotOption(d: DotPlot, size: "page" | "screen"): Record<string, unknown> {
  const page = size === "page";
  const data = d.groups.flatMap((_, gi) => d.genes.map((_, xi) => [xi, gi, d.pct[gi]![xi]!, Math.max(-3, Math.min(6, d.logfc[gi]![xi]!))]));
  return {
    animation: false,
    grid: page ? { left: 110, right: 70, top: 30, bottom: 70 } : { left: 140, right: 90, top: 10, bottom: 80 },
    xAxis: { type: "category", data: d.genes, axisLabel: { rotate: 60, fontSize: page ? 8 : 11 } },
    yAxis: { type: "category", data: d.groups, axisLabel: { fontSize: page ? 9 : 12 } },
    visualMap: {
      min: -3,
      max: 6,
      dimension: 3,
      right: 0,
      top: "middle",
      text: ["log2FC", ""],
      itemHeight: page ? 100 : 140,
      calculable: !page,
      inRange: { color: ["#2166ac", "#f7f7f7", "#b2182b"] },
      textStyle: { fontSize: page ? 8 : 11 },
    },
    series: [{ type: "scatter", data, symbolSize: (v: number[]) => (page ? 2 + 14 * v[2]! : 3 + 18 * v[2]!) }],
  };
}
