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

/** A dot plot's data: each group's top `perGroup` markers (q < 0.05, log2FC > 0) as columns; per group and gene the
 *  fraction of the group's cells expressing it and its log2 fold change against the rest. */
/** What a dot plot needs of one Wilcoxon row (analysis/de.ts's DeRow). */
export interface DotPlotRow {
  group: string;
  gene: string;
  q: number;
  logfc: number;
  pctGroup: number;
}

export function dotPlotData(r: { de: readonly DotPlotRow[]; groups: readonly string[] }, perGroup = 3): DotPlot {
  const genes: string[] = [];
  for (const g of r.groups)
    for (const d of r.de.filter((x) => x.group === g && x.q < 0.05 && x.logfc > 0).slice(0, perGroup))
      if (!genes.includes(d.gene)) genes.push(d.gene);
  const cell = new Map(r.de.map((d) => [`${d.group}|${d.gene}`, d]));
  const at = (g: string, gene: string) => cell.get(`${g}|${gene}`);
  return {
    genes,
    groups: [...r.groups],
    pct: r.groups.map((g) => genes.map((gene) => at(g, gene)?.pctGroup ?? 0)),
    logfc: r.groups.map((g) => genes.map((gene) => at(g, gene)?.logfc ?? 0)),
  };
}
