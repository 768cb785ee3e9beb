import {
  compileTrainProgram,
  type DType,
  exportInference,
  Graph,
  type Optimizer,
  ops,
  type TrainProgram,
  type TypedArray,
  type VaeConfig,
  type Value,
  vae,
} from "../../native-models/index.js";

/** The VAE's training program: minibatch rows `batch` gathered from the fed data block `data` inside the Loop. */
export function vaeTrainProgram(cfg: VaeConfig, optimizer: Optimizer, batch: number): { program: TrainProgram; graph: Graph } {
  const g = new Graph();
  const dtype: DType = cfg.dtype ?? "float32";
  const data = g.input("data", dtype, ["rows", cfg.features]);
  const x = ops.gather(data, g.input("batch", "int64", [batch]));
  const m = vae(g, x, cfg, "train");
  const groups = [...new Set([...g.params.values()].map((p) => p.group))];
  const program = compileTrainProgram({
    graph: g,
    loss: m.loss,
    report: { recon: m.reconLoss, kl: m.kl },
    trainable: groups,
    optimizer,
    constants: [data],
  });
  return { program, graph: g };
}

/** The inference graph (dropout off, z = μ) over any number of cells. */
export function vaeInferenceGraph(cfg: VaeConfig): { graph: Graph; x: Value; mu: Value; sigma: Value; recon: Value } {
  const g = new Graph();
  const x = g.input("x", cfg.dtype ?? "float32", ["cells", cfg.features]);
  const m = vae(g, x, cfg, "eval");
  return { graph: g, x, mu: m.enc.mu, sigma: m.enc.sigma, recon: m.recon };
}

/** A self-contained `.onnx` of a trained VAE: input x (cells × genes, preprocessed), outputs mu, sigma, reconstruction. */
export function exportVae(cfg: VaeConfig, params: ReadonlyMap<string, TypedArray>, meta: Record<string, string> = {}): Uint8Array {
  const m = vaeInferenceGraph(cfg);
  return exportInference({
    inputs: [m.x],
    outputs: { mu: m.mu, sigma: m.sigma, reconstruction: m.recon },
    params,
    docs: {
      x: `float32 [cells, ${cfg.features}]: expression preprocessed exactly as for training (log-normalised, per-gene z-score clipped at ±10), genes in the training order`,
      mu: `float32 [cells, ${cfg.latent}]: latent mean, the cell embedding`,
      sigma: `float32 [cells, ${cfg.latent}]: latent standard deviation, √(exp(s) + 1e-4)`,
      reconstruction: `float32 [cells, ${cfg.features}]: decoder output at z = mu`,
    },
    meta: {
      doc: "sciLaMA Studio VAE (encoder blocks Linear→LayerNorm→LeakyReLU, Gaussian latent, MLP decoder), inference only",
      metadata: { ...meta, config: JSON.stringify(cfg) },
    },
  });
}
