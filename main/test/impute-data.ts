/**
 * The real datasets the imputation is checked on, cut as the issue describes and written where a test asks: Kang's
 * control cells (the target of pbmc3k), CellBench's two protocols, osmFISH split by region; and a marker panel chosen
 * from a reference (the top Wilcoxon genes of each cell type, round-robin, among genes the target measures).
 */
import { join } from "node:path";
import { groupCodes } from "../analyses/columns.js";
import { rankGenesGroups } from "../analysis/de.js";
import type { Dataset } from "../data/dataset.js";
import { subset } from "../data/subset.js";
import { writeH5ad } from "../io/h5ad/write.js";
import { readDataset } from "../io/read.js";
import { log1p, normalizeTotal } from "../pp/normalize.js";
import { CELLBENCH, data, KANG, PBMC3K } from "./helpers.js";

export const OSMFISH = data("osmfish", "osmfish_gimvi_4530cells_33genes.h5ad");

/** Writes the cells of `d` whose `column` is (or is not, with `not`) `value`; returns the path. */
async function cut(file: string, column: string, value: string, out: string, not = false): Promise<string> {
  const { dataset } = await readDataset(file);
  const g = groupCodes(dataset.obs.columns.get(column)!);
  const rows = [...g.codes.keys()].filter((i) => (g.categories[g.codes[i]!] === value) !== not);
  writeH5ad(out, subset(dataset, rows));
  return out;
}

export const kangControls = (dir: string) => cut(KANG, "stim", "ctrl", join(dir, "kang_ctrl.h5ad"));

export async function cellbenchProtocols(dir: string): Promise<{ celseq2: string; dropseq: string }> {
  return {
    celseq2: await cut(CELLBENCH, "dataset", "sc_celseq2", join(dir, "celseq2.h5ad")),
    dropseq: await cut(CELLBENCH, "dataset", "sc_dropseq", join(dir, "dropseq.h5ad")),
  };
}

/** Reference: every region but `region`, all 33 genes; target: `region`. */
export async function osmfishSplit(dir: string, region: string): Promise<{ reference: string; target: string }> {
  return {
    reference: await cut(OSMFISH, "Region", region, join(dir, "osmfish_ref.h5ad"), true),
    target: await cut(OSMFISH, "Region", region, join(dir, "osmfish_target.h5ad")),
  };
}

/** `n` markers of the reference's cell types (column `groupby`), among `allowed` genes: each type's best Wilcoxon
 *  genes in turn. */
export async function markerPanel(reference: Dataset | string, groupby: string, allowed: readonly string[], n: number): Promise<string[]> {
  const d = typeof reference === "string" ? (await readDataset(reference)).dataset : reference;
  const g = groupCodes(d.obs.columns.get(groupby)!);
  const rows = rankGenesGroups(log1p(normalizeTotal(d.X)), d.var.index, g.codes, g.categories);
  const ok = new Set(allowed);
  const byGroup = g.categories.map((c) => rows.filter((r) => r.group === c && r.logfc > 0 && ok.has(r.gene)).map((r) => r.gene));
  const panel: string[] = [];
  for (let rank = 0; panel.length < n && byGroup.some((l) => rank < l.length); rank++)
    for (const list of byGroup) {
      const gene = list[rank];
      if (gene && !panel.includes(gene) && panel.length < n) panel.push(gene);
    }
  return panel;
}

export const pbmcMarkerPanel = async (targetGenes: readonly string[], n = 30) => markerPanel(PBMC3K, "seurat_annotation", targetGenes, n);
