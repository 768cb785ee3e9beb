/**
 * echarts, registered once with only what the app draws (scatter, lines, bars, heatmaps, box plots, error bars). Figures are drawn on canvas on
 * screen (large mode keeps 100k-point UMAPs smooth) and exported as PNG, or as SVG by re-rendering the same option
 * with the SVG renderer.
 */
import { BarChart, BoxplotChart, CustomChart, HeatmapChart, LineChart, ScatterChart } from "echarts/charts";
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
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
  HeatmapChart,
  BoxplotChart,
  CustomChart,
  MarkLineComponent,
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

export { PALETTE } from "../../../main/isomorphic/palette";

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
