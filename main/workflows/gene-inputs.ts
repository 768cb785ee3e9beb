/**
 * What sciLaMA's gene encoder reads, for each variant the integration workflow trains: a static prior (bundled or a
 * user's file) aligned to the modelled genes by gene id, the paper's controls (the same prior shuffled among genes,
 * random vectors), or the self-informed input (the transposed expression matrix).
 */
import { alignPrior, bundledPrior, type GenePrior, randomPrior, readPrior, shuffledPrior } from "../priors/index.js";

export type Variant = "bundled" | "file" | "self" | "random" | "shuffled";
export type PriorChoice = Exclude<Variant, "file"> | { file: string };

export interface GeneInput {
  kind: Variant;
  name: string;
  dim: number;
  /** genes × dim, row i for modelled gene i. */
  values: Float32Array;
}

export interface Coverage {
  datasetGenes: number;
  /** Indices (into the dataset's genes) that every prior in use covers, ascending. */
  covered: Int32Array;
  dropped: string[];
  fraction: number;
  /** Per prior: name → genes covered. */
  byPrior: Record<string, number>;
}

export class GeneInputs {
  private constructor(
    readonly choice: PriorChoice,
    /** The static prior the prior-based variants use (the user's file, else the bundled one). */
    readonly prior: GenePrior,
    /** Priors whose coverage limits the modelled genes. */
    private readonly limiting: GenePrior[],
  ) {}

  /** `baselines`: the bundled prior is also trained, so its coverage limits the genes too. */
  static async load(choice: PriorChoice, baselines: boolean): Promise<GeneInputs> {
    const bundled = bundledPrior();
    const file = typeof choice === "object" ? await readPrior(choice.file) : null;
    const prior = file ?? bundled;
    const limiting: GenePrior[] = [];
    if (file) limiting.push(file);
    if (baselines || choice === "bundled" || choice === "shuffled") limiting.push(bundled);
    return new GeneInputs(choice, prior, limiting);
  }

  get mainVariant(): Variant {
    return typeof this.choice === "object" ? "file" : this.choice;
  }

  coverage(genes: readonly string[]): Coverage {
    let covered = Int32Array.from(genes, (_, i) => i);
    const byPrior: Record<string, number> = {};
    for (const p of this.limiting) {
      const a = alignPrior(p, [...genes]);
      byPrior[p.name] = a.covered.length;
      const set = new Set(a.covered);
      covered = covered.filter((i) => set.has(i));
    }
    const keep = new Set(covered);
    return {
      datasetGenes: genes.length,
      covered,
      dropped: genes.filter((_, i) => !keep.has(i)),
      fraction: covered.length / Math.max(1, genes.length),
      byPrior,
    };
  }

  /** The encoder input of `variant` for the modelled `genes` (every one of them covered, see `coverage`). */
  input(variant: Variant, genes: readonly string[], x: Float32Array, cells: number, seed: number): GeneInput {
    const G = genes.length;
    if (variant === "self") {
      // The self-informed gene encoder reads each gene's expression across all cells (the transposed matrix).
      const values = new Float32Array(G * cells);
      for (let c = 0; c < cells; c++) for (let g = 0; g < G; g++) values[g * cells + c] = x[c * G + g]!;
      return { kind: "self", name: "self-informed", dim: cells, values };
    }
    if (variant === "random") {
      const r = randomPrior([...genes], this.prior.dim, seed);
      return { kind: "random", name: `random ${this.prior.dim}-d`, dim: r.dim, values: r.values };
    }
    const source = variant === "bundled" ? bundledPrior() : this.prior;
    const p = variant === "shuffled" ? shuffledPrior(source, seed) : source;
    const a = alignPrior(p, [...genes]);
    if (a.covered.length !== G)
      throw new Error(
        `internal: prior ${p.name} covers ${a.covered.length} of the ${G} modelled genes; genes must be chosen from its coverage`,
      );
    const name = variant === "shuffled" ? `shuffled ${source.name}` : source.name;
    return { kind: variant, name, dim: p.dim, values: a.matrix };
  }
}
