/**
 * The default human gene prior that ships with the app (resources/priors/, derived by scripts/derive-prior.ts
 * from GO and pathway annotations; see resources/priors/README.md): 256 dims per gene, keyed by human Entrez id.
 * Mouse data use it through the ortholog table (alignPrior maps mouse symbols to their human orthologs).
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { resourcePath } from "../resources.js";
import { parseNpy } from "./npy.js";
import { type GenePrior, validatePrior } from "./types.js";

export const BUNDLED_PRIOR_STEM = "go_pathways_lsa256";
export const BUNDLED_PRIOR_NAME = "GO + pathways (bundled)";

let cache: GenePrior | null = null;

/** Loads (once) the bundled GO + pathway prior. */
export function bundledPrior(): GenePrior {
  if (cache) return cache;
  const file = resourcePath("priors", `${BUNDLED_PRIOR_STEM}.npy.gz`);
  const arr = parseNpy(file, gunzipSync(readFileSync(file)));
  const rows = gunzipSync(readFileSync(resourcePath("priors", `${BUNDLED_PRIOR_STEM}.genes.tsv.gz`)))
    .toString("utf8")
    .split("\n")
    .slice(1)
    .filter((l) => l.length > 0)
    .map((l) => l.split("\t"));
  const [n, dim] = arr.shape;
  if (arr.shape.length !== 2 || rows.length !== n) {
    throw new Error(`bundled prior is inconsistent (${rows.length} genes for shape ${arr.shape.join(" × ")}); reinstall the app`);
  }
  const genes = rows.map((r) => r[0]);
  validatePrior(file, genes, dim, arr.values);
  cache = { name: BUNDLED_PRIOR_NAME, genes, dim, values: arr.values, source: file, symbols: rows.map((r) => r[1]) };
  return cache;
}
