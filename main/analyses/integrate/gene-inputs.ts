/**
 * What sciLaMA's gene encoder reads, for each variant the integration workflow trains: a static prior (bundled or a
 * user's file) aligned to the modelled genes by gene id, the paper's controls (the same prior shuffled among genes,
 * random vectors), or the self-informed input (the transposed expression matrix).
 */
import { existsSync } from "node:fs";
import type { Input } from "../../io/inputs.js";
import { SettingError } from "../../isomorphic/limits.js";
import { alignPrior, alignPriors, bundledPrior, type GenePrior, randomPrior, readPrior, shuffledPrior } from "../../priors/index.js";

/** "priors": the chosen static priors (the bundled one and/or files), one gene encoder each. */
export type Variant = "priors" | "bundled" | "self" | "random" | "shuffled";
export type PriorSource = "bundled" | { file: string };
/** A control, or one or more static priors (several are fused by averaging their encoders' μ and σ). */
export type PriorChoice = "self" | "random" | "shuffled" | { priors: PriorSource[] };

/** The prior files a choice reads. */
export const priorInputs = (prior: PriorChoice): Input[] =>
  typeof prior === "object"
    ? prior.priors.flatMap((p) => (p === "bundled" ? [] : [{ path: p.file, what: "the prior file", kind: "file" as const }]))
    : [];

/** The choice named by prior values ("bundled", "self", "random", "shuffled" or prior files; several static priors
 *  are fused by the model); what is wrong with them is a SettingError naming `setting` (e.g. "--prior"). */
export function priorChoice(values: readonly string[], setting: string): PriorChoice {
  const refuse = (problem: string): never => {
    throw new SettingError(`${setting} ${problem}`);
  };
  const controls = ["self", "random", "shuffled"] as const;
  const control = controls.find((c) => values.includes(c));
  if (control) return values.length > 1 ? refuse(`${control} is a control and cannot be combined with other priors`) : control;
  if (!values.length) return refuse("is missing");
  const missing = values.find((p) => p !== "bundled" && !existsSync(p));
  if (missing) return refuse(`must be bundled, self, random, shuffled or a prior file; '${missing}' does not exist`);
  return { priors: values.map((p) => (p === "bundled" ? "bundled" : { file: p })) };
}

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
    /** The static priors the prior-based variants use (the chosen ones, else the bundled one). */
    readonly priors: GenePrior[],
    /** Priors whose coverage limits the modelled genes. */
    private readonly limiting: GenePrior[],
  ) {}

  /** `alsoBundled`: the bundled prior is also trained (as a baseline), so its coverage limits the genes too. */
  static async load(choice: PriorChoice, alsoBundled: boolean): Promise<GeneInputs> {
    const bundled = bundledPrior();
    const sources = typeof choice === "object" ? choice.priors : (["bundled"] as const);
    if (!sources.length) throw new Error("internal: a prior choice needs at least one prior");
    const priors: GenePrior[] = [];
    for (const p of sources) priors.push(p === "bundled" ? bundled : await readPrior(p.file));
    const limiting = choice === "self" || choice === "random" ? [] : [...priors];
    if (alsoBundled && !limiting.includes(bundled)) limiting.push(bundled);
    return new GeneInputs(choice, priors, limiting);
  }

  /** The chosen variant; a choice of the bundled prior alone is the "bundled" variant. */
  get mainVariant(): Variant {
    if (typeof this.choice !== "object") return this.choice;
    const [only, ...more] = this.choice.priors;
    return only === "bundled" && !more.length ? "bundled" : "priors";
  }

  coverage(genes: readonly string[]): Coverage {
    if (!this.limiting.length)
      return { datasetGenes: genes.length, covered: Int32Array.from(genes, (_, i) => i), dropped: [], fraction: 1, byPrior: {} };
    const a = alignPriors(this.limiting, [...genes]);
    return {
      datasetGenes: genes.length,
      covered: a.covered,
      dropped: a.coverage.dropped,
      fraction: a.coverage.fraction,
      byPrior: Object.fromEntries(this.limiting.map((p, i) => [p.name, a.coverage.perPrior[i]!.covered])),
    };
  }

  /** The gene encoders' inputs of `variant` for the modelled `genes` (every one of them covered, see `coverage`). */
  inputs(variant: Variant, genes: readonly string[], x: Float32Array, cells: number, seed: number): GeneInput[] {
    const G = genes.length;
    if (variant === "self") {
      // The self-informed gene encoder reads each gene's expression across all cells (the transposed matrix).
      const values = new Float32Array(G * cells);
      for (let c = 0; c < cells; c++) for (let g = 0; g < G; g++) values[g * cells + c] = x[c * G + g]!;
      return [{ kind: "self", name: "self-informed", dim: cells, values }];
    }
    if (variant === "random") {
      const dim = this.priors[0]!.dim;
      const r = randomPrior([...genes], dim, seed);
      return [{ kind: "random", name: `random ${dim}-d`, dim: r.dim, values: r.values }];
    }
    const sources = variant === "bundled" ? [bundledPrior()] : this.priors;
    return sources.map((source, i) => {
      const p = variant === "shuffled" ? shuffledPrior(source, seed + i) : source;
      const a = alignPrior(p, [...genes]);
      if (a.covered.length !== G)
        throw new Error(
          `internal: prior ${p.name} covers ${a.covered.length} of the ${G} modelled genes; genes must be chosen from its coverage`,
        );
      const name = variant === "shuffled" ? `shuffled ${source.name}` : source.name;
      return { kind: variant, name, dim: p.dim, values: a.matrix };
    });
  }
}

/** How a variant's inputs are named in tables and the log ("GO + pathways (bundled) + GenePT"). */
export const inputsName = (inputs: readonly GeneInput[]): string => inputs.map((i) => i.name).join(" + ");
