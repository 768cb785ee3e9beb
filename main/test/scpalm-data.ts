/**
 * The tiny scPaLM configuration of the tests, sized for Seurat's pbmc_small (80 cells × 230 genes): 8 tokens,
 * width 16, one layer per transformer, 16 codes, batches of 32, every cell sampled for dead codes and k-means.
 */
import { SCPALM_DESKTOP, type ScPaLMHyper } from "../models/scpalm-hyper.js";

/** The settings a `--config` file lays over the desktop configuration (no schedule: each test sets its epochs). */
export const TINY_SCPALM = {
  tokens: 8,
  hidden: 16,
  ffn: 32,
  layers: 1,
  heads: 2,
  codes: 16,
  batch: 32,
  deadCodeSample: 80,
  contrastive: { weight: 0.1, tau: 0.2, negatives: 8, clusters: 4, queue: 80 },
} as const satisfies Partial<ScPaLMHyper>;

/** The desktop configuration with the tiny settings and a schedule of `stage1` + `stage2` epochs. */
export function tinyScPaLM(stage1: number, stage2: number): ScPaLMHyper {
  return {
    ...SCPALM_DESKTOP,
    ...TINY_SCPALM,
    contrastive: { ...TINY_SCPALM.contrastive },
    stage1: { lr: 1e-3, epochs: stage1 },
    stage2: { lr: 5e-4, epochs: stage2 },
  };
}
