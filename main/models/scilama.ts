/**
 * sciLaMA's compiled pieces: one training program per step, a validation evaluator per step, the exported inference
 * models and in-process inference. The graphs themselves live in native-models/models/scilama.ts.
 */
import * as ort from "onnxruntime-node";
import {
  CELL,
  cellSide,
  cellVaeLoss,
  compileTrainProgram,
  exportInference,
  GENE,
  Graph,
  geneSide,
  initParams,
  type Optimizer,
  ORT_TYPE,
  ops,
  type SciLaMAConfig,
  type SciLaMATerms,
  sciLaMALoss,
  splitRows,
  type TrainProgram,
  type TypedArray,
  toOnnx,
  type Value,
} from "../../native-models/index.js";
import { openSession, type ProviderChoice } from "../train/providers.js";

export type Step = 1 | 2 | 3;

/** The step's loss over `rows` (expression followed by covariate columns) of graph `g`. */
function stepLoss(g: Graph, cfg: SciLaMAConfig, step: Step, rows: Value, mode: "train" | "eval") {
  const { x, cov } = splitRows(rows, cfg);
  const geneInputs = step === 1 ? [] : cfg.geneInputs.map((d, i) => g.input(`prior${i}`, cfg.dtype ?? "float32", [cfg.genes, d]));
  const terms: SciLaMATerms = step === 1 ? cellVaeLoss(g, x, cov, cfg, mode) : sciLaMALoss(g, x, cov, geneInputs, cfg, mode);
  return { geneInputs, terms };
}

/** A training graph: minibatch rows `batch` gathered from the data block fed once per run. */
function trainGraph(cfg: SciLaMAConfig, step: Step, batch: number) {
  const g = new Graph();
  const data = g.input("data", cfg.dtype ?? "float32", ["rows", cfg.genes + cfg.covariates]);
  const rows = ops.gather(data, g.input("batch", "int64", [batch]));
  return { g, data, ...stepLoss(g, cfg, step, rows, "train") };
}

export const STEP_GROUPS: Record<Step, string[]> = { 1: [CELL], 2: [GENE], 3: [CELL, GENE] };

/** Step k's training Loop: step 1 trains the cell VAE, step 2 the gene VAE with the cell nets frozen, step 3 both. */
export function sciLaMATrainProgram(cfg: SciLaMAConfig, step: Step, optimizer: Optimizer, batch: number): TrainProgram {
  const { g, data, geneInputs, terms } = trainGraph(cfg, step, batch);
  const report: Record<string, Value> = { recon: terms.recon, klCell: terms.klCell };
  if (terms.align) report.align = terms.align;
  if (terms.klGene) report.klGene = terms.klGene;
  return compileTrainProgram({
    graph: g,
    loss: terms.loss,
    report,
    trainable: STEP_GROUPS[step],
    optimizer,
    constants: [data, ...geneInputs],
  });
}

/** Initial values of every parameter of all three steps (Xavier-normal weights, zero biases). */
export function sciLaMAInitialParams(cfg: SciLaMAConfig, seed: number): Map<string, TypedArray> {
  const s1 = trainGraph(cfg, 1, 1).g;
  const s3 = trainGraph(cfg, 3, 1).g;
  const all = new Map([...s3.params, ...s1.params]);
  return initParams([...all.values()], seed);
}

/**
 * Validation loss of one step at β = 1 (dropout off, latents at their means), over rows fed in fixed-size chunks.
 * The parameters are inputs, so one session serves every epoch.
 */
export class StepEvaluator {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly params: Value[],
    private readonly cfg: SciLaMAConfig,
    private readonly chunk: number,
    private readonly gamma: number,
    private readonly step: Step,
  ) {}

  static async open(cfg: SciLaMAConfig, step: Step, gamma: number, chunk: number, threads?: number): Promise<StepEvaluator> {
    const g = new Graph();
    const dtype = cfg.dtype ?? "float32";
    const rows = g.input("rows", dtype, [chunk, cfg.genes + cfg.covariates]);
    const { terms } = stepLoss(g, cfg, step, rows, "eval");
    const params = [...g.params.values()].map((p) => p.value);
    const model = toOnnx({ inputs: [...g.inputs.values(), ...params], outputs: { loss: terms.loss } });
    const opened = await openSession(model, "cpu", threads);
    return new StepEvaluator(opened.session, params, cfg, chunk, gamma, step);
  }

  /** Mean validation loss over `rows` (row-major, expression + covariates), weighting chunks by their real rows. */
  async loss(rows: Float32Array, n: number, priors: readonly Float32Array[], params: ReadonlyMap<string, TypedArray>): Promise<number> {
    const width = this.cfg.genes + this.cfg.covariates;
    const feeds: Record<string, ort.Tensor> = {};
    for (const p of this.params) feeds[p.name] = new ort.Tensor(ORT_TYPE[p.dtype], params.get(p.name)!, p.shape as number[]);
    if (this.step !== 1)
      priors.forEach((v, i) => {
        feeds[`prior${i}`] = new ort.Tensor("float32", v, [this.cfg.genes, this.cfg.geneInputs[i]!]);
      });
    feeds.beta = new ort.Tensor("float32", Float32Array.of(1), []);
    if (this.step !== 1) feeds.gamma = new ort.Tensor("float32", Float32Array.of(this.gamma), []);
    let total = 0;
    for (let r = 0; r < n; r += this.chunk) {
      const m = Math.min(this.chunk, n - r);
      const block = new Float32Array(this.chunk * width);
      block.set(rows.subarray(r * width, (r + m) * width));
      const w = new Float32Array(this.chunk);
      w.fill(1, 0, m);
      feeds.rows = new ort.Tensor("float32", block, [this.chunk, width]);
      feeds.rowWeight = new ort.Tensor("float32", w, [this.chunk]);
      const out = await this.session.run(feeds);
      total += (out.loss!.data as Float32Array)[0]! * m;
    }
    return total / n;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

const cellDocs = (cfg: SciLaMAConfig) => ({
  x: `float32 [cells, ${cfg.encoderGenes ?? cfg.genes}]: expression preprocessed as for training (log-normalised, per-gene z-score, clipped at ±10), ${cfg.encoderGenes ? "the panel genes" : "genes"} in the training order`,
  covariates: `float32 [cells, ${cfg.covariates}]: batch one-hot columns in the training order`,
  mu: `float32 [cells, ${cfg.latent}]: cell latent mean, the sciLaMA cell embedding`,
  sigma: `float32 [cells, ${cfg.latent}]: cell latent standard deviation √(exp(s) + 1e-4)`,
  hidden: `float32 [cells, ${cfg.hidden[0]}]: last hidden layer of the cell decoder at z = mu (h_cell); expression of gene g is h_cell · h_gene[g] + b[g]`,
});

/** The inference models: cells (x, covariates → μ, σ, h_cell) and genes (priors → μ, σ, h_gene). */
export function exportSciLaMA(
  cfg: SciLaMAConfig,
  params: ReadonlyMap<string, TypedArray>,
  meta: Record<string, string>,
): { cells: Uint8Array; genes: Uint8Array } {
  const dtype = cfg.dtype ?? "float32";
  const cg = new Graph();
  const x = cg.input("x", dtype, ["cells", cfg.encoderGenes ?? cfg.genes]);
  const cov = cfg.covariates ? cg.input("covariates", dtype, ["cells", cfg.covariates]) : null;
  const cell = cellSide(x, cov, cfg, "eval");
  const docs = cellDocs(cfg);
  const common = { metadata: { ...meta, config: JSON.stringify(cfg) } };
  const cells = exportInference({
    inputs: cov ? [x, cov] : [x],
    outputs: { mu: cell.mu, sigma: cell.sigma, hidden: cell.hidden },
    params,
    docs: cov ? docs : { x: docs.x, mu: docs.mu, sigma: docs.sigma, hidden: docs.hidden },
    meta: { doc: "sciLaMA cell encoder and decoder (to the last hidden layer), inference only", ...common },
  });
  const gg = new Graph();
  const priors = cfg.geneInputs.map((d, i) => gg.input(`prior${i}`, dtype, ["genes", d]));
  const gene = geneSide(priors, cfg, "eval");
  const geneDocs: Record<string, string> = {
    mu: `float32 [genes, ${cfg.latent}]: gene latent mean, the contextual gene embedding`,
    sigma: `float32 [genes, ${cfg.latent}]: gene latent standard deviation (averaged over priors)`,
    hidden: `float32 [genes, ${cfg.hidden[0]}]: last hidden layer of the gene decoder (h_gene); a gene with a prior but no measurement is predicted as h_cell · h_gene`,
  };
  priors.forEach((p, i) => {
    geneDocs[p.name] =
      `float32 [genes, ${cfg.geneInputs[i]}]: static gene embedding ${i} (same source and order of dimensions as in training)`;
  });
  const genes = exportInference({
    inputs: priors,
    outputs: { mu: gene.mu, sigma: gene.sigma, hidden: gene.hidden },
    params,
    docs: geneDocs,
    meta: { doc: "sciLaMA gene encoder(s) and decoder (to the last hidden layer), inference only", ...common },
  });
  return { cells, genes };
}

export interface SciLaMAEmbeddings {
  cellMu: Float32Array;
  cellHidden: Float32Array;
  geneMu: Float32Array;
  geneHidden: Float32Array;
}

/** Runs the exported models over all cells (in chunks) and all genes. */
export async function embedSciLaMA(
  cfg: SciLaMAConfig,
  models: { cells: Uint8Array; genes: Uint8Array },
  x: Float32Array,
  cov: Float32Array | null,
  cells: number,
  priors: readonly Float32Array[],
  provider: ProviderChoice = "cpu",
): Promise<SciLaMAEmbeddings> {
  const l = cfg.hidden[0]!;
  // x holds every modelled gene (the cell model reads the first `encoderGenes` of each row) or only those.
  const width = cfg.encoderGenes ?? cfg.genes;
  const rows =
    x.length === cells * width
      ? x
      : Float32Array.from({ length: cells * width }, (_, i) => x[Math.floor(i / width) * cfg.genes + (i % width)]!);
  const cs = await openSession(models.cells, provider);
  const cellMu = new Float32Array(cells * cfg.latent);
  const cellHidden = new Float32Array(cells * l);
  try {
    const chunk = 2048;
    for (let r = 0; r < cells; r += chunk) {
      const m = Math.min(chunk, cells - r);
      const feeds: Record<string, ort.Tensor> = {
        x: new ort.Tensor("float32", rows.subarray(r * width, (r + m) * width), [m, width]),
      };
      if (cov)
        feeds.covariates = new ort.Tensor("float32", cov.subarray(r * cfg.covariates, (r + m) * cfg.covariates), [m, cfg.covariates]);
      const out = await cs.session.run(feeds);
      cellMu.set(out.mu!.data as Float32Array, r * cfg.latent);
      cellHidden.set(out.hidden!.data as Float32Array, r * l);
    }
  } finally {
    await cs.session.release();
  }
  return { cellMu, cellHidden, ...(await embedGenes(cfg, models.genes, priors, cfg.genes, provider)) };
}

/** x̂ = h_cell · h_gene + b for every cell and gene (cells × genes, row-major; `l` the hidden width; b = 0 when
 *  `bias` is null, the mean of a z-scored gene). */
export function reconstruct(cellHidden: Float32Array, geneHidden: Float32Array, l: number, bias: Float32Array | null): Float32Array {
  const cells = cellHidden.length / l;
  const genes = geneHidden.length / l;
  const out = new Float32Array(cells * genes);
  for (let c = 0; c < cells; c++)
    for (let g = 0; g < genes; g++) {
      let v = bias ? bias[g]! : 0;
      for (let k = 0; k < l; k++) v += cellHidden[c * l + k]! * geneHidden[g * l + k]!;
      out[c * genes + g] = v;
    }
  return out;
}

/** Runs the exported gene model over `genes` rows of each gene input: the modelled genes, or genes the model never
 *  saw (their prior rows alone place them; each row is embedded on its own). */
export async function embedGenes(
  cfg: SciLaMAConfig,
  model: Uint8Array,
  priors: readonly Float32Array[],
  genes: number,
  provider: ProviderChoice = "cpu",
): Promise<{ geneMu: Float32Array; geneHidden: Float32Array }> {
  const gs = await openSession(model, provider);
  try {
    const feeds = Object.fromEntries(priors.map((v, i) => [`prior${i}`, new ort.Tensor("float32", v, [genes, cfg.geneInputs[i]!])]));
    const out = await gs.session.run(feeds);
    return { geneMu: out.mu!.data as Float32Array, geneHidden: out.hidden!.data as Float32Array };
  } finally {
    await gs.session.release();
  }
}
