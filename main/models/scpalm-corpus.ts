/**
 * scPaLM's input: any dataset's cells over the model's fixed gene vocabulary. Expression is found as for every
 * analysis (counts, linear-scale or log-normalised), library-size normalised to 1e4 and log1p'd over the dataset's own
 * genes (so a panel of 2,000 genes is normalised as its file stands), then its genes are matched to the vocabulary by
 * id (symbols, Ensembl and Entrez ids alike). Vocabulary genes the dataset lacks are marked unmeasured, not zero.
 */
import type { Dataset, Matrix } from "../data/dataset.js";
import { forEachInRow } from "../data/dataset.js";
import { keysOf, matchGenes } from "../genes/keys.js";
import { DataError } from "../io/errors.js";
import { expressionOf } from "../pp/expression.js";
import { hvgSeurat } from "../pp/hvg.js";
import { log1p, normalizeTotal } from "../pp/normalize.js";

/** Pre-training cells over the model's gene vocabulary. */
export interface ScPaLMCorpus {
  /** The vocabulary (gene ids) in model order. */
  genes: readonly string[];
  /** Log-normalised expression (library size 1e4, log1p), cells × genes row-major; 0 where not measured. */
  x: Float32Array;
  cells: number;
  /** Index of each cell's dataset. */
  dataset: Int32Array;
  datasets: readonly string[];
  /** datasets × genes: 1 where the dataset measured the vocabulary gene. */
  presence: Float32Array;
}

/** Fewer measured vocabulary genes than this and the cells say too little for the model. */
export const MIN_VOCABULARY_COVERAGE = 0.1;

/** One dataset of a corpus: its log-normalised expression (library size 1e4, log1p) and its genes (any ids). */
export interface CorpusPart {
  name: string;
  /** The file it came from, for messages. */
  file: string;
  lognorm: Matrix;
  genes: readonly string[];
}

export interface CorpusCoverage {
  name: string;
  cells: number;
  /** Vocabulary genes the dataset measured. */
  measured: number;
}

/** A dataset as a corpus part: its expression found as for every analysis, normalised over its own genes. */
export function corpusPart(name: string, dataset: Dataset, file: string): CorpusPart {
  const e = expressionOf(dataset, file);
  return { name, file, lognorm: e.kind === "lognorm" ? e.matrix : log1p(normalizeTotal(e.matrix)), genes: e.genes };
}

/**
 * A vocabulary for pre-training from scratch: the union of each dataset's `perDataset` most variable genes (Seurat's
 * dispersion on log-normalised values, which suits counts and linear-scale data alike), by canonical symbol, sorted.
 * Every dataset then contributes its own informative genes, whatever its technology or gene ids.
 */
export function vocabularyOf(parts: readonly CorpusPart[], perDataset: number): string[] {
  const genes = new Set<string>();
  for (const p of parts) {
    const hvg = hvgSeurat(p.lognorm, Math.min(perDataset, p.genes.length)).highlyVariable;
    const symbols = keysOf([...p.genes]).symbol;
    hvg.forEach((v, i) => {
      if (v) genes.add(symbols[i]!);
    });
  }
  return [...genes].sort();
}

/** Where each of a dataset's genes goes in the vocabulary (−1: nowhere), and which vocabulary genes it measures. */
export function vocabularyMatch(
  genes: readonly string[],
  vocabulary: readonly string[],
): { to: Int32Array; present: Uint8Array; measured: number } {
  const to = matchGenes(genes, vocabulary);
  const present = new Uint8Array(vocabulary.length);
  let measured = 0;
  for (const j of to)
    if (j >= 0 && !present[j]) {
      present[j] = 1;
      measured++;
    }
  return { to, present, measured };
}

/** The refusal of a dataset that measures too few of the vocabulary's genes (`measured` of `g`), or null. */
export function coverageProblem(file: string, measured: number, g: number): DataError | null {
  if (measured >= MIN_VOCABULARY_COVERAGE * g) return null;
  return new DataError(
    file,
    `at least ${Math.ceil(MIN_VOCABULARY_COVERAGE * g)} of the model's ${g} genes`,
    `${measured} matched by symbol, Ensembl or Entrez id`,
    "Check that the genes are human and named by symbol, Ensembl or Entrez id, or pre-train a model on this dataset's genes.",
  );
}

/** One corpus from several datasets; each dataset's coverage of the vocabulary is reported and checked. */
export function buildCorpus(
  parts: readonly CorpusPart[],
  vocabulary: readonly string[],
): { corpus: ScPaLMCorpus; coverage: CorpusCoverage[] } {
  const g = vocabulary.length;
  const cells = parts.reduce((n, p) => n + p.lognorm.nRows, 0);
  const x = new Float32Array(cells * g);
  const dataset = new Int32Array(cells);
  const presence = new Float32Array(parts.length * g);
  const coverage: CorpusCoverage[] = [];
  let row = 0;
  parts.forEach((p, d) => {
    const { to, present, measured } = vocabularyMatch(p.genes, vocabulary);
    const problem = coverageProblem(p.file, measured, g);
    if (problem) throw problem;
    presence.set(present, d * g);
    for (let r = 0; r < p.lognorm.nRows; r++) {
      forEachInRow(p.lognorm, r, (col, v) => {
        const j = to[col]!;
        // Two names of one gene (rare): keep the first value seen.
        if (j >= 0 && x[row * g + j] === 0) x[row * g + j] = v;
      });
      dataset[row++] = d;
    }
    coverage.push({ name: p.name, cells: p.lognorm.nRows, measured });
  });
  return { corpus: { genes: vocabulary, x, cells, dataset, datasets: parts.map((p) => p.name), presence }, coverage };
}
