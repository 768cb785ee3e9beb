/**
 * The matrix DeepCDR's graph convolution multiplies a drug's transformed atom features HW + b by. Two normalisations
 * stack there, and both are kept to reproduce its numbers:
 *
 * - CalculateGraphFeat/NormalizeAdj hands the model Â = D^-1/2 (A + I) D^-1/2, A the heavy-atom adjacency and D the
 *   row sums of A + I (the symmetric GCN normalisation with self-loops);
 * - its GraphConv layer (keras-gcn) then computes Âᵀ(HW + b) / (rowsum(Â) + ε), ε = Keras' epsilon 1e-7, i.e. it
 *   normalises the rows of the already normalised Â again (Â is symmetric, so Âᵀ = Â).
 *
 * So the propagation is P = diag(1 / (rowsum(Â) + ε)) · Â, kept as weighted edges (self-loops included). DeepCDR pads
 * every drug to 100 atoms; here the drugs of a set are packed one after another without padding.
 */
import { ATOM_FEATURES, type DrugGraph } from "./featurize.js";

const KERAS_EPSILON = 1e-7;

/** P as weighted edges: P[dst][src] = Â[dst][src] / (Σ_k Â[dst][k] + 1e-7), for src = dst and src a neighbour of dst. */
export function gcnEdges(graph: Pick<DrugGraph, "atoms" | "neighbours">): { src: number[]; dst: number[]; weight: number[] } {
  const scale = graph.neighbours.map((nb) => 1 / Math.sqrt(nb.length + 1));
  const out = { src: [] as number[], dst: [] as number[], weight: [] as number[] };
  for (let i = 0; i < graph.atoms; i++) {
    const row = [i, ...graph.neighbours[i]!].map((j) => [j, scale[i]! * scale[j]!] as const);
    const sum = row.reduce((s, [, a]) => s + a, 0) + KERAS_EPSILON;
    for (const [j, a] of row) {
      out.src.push(j);
      out.dst.push(i);
      out.weight.push(a / sum);
    }
  }
  return out;
}

/**
 * A set of drugs as one packed graph, the form the model reads: atom features atoms × 75, the drug of each atom, and
 * the propagation's weighted edges with atoms numbered across the set.
 */
export interface DrugTensors {
  drugs: number;
  atoms: number;
  features: Float32Array;
  atomDrug: Int32Array;
  edgeSrc: Int32Array;
  edgeDst: Int32Array;
  edgeWeight: Float32Array;
}

export function packDrugs(graphs: readonly Pick<DrugGraph, "atoms" | "neighbours" | "features">[]): DrugTensors {
  const atoms = graphs.reduce((n, g) => n + g.atoms, 0);
  const features = new Float32Array(atoms * ATOM_FEATURES);
  const atomDrug = new Int32Array(atoms);
  const src: number[] = [];
  const dst: number[] = [];
  const weight: number[] = [];
  let at = 0;
  graphs.forEach((g, d) => {
    features.set(g.features, at * ATOM_FEATURES);
    atomDrug.fill(d, at, at + g.atoms);
    const e = gcnEdges(g);
    for (let k = 0; k < e.src.length; k++) {
      src.push(at + e.src[k]!);
      dst.push(at + e.dst[k]!);
      weight.push(e.weight[k]!);
    }
    at += g.atoms;
  });
  return {
    drugs: graphs.length,
    atoms,
    features,
    atomDrug,
    edgeSrc: Int32Array.from(src),
    edgeDst: Int32Array.from(dst),
    edgeWeight: Float32Array.from(weight),
  };
}

/** The drugs `keep` of a packed set (in that order), packed again: atoms, edges and indices renumbered. */
export function selectDrugs(t: DrugTensors, keep: readonly number[]): DrugTensors {
  const first = new Int32Array(t.drugs + 1);
  for (let a = 0; a < t.atoms; a++) first[t.atomDrug[a]! + 1]!++;
  for (let d = 0; d < t.drugs; d++) first[d + 1]! += first[d]!;
  const newAtom = new Int32Array(t.atoms).fill(-1);
  const rows: number[] = [];
  for (const d of keep)
    for (let a = first[d]!; a < first[d + 1]!; a++) {
      newAtom[a] = rows.length;
      rows.push(a);
    }
  const features = new Float32Array(rows.length * ATOM_FEATURES);
  const atomDrug = new Int32Array(rows.length);
  const position = new Map(keep.map((d, k) => [d, k]));
  rows.forEach((a, i) => {
    features.set(t.features.subarray(a * ATOM_FEATURES, (a + 1) * ATOM_FEATURES), i * ATOM_FEATURES);
    atomDrug[i] = position.get(t.atomDrug[a]!)!;
  });
  const edges = [...t.edgeDst.keys()].filter((e) => newAtom[t.edgeDst[e]!]! >= 0);
  return {
    drugs: keep.length,
    atoms: rows.length,
    features,
    atomDrug,
    edgeSrc: Int32Array.from(edges, (e) => newAtom[t.edgeSrc[e]!]!),
    edgeDst: Int32Array.from(edges, (e) => newAtom[t.edgeDst[e]!]!),
    edgeWeight: Float32Array.from(edges, (e) => t.edgeWeight[e]!),
  };
}
