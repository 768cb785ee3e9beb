/**
 * CellBench as a user's single-cell file for the drug-response tests: the three lung adenocarcinoma lines with a UMAP
 * of their own (`obsm['X_umap']`, from 20 principal components of the log-normalised counts), as an analysed file has.
 */
import { join } from "node:path";
import { pca } from "../analysis/pca.js";
import { umap } from "../analysis/umap.js";
import { writeH5ad } from "../io/h5ad/write.js";
import { readDataset } from "../io/read.js";
import { log1p, normalizeTotal } from "../pp/normalize.js";
import { CELLBENCH } from "./helpers.js";

export async function cellbenchWithUmap(dir: string): Promise<string> {
  const { dataset } = await readDataset(CELLBENCH);
  const pcs = await pca(log1p(normalizeTotal(dataset.X)), 20);
  const layout = await umap(pcs.embedding, dataset.X.nRows, 20);
  dataset.obsm.set("X_umap", { nRows: dataset.X.nRows, nCols: 2, values: layout });
  const out = join(dir, "cellbench.h5ad");
  writeH5ad(out, dataset);
  return out;
}
