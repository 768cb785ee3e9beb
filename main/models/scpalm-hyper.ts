/**
 * scPaLM's settings: the architecture (less the gene vocabulary, which comes with the data), the two stages'
 * schedules, and every choice the paper leaves open — plain data with no runtime imports, so settings tables can read
 * them without loading the training engine. The reason for each unstated choice is in the README ("scPaLM: choices").
 */
import type { ScPaLMArchitecture } from "../../native-models/index.js";

/** The architecture's fields (tokens, hidden, ffn, layers, heads, codes) as the graphs define them, and the rest. */
export interface ScPaLMHyper extends Omit<ScPaLMArchitecture, "genes"> {
  batch: number;
  /** AdamW; the paper gives 1e-3 (stage 1) and 5e-4 (stage 2). */
  stage1: { lr: number; epochs: number };
  stage2: { lr: number; epochs: number };
  weightDecay: number;
  /** Weight of the commitment loss's term that moves the codes (vqtorch's 0.95); the encoder's term gets 1 − it. */
  codebookWeight: number;
  /** Unused codes are replaced before each stage-1 epoch, from the encoder outputs of this many sampled cells. */
  deadCodeSample: number;
  /** Fraction of the N pathway tokens each stage-2 view keeps (the rest are left out and decoded). */
  keepFraction: number;
  /** Eq. 2: weight (0 turns the term off), temperature τ, negatives per cell, k-means clusters, queue of recent h_C. */
  contrastive: { weight: number; tau: number; negatives: number; clusters: number; queue: number };
}

/** The paper's architecture (Table 4, §4.1) and learning rates; its epochs over 43 M cells are not stated. */
export const SCPALM_PAPER: ScPaLMHyper = {
  tokens: 256,
  hidden: 768,
  ffn: 3072,
  layers: 12,
  heads: 8,
  codes: 128,
  batch: 128,
  stage1: { lr: 1e-3, epochs: 10 },
  stage2: { lr: 5e-4, epochs: 10 },
  weightDecay: 0.01,
  codebookWeight: 0.95,
  deadCodeSample: 4096,
  keepFraction: 0.5,
  contrastive: { weight: 0.1, tau: 0.2, negatives: 32, clusters: 32, queue: 8192 },
};

/**
 * Small enough to pre-train on a 2-core laptop in under half an hour on a few thousand cells over ~5,000 genes (the
 * bundled model: 2,799 cells, 60 + 60 epochs, 26 min): the paper's codebook size and learning rates, a quarter of its
 * tokens, a sixth of its width, 3 layers per transformer.
 */
export const SCPALM_DESKTOP: ScPaLMHyper = {
  ...SCPALM_PAPER,
  tokens: 64,
  hidden: 128,
  ffn: 512,
  layers: 3,
  heads: 4,
  codes: 128,
  stage1: { lr: 1e-3, epochs: 60 },
  stage2: { lr: 5e-4, epochs: 60 },
  deadCodeSample: 1024,
  contrastive: { weight: 0.1, tau: 0.2, negatives: 32, clusters: 16, queue: 2048 },
};

export type ScPaLMConfigName = "paper" | "desktop";

export const SCPALM_CONFIGS: Record<ScPaLMConfigName, ScPaLMHyper> = { paper: SCPALM_PAPER, desktop: SCPALM_DESKTOP };

/** Every problem with a configuration, in one message. */
export function validateScPaLMHyper(h: ScPaLMHyper): void {
  const problems: string[] = [];
  const positiveInt = (v: number, what: string) => {
    if (!(Number.isInteger(v) && v >= 1)) problems.push(`${what} must be a positive whole number (got ${v})`);
  };
  for (const k of ["tokens", "hidden", "ffn", "layers", "heads", "codes", "batch", "deadCodeSample"] as const) positiveInt(h[k], k);
  positiveInt(h.stage1.epochs, "stage1.epochs");
  positiveInt(h.stage2.epochs, "stage2.epochs");
  if (h.hidden % h.heads !== 0) problems.push(`hidden (${h.hidden}) must be divisible by heads (${h.heads})`);
  if (!(h.stage1.lr > 0 && h.stage2.lr > 0)) problems.push("learning rates must be positive");
  if (!(h.weightDecay >= 0)) problems.push("weightDecay must be ≥ 0");
  if (!(h.codebookWeight >= 0 && h.codebookWeight <= 1)) problems.push("codebookWeight must be in [0, 1]");
  const kept = Math.round(h.tokens * h.keepFraction);
  if (!(kept >= 1 && kept < h.tokens))
    problems.push(`keepFraction ${h.keepFraction} must keep at least one token and leave one out of ${h.tokens}`);
  const c = h.contrastive;
  if (!(c.weight >= 0)) problems.push("contrastive.weight must be ≥ 0 (0 turns the term off)");
  if (c.weight > 0) {
    if (!(c.tau > 0)) problems.push("contrastive.tau must be positive");
    positiveInt(c.negatives, "contrastive.negatives");
    positiveInt(c.clusters, "contrastive.clusters");
    positiveInt(c.queue, "contrastive.queue");
    if (c.clusters > c.queue) problems.push(`contrastive.clusters (${c.clusters}) cannot exceed the queue (${c.queue})`);
  }
  if (problems.length) throw new Error(`invalid scPaLM configuration: ${problems.join("; ")}`);
}

/** The architecture's part of a configuration (what a model keeps when it is fine-tuned with other settings). */
export function architectureOf(h: ScPaLMHyper): Omit<ScPaLMArchitecture, "genes"> {
  const { tokens, hidden, ffn, layers, heads, codes } = h;
  return { tokens, hidden, ffn, layers, heads, codes };
}

/** Tokens each stage-2 view keeps. */
export function keptTokens(h: ScPaLMHyper): number {
  return Math.round(h.tokens * h.keepFraction);
}
