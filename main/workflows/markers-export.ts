/** Writes a markers result as the CSV tables the CLI and the wizard export (the PDF report comes from main/report). */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { atomicWrite, toCsv } from "../io/csv.js";
import type { MarkersResult } from "./markers.js";

export interface MarkersWritten {
  modules: string;
  moduleCelltypes: string;
  enrichment: string;
  de: string;
}

export function writeMarkers(r: MarkersResult, folder: string): MarkersWritten {
  mkdirSync(folder, { recursive: true });
  const w: MarkersWritten = {
    modules: join(folder, "modules.csv"),
    moduleCelltypes: join(folder, "module_celltypes.csv"),
    enrichment: join(folder, "enrichment.csv"),
    de: join(folder, "de.csv"),
  };
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
