/**
 * scPaLM's settings: the architecture (less the gene vocabulary, which comes with the data), the two stages'
 * schedules, and every choice the paper leaves open, with their ranges and the one validator — plain data importing only
 * the isomorphic limits, so settings tables can read them without loading the training engine. The reason for each unstated choice is in the README ("scPaLM: choices").
 */
import type { ScPaLMArchitecture } from "../../native-models/index.js";
import { type Limit, rangeProblem, SettingError } from "../isomorphic/limits.js";

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

/** The range of every setting: the architecture's (which the API's schema and the CLI's flags read through
 *  `SCPALM_LIMITS`), the schedule's and the optimiser's. Wide enough for the paper's configuration and any laptop's. */
export const SCPALM_HYPER_LIMITS = {
  tokens: { min: 2, max: 1024, integer: true },
  hidden: { min: 4, max: 2048, integer: true },
  ffn: { min: 4, max: 8192, integer: true },
  layers: { min: 1, max: 48, integer: true },
  heads: { min: 1, max: 64, integer: true },
  codes: { min: 2, max: 4096, integer: true },
  batch: { min: 2, max: 4096, integer: true },
  epochs: { min: 1, max: 1000, integer: true },
  lr: { min: 1e-7, max: 1 },
  weightDecay: { min: 0, max: 1 },
  codebookWeight: { min: 0, max: 1 },
  deadCodeSample: { min: 1, max: 1_000_000, integer: true },
  keepFraction: { min: 0, max: 1 },
  contrastiveWeight: { min: 0, max: 100 },
  tau: { min: 1e-4, max: 100 },
  negatives: { min: 1, max: 4096, integer: true },
  clusters: { min: 1, max: 4096, integer: true },
  queue: { min: 1, max: 1_000_000, integer: true },
} as const satisfies Record<string, Limit>;

const L = SCPALM_HYPER_LIMITS;
/** Every field of a configuration with its range; nested settings are objects of their own fields. */
const LAYOUT = {
  tokens: L.tokens,
  hidden: L.hidden,
  ffn: L.ffn,
  layers: L.layers,
  heads: L.heads,
  codes: L.codes,
  batch: L.batch,
  stage1: { lr: L.lr, epochs: L.epochs },
  stage2: { lr: L.lr, epochs: L.epochs },
  weightDecay: L.weightDecay,
  codebookWeight: L.codebookWeight,
  deadCodeSample: L.deadCodeSample,
  keepFraction: L.keepFraction,
  contrastive: { weight: L.contrastiveWeight, tau: L.tau, negatives: L.negatives, clusters: L.clusters, queue: L.queue },
} as const satisfies {
  [K in keyof ScPaLMHyper]-?: ScPaLMHyper[K] extends number ? Limit : { [J in keyof ScPaLMHyper[K]]-?: Limit };
};
type Layout = Readonly<Record<string, Limit | Readonly<Record<string, Limit>>>>;

const isLimit = (v: unknown): v is Limit => typeof v === "object" && v !== null && "min" in v;
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A JSON value as a message quotes it. */
function shown(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

/**
 * Every problem with a configuration, in one message (a SettingError): not an object, a setting that is unknown
 * (checked against the fields themselves, so `toString` is no setting), missing, of the wrong type or out of its
 * range, and fields that do not fit together. The one validator of the CLI's `--config`, the API's settings, a
 * model file's stored configuration and the training itself.
 */
export function validateScPaLMHyper(h: unknown): asserts h is ScPaLMHyper {
  const problems: string[] = [];
  if (!isPlainObject(h)) throw new SettingError(`invalid scPaLM configuration: expected an object of settings, got ${shown(h)}`);
  const walk = (o: Record<string, unknown>, layout: Layout, prefix: string) => {
    for (const k of Object.keys(o))
      if (!Object.hasOwn(layout, k))
        problems.push(
          `'${prefix}${k}' is not a setting (${prefix ? `${prefix.slice(0, -1)} has` : "the settings are"} ${Object.keys(layout).join(", ")})`,
        );
    for (const [k, spec] of Object.entries(layout)) {
      const name = `${prefix}${k}`;
      const v = Object.hasOwn(o, k) ? o[k] : undefined;
      if (v === undefined) problems.push(`${name} is missing`);
      else if (isLimit(spec)) {
        const problem = typeof v === "number" ? rangeProblem(name, v, spec) : `${name} must be a number, got ${shown(v)}`;
        if (problem) problems.push(problem);
      } else if (!isPlainObject(v)) problems.push(`${name} must be an object of ${Object.keys(spec).join(", ")}, got ${shown(v)}`);
      else walk(v, spec, `${name}.`);
    }
  };
  walk(h, LAYOUT, "");
  if (!problems.length) {
    const c = h as unknown as ScPaLMHyper;
    if (c.hidden % c.heads !== 0) problems.push(`hidden (${c.hidden}) must be divisible by heads (${c.heads})`);
    const kept = Math.round(c.tokens * c.keepFraction);
    if (!(kept >= 1 && kept < c.tokens))
      problems.push(`keepFraction ${c.keepFraction} must keep at least one token and leave one out of ${c.tokens}`);
    const k = c.contrastive;
    if (k.weight > 0 && k.clusters > k.queue) problems.push(`contrastive.clusters (${k.clusters}) cannot exceed the queue (${k.queue})`);
  }
  if (problems.length) throw new SettingError(`invalid scPaLM configuration: ${problems.join("; ")}`);
}

/** `h` with only the known settings (nested ones too): a model file written before unknown settings were refused may
 *  keep some, which its training ignored. */
export function knownSettings(h: unknown): unknown {
  const keep = (o: unknown, layout: Layout): unknown =>
    isPlainObject(o)
      ? Object.fromEntries(
          Object.entries(o)
            .filter(([k]) => Object.hasOwn(layout, k))
            .map(([k, v]) => {
              const spec = layout[k]!;
              return [k, isLimit(spec) ? v : keep(v, spec)];
            }),
        )
      : o;
  return keep(h, LAYOUT);
}

/** A configuration with `over` (settings as a user writes them: any of the fields, nested ones in part) laid over
 *  `base`, validated; refuses anything that is not an object of known settings. */
export function scpalmHyperWith(base: ScPaLMHyper, over: unknown): ScPaLMHyper {
  if (!isPlainObject(over))
    throw new SettingError(
      `scPaLM settings must be a JSON object of settings such as {"tokens": 32, "stage1": {"epochs": 10}}, got ${shown(over)}`,
    );
  const h: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = Object.hasOwn(base, k) ? (base as unknown as Record<string, unknown>)[k] : undefined;
    h[k] = isPlainObject(b) && isPlainObject(v) ? { ...b, ...v } : v;
  }
  validateScPaLMHyper(h);
  return h;
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
