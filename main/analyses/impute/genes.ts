/**
 * Which genes a panel imputation uses, decided from the gene names alone (so the same rule refuses a run before it is
 * recorded and shapes the run itself): reference, target and prior are joined by gene id (`genes/keys.ts`); the panel
 * (given, or every gene both measure) must be measured by both; the genes to impute are the reference's genes the
 * prior covers (or the user's list), both in the order of their names; every problem is named together with what was
 * found and what to do.
 */
import { guessGeneIdType } from "../../genes/detect.js";
import { matchGenes } from "../../genes/keys.js";
import { SettingError } from "../../isomorphic/limits.js";
import type { GeneInputs } from "../integrate/gene-inputs.js";
import { MIN_PANEL, MIN_TARGET_CELLS } from "./settings.js";

export interface GeneChoice {
  /** Panel genes as reference column indices (the model's first columns), and the same genes' target columns. */
  panelRef: Int32Array;
  panelTarget: Int32Array;
  /** Reference columns of the genes modelled besides the panel, and the target column of each (−1: not measured). */
  othersRef: Int32Array;
  othersTarget: Int32Array;
  /** Genes asked for that the reference does not measure but the prior covers: placed by the prior alone, in relative
   *  units (z-scores), with no accuracy estimate. */
  priorOnly: string[];
  coverage: {
    referenceGenes: number;
    targetGenes: number;
    /** Genes both measure. */
    shared: number;
    /** Reference genes the prior covers (all of them for the self-informed and random controls). */
    withPrior: number;
    panel: number;
    /** Panel genes left out because the prior does not cover them (the model cannot reconstruct them). */
    panelWithoutPrior: string[];
    imputed: number;
    /** Genes placed by the prior alone (the reference does not measure them). */
    priorOnly: number;
    /** Imputed genes the target also measures: scored directly. */
    scored: number;
  };
}

const show = (names: readonly string[], n = 5) => `${names.slice(0, n).join(", ")}${names.length > n ? `, … (${names.length})` : ""}`;

function species(names: readonly string[]): string {
  const g = guessGeneIdType(names.slice(0, 2000) as string[]);
  return g.species === "unknown" ? "unrecognised ids" : `${g.species} ${g.type} ids`;
}

/**
 * The genes of a panel imputation. `covered[i]` says whether the prior covers reference gene i. `panel` and `genes`
 * are the user's lists (null: the defaults). Throws a SettingError naming every problem.
 */
export function chooseGenes(o: {
  referenceGenes: readonly string[];
  targetGenes: readonly string[];
  targetCells: number;
  covered: Uint8Array;
  panel: readonly string[] | null;
  genes: readonly string[] | null;
  /** Which of these names (genes the reference does not measure) the prior covers; absent: none can be placed. */
  priorCovers?: (names: readonly string[]) => Uint8Array;
}): GeneChoice {
  const { referenceGenes: ref, targetGenes: tgt } = o;
  const refInTarget = matchGenes(ref, tgt);
  const shared = refInTarget.reduce((n, j) => n + (j >= 0 ? 1 : 0), 0);
  if (!shared)
    throw new SettingError(
      `the reference and the target have no gene in common: the reference has ${species(ref)} (${show(ref, 3)}), the target ${species(tgt)} (${show(tgt, 3)}). ` +
        "Genes are matched by id (symbols, Ensembl or Entrez ids; mouse genes through their human orthologs); use a reference of the same tissue and species, or rename the target's genes to symbols or Ensembl ids",
    );
  const problems: string[] = [];
  if (o.targetCells < MIN_TARGET_CELLS)
    problems.push(
      `the target has ${o.targetCells} cell${o.targetCells === 1 ? "" : "s"}; an accuracy across cells needs at least ${MIN_TARGET_CELLS}`,
    );
  let panelRef: number[];
  if (o.panel) {
    const names = [...new Set(o.panel)];
    const inRef = matchGenes(names, ref);
    const inTgt = matchGenes(names, tgt);
    const notRef = names.filter((_, i) => inRef[i]! < 0);
    const notTgt = names.filter((_, i) => inTgt[i]! < 0);
    if (notRef.length)
      problems.push(
        `panel genes the reference does not measure: ${show(notRef)}; remove them from the panel or use a reference that measures them`,
      );
    if (notTgt.length)
      problems.push(`panel genes the target does not measure: ${show(notTgt)}; the panel must be genes the target measured`);
    panelRef = Array.from(inRef).filter((j, i) => j >= 0 && inTgt[i]! >= 0);
  } else panelRef = [...refInTarget.keys()].filter((i) => refInTarget[i]! >= 0);
  panelRef = [...new Set(panelRef)].filter((i) => refInTarget[i]! >= 0);
  const panelWithoutPrior = panelRef.filter((i) => !o.covered[i]).map((i) => ref[i]!);
  panelRef = panelRef.filter((i) => o.covered[i]);
  if (panelRef.length < MIN_PANEL && !problems.some((p) => p.startsWith("panel genes")))
    problems.push(
      `the panel has ${panelRef.length} usable gene${panelRef.length === 1 ? "" : "s"} (measured by both, with a prior)${panelWithoutPrior.length ? `; without a prior: ${show(panelWithoutPrior)}` : ""}; at least ${MIN_PANEL} are needed`,
    );
  const inPanel = new Set(panelRef);
  let others: number[];
  let priorOnly: string[] = [];
  if (o.genes) {
    const names = [...new Set(o.genes)];
    const inRef = matchGenes(names, ref);
    const missing = names.filter((_, i) => inRef[i]! < 0);
    const noPrior = names.filter((_, i) => inRef[i]! >= 0 && !o.covered[inRef[i]!]);
    // A gene the reference does not measure can still be placed by its prior (not by the self-informed encoder,
    // which reads the gene's reference expression).
    const placeable = o.priorCovers && missing.length ? o.priorCovers(missing) : new Uint8Array(missing.length);
    priorOnly = missing.filter((_, i) => placeable[i]);
    const unknown = missing.filter((_, i) => !placeable[i]);
    if (unknown.length)
      problems.push(
        `genes to impute that neither the reference measures nor the prior covers: ${show(unknown)}${o.priorCovers ? "" : " (with the self-informed prior a gene must be measured by the reference)"}`,
      );
    if (noPrior.length)
      problems.push(`genes to impute that the prior does not cover: ${show(noPrior)} (choose the self-informed prior to model them)`);
    others = [...new Set(Array.from(inRef).filter((j) => j >= 0 && o.covered[j] && !inPanel.has(j)))];
  } else others = [...ref.keys()].filter((i) => o.covered[i] && !inPanel.has(i));
  if (!others.length && !priorOnly.length && !problems.length)
    problems.push("there is no gene to impute: every gene the reference measures (with a prior) is in the panel");
  if (problems.length) throw new SettingError(problems.join("; "));
  // The model's columns in the order of the genes' names, not of the files: the same genes give the same model
  // (initialisation and all) whatever order either file lists them in.
  const byName = (a: number, b: number) => (ref[a]! < ref[b]! ? -1 : ref[a]! > ref[b]! ? 1 : 0);
  panelRef.sort(byName);
  others.sort(byName);
  const othersRef = Int32Array.from(others);
  const othersTarget = Int32Array.from(othersRef, (i) => refInTarget[i]!);
  return {
    panelRef: Int32Array.from(panelRef),
    panelTarget: Int32Array.from(panelRef, (i) => refInTarget[i]!),
    othersRef,
    othersTarget,
    priorOnly: [...priorOnly].sort(),
    coverage: {
      referenceGenes: ref.length,
      targetGenes: tgt.length,
      shared,
      withPrior: o.covered.reduce((n, c) => n + c, 0),
      panel: panelRef.length,
      panelWithoutPrior,
      imputed: othersRef.length,
      priorOnly: priorOnly.length,
      scored: othersTarget.reduce((n, j) => n + (j >= 0 ? 1 : 0), 0),
    },
  };
}

/** Which names the chosen static prior(s) cover, when the chosen model reads a prior (not a control). */
export function placeableByPrior(inputs: GeneInputs): ((names: readonly string[]) => Uint8Array) | undefined {
  if (inputs.mainVariant !== "bundled" && inputs.mainVariant !== "priors") return undefined;
  return (names) => {
    const covered = new Uint8Array(names.length);
    for (const i of inputs.coverage(names).covered) covered[i] = 1;
    return covered;
  };
}
