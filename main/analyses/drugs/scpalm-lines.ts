/**
 * scPaLM as the drug model's cell-line representation (the paper's §4.3, after scFoundation): each line's CCLE
 * expression through a scPaLM model, its cell token h_C the input of the DeepCDR head's omics branch. The shared data
 * hold CCLE expression only as per-gene z-scores over 706 census genes, which a single-cell vocabulary barely covers
 * (206 of the bundled model's 4,975 genes, under the 10% a model needs), so this model is pre-trained on those values
 * themselves: the 580 lines, no response used — fitted on every line as PCA would be (`npm run derive:scpalm-ccle`,
 * `resources/scpalm-ccle/`).
 */
import { join } from "node:path";
import type { Omics } from "../../drugs/tables.js";
import type { CorpusPart } from "../../models/scpalm-corpus.js";
import { loadScPaLMModel, type ScPaLMModel } from "../../models/scpalm-files.js";
import { SCPALM_DESKTOP, type ScPaLMHyper } from "../../models/scpalm-hyper.js";
import type { ScPaLMResult } from "../../models/scpalm-train.js";
import { resourcePath } from "../../resources.js";
import { encodeCells } from "../scpalm/evaluate.js";
import { MODEL_FILE, type PartsPretrainOptions, pretrainOnParts } from "../scpalm/pretrain.js";

/**
 * The desktop architecture; 580 lines make 5 steps an epoch, so the schedule is counted in steps as the bundled
 * model's (600 per stage, half the bundled model's) rather than in epochs; the k-means queue holds every line.
 */
export const CCLE_SCPALM: ScPaLMHyper = {
  ...SCPALM_DESKTOP,
  stage1: { ...SCPALM_DESKTOP.stage1, epochs: 120 },
  stage2: { ...SCPALM_DESKTOP.stage2, epochs: 120 },
  deadCodeSample: 580,
  contrastive: { ...SCPALM_DESKTOP.contrastive, queue: 580 },
};

export const ccleScPaLMFolder = () => resourcePath("scpalm-ccle");

/**
 * Expression z-scores as scPaLM's input: lines as cells, Entrez ids as genes, each gene shifted so that its lowest CCLE
 * line reads 0 (scPaLM reads non-negative values, 0 as not expressed: the least-expressing line is the closest a
 * z-score comes to that), clipped at 0 for a sample below every line. `ccle` gives the shifts (the CCLE table itself
 * when the lines are CCLE's).
 */
function linesPart(expression: Omics, ccle: Omics): CorpusPart {
  const g = ccle.genes.length;
  if (expression.genes.join() !== ccle.genes.join()) throw new Error("scPaLM line features: expression is not over the CCLE genes");
  const low = new Float32Array(g).fill(Number.POSITIVE_INFINITY);
  ccle.values.forEach((v, i) => {
    low[i % g] = Math.min(low[i % g]!, v);
  });
  const values = expression.values.map((v, i) => Math.max(0, v - low[i % g]!));
  return {
    name: "CCLE",
    file: "CCLE expression",
    lognorm: { kind: "dense", nRows: expression.lines.length, nCols: g, values },
    genes: ccle.genes,
  };
}

export async function pretrainCcleScPaLM(
  expression: Omics,
  o: Omit<PartsPretrainOptions, "hyper" | "vocabulary"> & { hyper?: ScPaLMHyper },
): Promise<{ result: ScPaLMResult; model: ScPaLMModel | null }> {
  return pretrainOnParts([linesPart(expression, expression)], { ...o, hyper: o.hyper ?? CCLE_SCPALM, vocabulary: expression.genes });
}

/**
 * Each line's h_C through the CCLE model (the bundled one by default): lines × hidden, as an omics layer. `ccle` is the
 * CCLE table the model was pre-trained on (the lines themselves by default).
 */
export async function scPaLMLineFeatures(expression: Omics, o: { model?: ScPaLMModel; ccle?: Omics } = {}): Promise<Omics> {
  const m = o.model ?? loadScPaLMModel(join(ccleScPaLMFolder(), MODEL_FILE));
  const { encoded } = await encodeCells(m, linesPart(expression, o.ccle ?? expression));
  const hidden = m.meta.hyper.hidden;
  return { genes: Array.from({ length: hidden }, (_, i) => `h_C ${i + 1}`), lines: expression.lines, values: encoded.cell };
}
