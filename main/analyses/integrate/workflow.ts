/**
 * The integration workflow: datasets in → preprocessing as the sciLaMA appendix prescribes (library size to 1e4,
 * log1p, highly variable genes, per-gene z-score clipped at ±10 — within each batch by default, see `SCALINGS`) →
 * sciLaMA with the chosen gene prior → kNN graph, Leiden clusters, UMAP → scib metrics against labels and batches, with
 * baselines on the same genes and cells (PCA of globally and of per-batch-scaled data, MNN, sciLaMA self-informed /
 * bundled prior / shuffled prior) → one result dataset.
 */
import { basename } from "node:path";
import type { Dataset, Json } from "../../data/dataset.js";
import { type Column, clusterColumn } from "../../data/frame.js";
import { matrixCols } from "../../data/subset.js";
import { readDataset } from "../../io/read.js";
import { PRESETS, type Preset, type SciLaMAHyper } from "../../models/scilama-hyper.js";
import { type SciLaMAResult, trainSciLaMA } from "../../models/scilama-train.js";
import type { Expression } from "../../pp/expression.js";
import { hvgSeurat, hvgSeuratV3 } from "../../pp/hvg.js";
import { scale, scaleWithinGroups } from "../../pp/scale.js";
import type { ProviderChoice } from "../../train/providers.js";
import { scPaLMCells } from "../scpalm/evaluate.js";
import { type StageHooks, Stages, Stopped, trainingDone } from "../stages.js";
import { type Combined, combine } from "./combine.js";
import { describeClusters, embeddingBaselines, METRIC_COLUMNS, type MetricRow, scoreEmbedding } from "./evaluate.js";
import { type Coverage, GeneInputs, inputsName, type PriorChoice, type Variant } from "./gene-inputs.js";
import { scalingAdvice } from "./scaling-advice.js";
import type { Baseline, Scaling } from "./settings.js";

export interface IntegrateOptions {
  files: string[];
  /** How each file appears as a batch when there are several (default: the file name). */
  names?: string[];
  batch?: string;
  label?: string;
  prior: PriorChoice;
  preset: Preset;
  /** Overrides of the preset's hyper-parameters. */
  hyper?: Partial<SciLaMAHyper>;
  seed: number;
  /** Highly variable genes to model (0: every gene the prior covers). */
  hvg: number;
  /** Genes z-scored within each batch (default, when there are batches) or over all cells; see `SCALINGS`. */
  scaling?: Scaling;
  /** Baselines to compute and score beside the chosen prior (only with labels or batches, but for scPaLM's embedding,
   *  which is also a second map); see `BASELINES`. */
  baselines: readonly Baseline[];
  /** The model the "scpalm" baseline embeds the cells with: its folder and how the table names it (default: the bundled
   *  model, applied zero-shot). */
  scpalmModel?: { folder: string; name: string };
  provider?: ProviderChoice;
}

export interface IntegrateResult {
  /** Baselines not scored because the user stopped during their training (the main result is complete). */
  skippedBaselines: string[];
  combined: Combined;
  /** Columns of `combined` that were modelled. */
  genes: string[];
  coverage: Coverage;
  main: SciLaMAResult;
  umap: Float32Array;
  leiden: Int32Array;
  metrics: MetricRow[];
  hyper: SciLaMAHyper;
  seconds: Record<string, number>;
  /** With the scPaLM baseline, its cell token's own clusters and UMAP (the result page's second map). */
  scpalm: { model: string; cells: Float32Array; hidden: number; leiden: Int32Array; umap: Float32Array } | null;
  /** The result dataset, ready to write (obsm X_sciLaMA, X_umap, X_pca, X_scPaLM, X_umap_scPaLM; obs leiden,
   *  scPaLM_leiden; varm gene embeddings; uns). */
  output: Dataset;
}

/** Rows as a dict of columns (null → NaN), the layout a scanpy user reads back as a DataFrame from `uns`. */
function columns<T extends object>(rows: readonly T[], keys: readonly (keyof T & string)[]): { [k: string]: Json } {
  return Object.fromEntries(
    keys.map((k) => [
      k,
      rows.map((r) => {
        const v = r[k];
        return typeof v === "string" ? v : typeof v === "number" ? v : Number.NaN;
      }),
    ]),
  );
}

const EXPRESSION_KINDS: Record<Expression["kind"], string> = {
  counts: "raw counts",
  linear: "non-integer linear-scale values (estimated counts or TPM), normalised per cell like counts",
  lognorm: "log-normalised values",
};

/** Highly variable genes among `candidates` (seurat_v3 on counts with batches when counts exist, else seurat). */
function selectGenes(c: Combined, candidates: Int32Array, n: number): Int32Array {
  if (!n || n >= candidates.length) return candidates;
  const sub = (m: NonNullable<Combined["counts"]>) => matrixCols(m, candidates);
  const hv = c.counts ? hvgSeuratV3(sub(c.counts), n, c.batch?.codes) : hvgSeurat(sub(c.lognorm), n);
  return candidates.filter((_, i) => hv.highlyVariable[i]);
}

/** Runs the workflow; a stop while the chosen model trains throws `Stopped`, one during the baselines keeps the result
 *  with the rows scored so far. Training is nearly all of the run: its progress is the run's. */
export async function integrate(o: IntegrateOptions, hooks: StageHooks = {}): Promise<IntegrateResult> {
  const timer = new Stages(hooks);
  timer.stage(`reading ${o.files.length} file(s)`);
  const inputs = [];
  for (const [i, file] of o.files.entries())
    inputs.push({ file, ...(o.names?.[i] ? { name: o.names[i] } : {}), dataset: (await readDataset(file)).dataset });
  const combined = combine(inputs, { ...(o.batch ? { batch: o.batch } : {}), ...(o.label ? { label: o.label } : {}) });
  for (const s of combined.sources)
    timer.stage(`${basename(s.file)}: ${s.cells} cells × ${s.genes} genes, ${EXPRESSION_KINDS[s.kind]} from ${s.source}`);
  if (combined.droppedEmptyCells) timer.stage(`${combined.droppedEmptyCells} cells with no expression were left out`);
  const dup = combined.duplicateGenes;
  if (dup.length)
    timer.stage(
      `${dup.length} gene names appear more than once (${dup.slice(0, 5).join(", ")}${dup.length > 5 ? ", …" : ""}); the first column of each is used`,
    );
  timer.lap("read");

  timer.stage("selecting genes and preprocessing");
  // Every variant models the same genes: those the priors in use cover.
  const baselines = combined.label || combined.batch ? o.baselines : [];
  const geneInputs = await GeneInputs.load(o.prior, baselines.includes("bundled"));
  const coverage = geneInputs.coverage(combined.genes);
  const genesIdx = selectGenes(combined, coverage.covered, o.hvg);
  const genes = Array.from(genesIdx, (i) => combined.genes[i]!);
  const lognorm = matrixCols(combined.lognorm, genesIdx);
  const scaling: Scaling = combined.batch && o.scaling !== "global" ? "batch" : "global";
  const advice = scalingAdvice(combined.batch, combined.label);
  if (scaling === "batch" && advice.warnings.length)
    timer.stage(
      `caution: ${advice.warnings.join("; ")} — scaling within batches may remove real differences; the global scaling is recommended`,
    );
  // The per-batch-scaled genes feed the model, the "PCA, per-batch scaled" baseline, or both; not computed for neither.
  const batchScaled =
    combined.batch && (scaling === "batch" || baselines.includes("pca-batch"))
      ? scaleWithinGroups(lognorm, combined.batch.codes, 10)
      : null;
  const scaled = scaling === "batch" ? batchScaled! : scale(lognorm, 10).scaled;
  const cells = scaled.nRows;
  const x = scaled.values instanceof Float32Array ? scaled.values : Float32Array.from(scaled.values);
  const nb = combined.batch?.categories.length ?? 0;
  const cov = combined.batch ? new Float32Array(cells * nb) : null;
  if (cov)
    combined.batch!.codes.forEach((b, i) => {
      cov[i * nb + b] = 1;
    });
  timer.lap("preprocess");

  const hyper: SciLaMAHyper = { ...PRESETS[o.preset], ...o.hyper };
  // The chosen variant first, then the sciLaMA baselines.
  const mainVariant = geneInputs.mainVariant;
  const sciLaMABaselines = (["self", "bundled", "shuffled"] as const).filter((b) => b !== mainVariant && baselines.includes(b));
  const plan: Variant[] = [mainVariant, ...sciLaMABaselines];
  const train = async (variant: Variant) => {
    const index = plan.indexOf(variant);
    const inputs = geneInputs.inputs(variant, genes, x, cells, o.seed);
    const name = inputsName(inputs);
    timer.stage(`training sciLaMA (${name})`);
    const r = await trainSciLaMA(
      { x, cells, genes: genes.length, covariates: cov, nCovariates: nb, geneInputs: inputs },
      {
        hyper,
        seed: o.seed,
        ...(o.provider ? { provider: o.provider } : {}),
        ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
        onProgress: (progress, step) =>
          hooks.emit?.({
            type: "training",
            variant: name,
            progress,
            fraction: (index + trainingDone(progress, step)) / plan.length,
          }),
      },
    );
    timer.lap(`sciLaMA ${variant}`);
    return { r, name };
  };
  const metrics: MetricRow[] = [];
  const skippedBaselines: string[] = [];
  const labels = combined.label?.codes ?? null;
  const batches = combined.batch?.codes ?? null;
  let pcaEmbedding: Float32Array | null = null;
  const { r: main, name: mainName } = await train(mainVariant);
  if (main.status === "stopped") throw new Stopped(timer.seconds);

  timer.stage("clustering and UMAP");
  const { leiden, umap } = await describeClusters(main.cellMu, cells, hyper.latent);
  timer.lap("clusters and UMAP");

  // scPaLM's embedding is a second map of the cells, with or without metrics to score it by.
  const embedWithScPaLM = async (): Promise<NonNullable<IntegrateResult["scpalm"]>> => {
    const model = o.scpalmModel?.name ?? "bundled model, zero-shot";
    const { encoded, coverage, hidden } = await scPaLMCells(combined.lognorm, combined.genes, o.scpalmModel?.folder);
    timer.stage(`scPaLM (${model}): ${coverage.measured} of its genes measured`);
    const described = await describeClusters(encoded.cell, cells, hidden);
    timer.lap("scPaLM");
    return { model, cells: encoded.cell, hidden, ...described };
  };
  const scpalm = o.baselines.includes("scpalm") ? await embedWithScPaLM() : null;

  if (labels || batches) {
    timer.stage("scoring embeddings");
    metrics.push(await scoreEmbedding(`sciLaMA (${mainName})`, main.cellMu, cells, hyper.latent, labels, batches));
    const want = { pca: baselines.includes("pca"), pcaBatch: baselines.includes("pca-batch"), mnn: baselines.includes("mnn") };
    if (want.pca || want.pcaBatch || want.mnn) {
      const base = await embeddingBaselines(lognorm, batchScaled, batches, want);
      pcaEmbedding = base.pca;
      const rows: MetricRow[] = [];
      for (const [name, embedding] of [
        ["unintegrated PCA", base.pca],
        ["PCA, per-batch scaled", base.pcaBatch],
        ["MNN (scran)", base.mnn],
      ] as const)
        if (embedding) rows.push(await scoreEmbedding(name, embedding, cells, base.dims, labels, batches));
      metrics.unshift(...rows);
      timer.lap("baselines PCA and MNN");
    }
    if (scpalm) {
      metrics.push(await scoreEmbedding(`scPaLM cell token (${scpalm.model})`, scpalm.cells, cells, scpalm.hidden, labels, batches));
      timer.lap("scPaLM metrics");
    }
    for (const [i, variant] of plan.slice(1).entries()) {
      // A stop during a baseline keeps the finished main result and the rows scored so far.
      const trained = timer.stopRequested ? null : await train(variant);
      if (!trained || trained.r.status === "stopped") {
        skippedBaselines.push(...plan.slice(1 + i));
        break;
      }
      metrics.push(await scoreEmbedding(`sciLaMA (${trained.name})`, trained.r.cellMu, cells, hyper.latent, labels, batches));
    }
    timer.lap("metrics");
  }
  return {
    skippedBaselines,
    combined,
    genes,
    coverage,
    main,
    umap,
    leiden,
    metrics,
    hyper,
    seconds: timer.seconds,
    scpalm,
    output: resultDataset(),
  };

  function resultDataset(): Dataset {
    const obs = new Map<string, Column>();
    if (combined.batch)
      obs.set(combined.batch.column, {
        kind: "categorical",
        codes: combined.batch.codes,
        categories: combined.batch.categories,
        ordered: false,
      });
    if (combined.label && combined.label.column !== combined.batch?.column)
      obs.set(combined.label.column, {
        kind: "categorical",
        codes: combined.label.codes,
        categories: combined.label.categories,
        ordered: false,
      });
    const obsm = new Map();
    const varm = new Map();
    obs.set("leiden", clusterColumn(leiden));
    obsm.set("X_sciLaMA", { nRows: cells, nCols: hyper.latent, values: main.cellMu });
    obsm.set("X_umap", { nRows: cells, nCols: 2, values: umap });
    varm.set("sciLaMA_gene_mu", { nRows: genes.length, nCols: hyper.latent, values: main.geneMu });
    varm.set("sciLaMA_gene_hidden", { nRows: genes.length, nCols: hyper.hidden[0]!, values: main.geneHidden });
    if (pcaEmbedding) obsm.set("X_pca", { nRows: cells, nCols: pcaEmbedding.length / cells, values: pcaEmbedding });
    // The scPaLM row's embedding with its own clusters and map (what `scpalm embed` writes, beside sciLaMA's).
    if (scpalm) {
      obsm.set("X_scPaLM", { nRows: cells, nCols: scpalm.hidden, values: scpalm.cells });
      obsm.set("X_umap_scPaLM", { nRows: cells, nCols: 2, values: scpalm.umap });
      obs.set("scPaLM_leiden", clusterColumn(scpalm.leiden));
    }
    const uns: { [k: string]: Json } = {
      sciLaMA: {
        files: o.files.map((f) => basename(f)),
        batch: combined.batch?.column ?? null,
        label: combined.label?.column ?? null,
        prior: mainName,
        preset: o.preset,
        seed: o.seed,
        hvg: o.hvg,
        scaling,
        scalingWarnings: advice.warnings,
        hyper: hyper as unknown as Json,
        coverage: {
          datasetGenes: coverage.datasetGenes,
          covered: coverage.covered.length,
          dropped: coverage.dropped.length,
          byPrior: coverage.byPrior,
        },
        steps: columns(main.steps, ["step", "status", "epochs", "bestEpoch", "seconds"]),
        device: main.provider,
        seconds: timer.seconds,
        metrics: columns(metrics, ["method", ...METRIC_COLUMNS, "resolution", "seconds"]),
        ...(skippedBaselines.length ? { skippedBaselines } : {}),
        ...(scpalm ? { scpalmModel: scpalm.model } : {}),
      },
    };
    return {
      X: lognorm,
      obs: { index: combined.cellNames, columns: obs },
      var: { index: genes, columns: new Map() },
      obsm,
      varm,
      layers: new Map(),
      uns,
    };
  }
}
