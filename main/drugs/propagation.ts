/**
 * The matrix DeepCDR's graph convolution multiplies a drug's transformed atom features HW + b by. Two normalisations
 * stack there, and both are kept to reproduce its numbers:
 *
 * - CalculateGraphFeat/NormalizeAdj hands the model Â = D^-1/2 (A + I) D^-1/2, A the heavy-atom adjacency and D the
 *   row sums of A + I (the symmetric GCN normalisation with self-loops);
 * - its GraphConv layer (keras-gcn) then computes Âᵀ(HW + b) / (rowsum(Â) + ε), ε = Keras' epsilon 1e-7, i.e. it
 *   normalises the rows of the already normalised Â again (Â is symmetric, so Âᵀ = Â).
 *
 * So the propagation is P = diag(1 / (rowsum(Â) + ε)) · Â. (DeepCDR pads every drug to 100 atoms and normalises the
 * padding block on its own, which leaves each padded atom alone with itself; only the drug's atoms are here.)
 */
import type { DrugGraph } from "./featurize.js";

const KERAS_EPSILON = 1e-7;

/** P, atoms × atoms row-major: P[i][j] = Â[i][j] / (Σ_k Â[i][k] + 1e-7), non-zero for j = i and j a neighbour of i. */
export function gcnPropagation(graph: Pick<DrugGraph, "atoms" | "neighbours">): Float32Array {
  const n = graph.atoms;
  const scale = graph.neighbours.map((nb) => 1 / Math.sqrt(nb.length + 1));
  const p = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = [i, ...graph.neighbours[i]!].map((j) => [j, scale[i]! * scale[j]!] as const);
    const sum = row.reduce((s, [, a]) => s + a, 0) + KERAS_EPSILON;
    for (const [j, a] of row) p[i * n + j] = a / sum;
  }
  return p;
}
