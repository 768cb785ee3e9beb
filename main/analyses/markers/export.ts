/**
 * Writes a markers result: the CSV tables the CLI and the wizard export, and for the app the view it shows
 * (view.json), the per-cell module scores (module_scores.f32) and the report's HTML, recorded with the run.
 */
import { mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import { termCard } from "../../analysis/enrichment.js";
import type { MarkersSummary } from "../../api/contract.js";
import { atomicWrite, toCsv } from "../../io/csv.js";
import { dotPlotData } from "../../isomorphic/dotplot.js";
import type { Project } from "../../store/project.js";
import { setArtifact, setMetric } from "../../store/runs.js";
import { type MarkersReportContext, markersReportHtml } from "./report.js";
import type { MarkersOptions, MarkersResult } from "./workflow.js";

export interface MarkersWritten {
  modules: string;
  moduleCelltypes: string;
  enrichment: string;
  de: string;
}

/** The files a markers job writes into its folder, by kind. */
const TABLE_FILES = { modules: "modules.csv", moduleCelltypes: "module_celltypes.csv", enrichment: "enrichment.csv", de: "de.csv" };
const VIEW_FILES = { view: "view.json", scores: "module_scores.f32", html: "report.html" };
export const MARKERS_PDF = "report.pdf";

/** Every file a markers job writes into `folder`. */
export function markersFiles(folder: string, pdf: boolean): string[] {
  return [...Object.values(TABLE_FILES), ...Object.values(VIEW_FILES), ...(pdf ? [MARKERS_PDF] : [])].map((f) => join(folder, f));
}

const inFolder = <K extends string>(folder: string, files: Record<K, string>) =>
  Object.fromEntries(Object.entries(files).map(([k, f]) => [k, join(folder, f as string)])) as Record<K, string>;

export function writeMarkers(r: MarkersResult, folder: string): MarkersWritten {
  mkdirSync(folder, { recursive: true });
  const w: MarkersWritten = inFolder(folder, TABLE_FILES);
  const c = r.contextual;
  atomicWrite(
    w.modules,
    toCsv(
      ["gene", "module", "score", "umap_1", "umap_2", "prior_module"],
      r.genes.map((g, i) => [g, c.module[i]!, c.centrality[i]!, c.umap[2 * i]!, c.umap[2 * i + 1]!, r.prior ? r.prior.module[i]! : null]),
    ),
  );
  atomicWrite(
    w.moduleCelltypes,
    toCsv(
      ["module", "genes", "celltype", "specificity", ...r.groups.map((g) => `score_${g}`)],
      r.associations.map((a) => [a.module, a.genes, a.group, a.specificity, ...a.meanScore]),
    ),
  );
  atomicWrite(
    w.enrichment,
    toCsv(
      ["module", "term", "description", "collection", "p", "q", "overlap", "set_size", "module_size", "genes"],
      r.enrichment.map((e) => [
        e.module,
        e.term,
        e.description,
        e.collection,
        e.p,
        e.q,
        e.overlap.length,
        e.setSize,
        e.listSize,
        e.overlap.join(";"),
      ]),
    ),
  );
  atomicWrite(
    w.de,
    toCsv(
      ["group", "gene", "score", "logfc", "p", "q", "pct", "pct_rest"],
      r.de.map((d) => [d.group, d.gene, d.score, d.logfc, d.p, d.q, d.pctGroup, d.pctRest]),
    ),
  );
  return w;
}

export interface MarkersViewWritten {
  view: string;
  scores: string;
  html: string;
}

/** What the app shows of a result: modules with their genes (most central first), marked group and enriched terms. */
export function markersSummary(r: MarkersResult): MarkersSummary {
  const c = r.contextual;
  const members = Array.from({ length: c.modules }, () => [] as number[]);
  c.module.forEach((m, g) => {
    if (m >= 0) members[m]!.push(g);
  });
  return {
    species: r.species,
    cells: r.cells,
    groups: r.groups,
    genes: r.genes,
    module: Array.from(c.module),
    umap: Array.from(c.umap),
    prior: r.prior
      ? {
          umap: Array.from(r.prior.umap, (v) => (Number.isNaN(v) ? null : v)),
          module: Array.from(r.prior.module),
          modules: r.prior.modules,
        }
      : null,
    modules: r.associations.map((a) => ({
      module: a.module,
      genes: members[a.module]!.sort((x, y) => c.centrality[y]! - c.centrality[x]!).map((g) => r.genes[g]!),
      group: a.group,
      specificity: a.specificity,
      meanScore: a.meanScore,
      terms: r.enrichment
        .filter((e) => e.module === a.module && e.q < 0.05)
        .sort((x, y) => x.q - y.q)
        .slice(0, 15)
        .map(termCard),
    })),
    quality: r.quality,
    dotplot: dotPlotData(r, 4),
    seconds: r.seconds,
  };
}

export function writeMarkersView(r: MarkersResult, folder: string, ctx: MarkersReportContext): MarkersViewWritten {
  mkdirSync(folder, { recursive: true });
  const w = inFolder(folder, VIEW_FILES);
  atomicWrite(w.view, JSON.stringify(markersSummary(r)));
  atomicWrite(w.scores, new Uint8Array(r.scores.buffer, r.scores.byteOffset, r.scores.byteLength));
  atomicWrite(w.html, markersReportHtml(r, ctx));
  return w;
}

/** The job's input: the workflow's options and the folder its files go to. */
export interface MarkersInput {
  options: Omit<MarkersOptions, "markerSets">;
  folder: string;
  context: MarkersReportContext;
  /** Also print the report as PDF (report.pdf) with Chromium; the app prints on demand instead. */
  pdf: boolean;
}

/** What a finished markers job reports (everything else is in the files it wrote). */
export interface MarkersJobSummary {
  /** kind → file */
  written: Record<string, string>;
  /** The browser that printed report.pdf, when one was asked for. */
  printer: string | null;
  quality: MarkersResult["quality"];
  modules: number;
  genes: number;
  groups: string[];
  species: MarkersResult["species"];
  associations: Pick<MarkersResult["associations"][number], "module" | "genes" | "group" | "specificity">[];
  seconds: Record<string, number>;
}

/** Records in the project what the markers run produced: its files and the marker-set quality indices. */
export function recordMarkers(p: Project, id: number, s: MarkersJobSummary): void {
  for (const [kind, path] of Object.entries(s.written)) setArtifact(p, id, kind, relative(p.dir, path));
  setMetric(p, id, "modules", s.modules);
  for (const which of ["contextual", "prior"] as const) {
    const q = s.quality[which];
    if (!q) continue;
    setMetric(p, id, "davies_bouldin", q.daviesBouldin, which);
    setMetric(p, id, "calinski_harabasz", q.calinskiHarabasz, which);
  }
}
