/** What every PDF report shares: escaping, SVG figures rendered server-side by echarts, the palette, the page style. */
import * as echarts from "echarts";

export { LEVELS, levelOf, PALETTE } from "../isomorphic/palette.js";

/** UMAPs in reports draw at most this many cells (a seeded sample; the caption says so). */
export const MAX_POINTS = 20_000;

/** A seeded sample of row indices (all rows when there are few). */
export function sampleRows(n: number, max = MAX_POINTS): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  let s = 12345;
  const keep = new Set<number>();
  while (keep.size < max) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    keep.add(s % n);
  }
  return [...keep].sort((a, b) => a - b);
}

export const escapeHtml = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function svg(option: echarts.EChartsCoreOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  chart.setOption({ animation: false, textStyle: { fontFamily: "DejaVu Sans, sans-serif" }, ...option });
  const out = chart.renderToSVGString();
  chart.dispose();
  return out;
}

/** Print style of every report (A4, DejaVu Sans as shipped with Debian's Chromium). */
export const PAGE_CSS = `
  @page { size: A4; margin: 16mm 14mm; }
  body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #1d2433; }
  h1 { font-size: 22pt; margin: 0 0 6pt; } h2 { font-size: 13pt; margin: 16pt 0 6pt; border-bottom: 1px solid #dde2ea; padding-bottom: 3pt; }
  .title-page { page-break-after: always; padding-top: 30mm; } .cover-figure { margin: 14pt 0; }
  .sub { color: #5b6576; font-size: 12pt; }
  table { border-collapse: collapse; width: 100%; margin: 6pt 0; } th, td { border-bottom: 1px solid #dde2ea; padding: 3pt 6pt; text-align: left; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; } th { color: #5b6576; font-size: 9pt; }
  .figs { display: flex; flex-wrap: wrap; gap: 6pt; } figure { margin: 0; break-inside: avoid; } figcaption { font-size: 8pt; color: #5b6576; }
  .headline { font-size: 12pt; margin-top: 24pt; } .headline b { font-size: 14pt; }
  p.methods { text-align: justify; line-height: 1.4; }
`;
