/**
 * scPaLM's dropout imputation (the paper's Table 1, zero shot): a dataset's log-normalised values through a model's
 * stage 1 — encoder, codebook, decoder — and each entry predicted by the decoder's value for its gene, clipped at 0
 * (expression is not negative). Only genes in the model's vocabulary can be predicted; the rest are reported as such.
 */
import type { Matrix } from "../../data/dataset.js";
import { matchGenes } from "../../genes/keys.js";
import type { ScPaLMModel } from "../../models/scpalm-files.js";
import type { ProviderChoice } from "../../train/providers.js";
import { encodeCells } from "./evaluate.js";

export interface ScPaLMReconstruction {
  /** For each of the dataset's genes, its column in the model's vocabulary, −1 when the model does not know it. */
  column: Int32Array;
  /** Dataset genes the model can predict. */
  predicted: number;
  /** The decoder's output, cells × vocabulary, clipped at 0. */
  values: Float32Array;
  vocabulary: number;
  provider: string;
}

export async function reconstructWithScPaLM(
  model: ScPaLMModel,
  lognorm: Matrix,
  genes: readonly string[],
  name: string,
  provider: ProviderChoice = "auto",
): Promise<ScPaLMReconstruction> {
  const r = await encodeCells(model, { name, file: name, lognorm, genes }, { provider, reconstruct: true });
  const column = matchGenes(genes, model.meta.genes);
  const values = r.encoded.reconstruction!.map((v) => Math.max(0, v));
  return {
    column,
    predicted: column.reduce((n, j) => n + (j >= 0 ? 1 : 0), 0),
    values,
    vocabulary: model.meta.genes.length,
    provider: r.provider,
  };
}

/** The reconstruction's value for flat index i of a cells × `genes` matrix over the dataset's genes (its gene known). */
export function reconstructed(r: ScPaLMReconstruction, genes: number): (i: number) => number {
  return (i) => r.values[Math.floor(i / genes) * r.vocabulary + r.column[i % genes]!]!;
}
