/**
 * A panel imputation's result dataset: the target's cells in their order (its cell columns and embeddings kept, the
 * sciLaMA embedding, UMAP and Leiden clusters added); var the imputed genes, the genes placed by the prior alone, then
 * (when evaluated) the panel genes' held-out predictions; X the chosen model's values, each baseline a layer, and
 * `measured`, what the target measured of those genes; `uns['impute']` every parameter and the tables.
 */
import type { Dataset, Json, Matrix } from "../../data/dataset.js";
import type { Column } from "../../data/frame.js";
import type { PanelData } from "./panel-data.js";
import type { GeneRow } from "./scores.js";

/** A gene the reference does not measure: its values are z-scores (relative between cells), not log-normalised. */
export const PRIOR_ONLY_ROLE = "placed by the prior alone (z-scores, no accuracy estimate)";

/** A method's layer name in the result ("kNN-50 from the reference (SpaGE)" → "knn"). */
export function layerName(method: string): string {
  if (method.startsWith("kNN")) return "knn";
  if (method.startsWith("reference gene mean")) return "mean";
  const m = /^sciLaMA \((.*)\)$/.exec(method);
  return m ? `sciLaMA_${m[1]!.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_|_$/g, "")}` : method;
}

export interface PanelOutput {
  data: PanelData;
  target: Dataset;
  /** The methods in table order, the chosen model first. */
  methods: readonly string[];
  /** Per method: target cells × imputed genes, and (evaluated) × panel genes held out. */
  imputed: ReadonlyMap<string, Float64Array>;
  heldOut: ReadonlyMap<string, Float64Array>;
  /** The genes placed by the prior alone and their values (the chosen model's; target cells × genes). */
  priorOnly: readonly string[];
  priorOnlyZ: Float32Array;
  perGene: readonly GeneRow[];
  cellMu: Float32Array;
  latent: number;
  umap: Float32Array;
  leiden: Int32Array;
  uns: { [k: string]: Json };
}

export function panelOutput(r: PanelOutput): Dataset {
  const d = r.data;
  const { tcells } = d;
  const O = d.imputed.length;
  const P = d.panel.length;
  const Q = r.priorOnly.length;
  const withPanel = r.heldOut.size > 0;
  const names = [...d.imputed, ...r.priorOnly, ...(withPanel ? d.panel : [])];
  const W = names.length;
  const atPanel = O + Q;
  const main = r.methods[0]!;
  const assemble = (method: string) => {
    const out = new Float32Array(tcells * W);
    const a = r.imputed.get(method)!;
    const h = r.heldOut.get(method);
    for (let c = 0; c < tcells; c++) {
      for (let g = 0; g < O; g++) out[c * W + g] = a[c * O + g]!;
      // Only the chosen model places genes by their prior.
      for (let q = 0; q < Q; q++) out[c * W + O + q] = method === main ? r.priorOnlyZ[c * Q + q]! : Number.NaN;
      if (withPanel) for (let g = 0; g < P; g++) out[c * W + atPanel + g] = h ? h[c * P + g]! : Number.NaN;
    }
    return out;
  };
  const dense = (values: Float32Array): Matrix => ({ kind: "dense", nRows: tcells, nCols: W, values });
  const layers = new Map<string, Matrix>();
  for (const method of r.methods.slice(1)) layers.set(layerName(method), dense(assemble(method)));
  const S = d.scoredIdx.length;
  if (withPanel || S) {
    // The imputed genes the target measured (log-normalised over all its genes), the held-out panel genes (over the
    // panel); NaN where it did not measure the gene.
    const measured = new Float32Array(tcells * W).fill(Number.NaN);
    for (let c = 0; c < tcells; c++) {
      d.scoredIdx.forEach((g, j) => {
        measured[c * W + g] = d.measuredOutside[c * S + j]!;
      });
      if (withPanel) for (let g = 0; g < P; g++) measured[c * W + atPanel + g] = d.tgtPanelLog[c * P + g]!;
    }
    layers.set("measured", dense(measured));
  }
  const pccOf = new Map(r.perGene.filter((g) => g.method === main && g.set !== "unseen").map((g) => [g.gene, g.pcc]));
  const scored = new Set(d.scoredIdx);
  const roles = [
    ...d.imputed.map((_, i) => (scored.has(i) ? "imputed, measured by the target" : "imputed")),
    ...r.priorOnly.map(() => PRIOR_ONLY_ROLE),
    ...(withPanel ? d.panel.map(() => "panel, held out") : []),
  ];
  const roleCats = [...new Set(roles)];
  const varColumns = new Map<string, Column>([
    ["role", { kind: "categorical", codes: Int32Array.from(roles, (x) => roleCats.indexOf(x)), categories: roleCats, ordered: false }],
    ["pcc", { kind: "numeric", values: Float64Array.from(names, (g) => pccOf.get(g) ?? Number.NaN) }],
  ]);
  const obs = new Map(r.target.obs.columns);
  const leidenCats = [...new Set(r.leiden)].sort((a, b) => a - b);
  obs.set("leiden", {
    kind: "categorical",
    codes: Int32Array.from(r.leiden, (c) => leidenCats.indexOf(c)),
    categories: leidenCats.map(String),
    ordered: false,
  });
  const obsm = new Map(r.target.obsm);
  obsm.set("X_sciLaMA", { nRows: tcells, nCols: r.latent, values: r.cellMu });
  obsm.set("X_umap", { nRows: tcells, nCols: 2, values: r.umap });
  return {
    X: dense(assemble(main)),
    obs: { index: r.target.obs.index, columns: obs },
    var: { index: names, columns: varColumns },
    obsm,
    varm: new Map(),
    layers,
    uns: r.uns,
  };
}
