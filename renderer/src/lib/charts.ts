/**
 * echarts, registered once with only what the app draws (scatter, lines, bars). Figures are drawn on canvas on
 * screen (large mode keeps 100k-point UMAPs smooth) and exported as PNG, or as SVG by re-rendering the same option
 * with the SVG renderer.
 */
import { BarChart, LineChart, ScatterChart } from "echarts/charts";
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  ToolboxComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer, SVGRenderer } from "echarts/renderers";

echarts.use([
  ScatterChart,
  LineChart,
  BarChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  VisualMapComponent,
  TitleComponent,
  ToolboxComponent,
  CanvasRenderer,
  SVGRenderer,
]);

export { echarts };
export type Option = echarts.EChartsCoreOption;

/** Colour-blind-friendly categorical palette (Okabe–Ito, then Tableau 20 for many groups). */
export const PALETTE = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#CC79A7",
  "#56B4E9",
  "#D55E00",
  "#F0E442",
  "#000000",
  "#4E79A7",
  "#F28E2B",
  "#E15759",
  "#76B7B2",
  "#59A14F",
  "#EDC948",
  "#B07AA1",
  "#FF9DA7",
  "#9C755F",
  "#BAB0AC",
  "#A0CBE8",
  "#FFBE7D",
  "#8CD17D",
  "#B6992D",
  "#86BCB6",
  "#FABFD2",
  "#D4A6C8",
  "#D7B5A6",
];

function download(url: string, file: string): void {
  const a = document.createElement("a");
  a.href = url;
  a.download = file;
  document.body.append(a);
  a.click();
  a.remove();
}

export function exportPng(chart: echarts.ECharts, name: string): void {
  download(chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" }), `${name}.png`);
}

export function exportSvg(option: Option, width: number, height: number, name: string): void {
  const holder = document.createElement("div");
  const svg = echarts.init(holder, undefined, { renderer: "svg", width, height });
  svg.setOption({ ...option, animation: false });
  download(svg.getDataURL({ type: "svg" }), `${name}.svg`);
  svg.dispose();
}
