/**
 * Derives the bundled default human gene prior (resources/priors/) from real gene annotations in ../shared/data.
 * Run: npx tsx scripts/derive-prior.ts   (deterministic: the same inputs give byte-identical outputs)
 *
 * Design ("GO + pathway LSA", a latent-semantic embedding of each gene's annotation profile):
 *  1. Gene × term incidence from four blocks: GO biological process, GO cellular component, GO molecular function
 *     (propagated to ancestors, org.Hs.eg.db 2022-09, terms of 5–1,000 genes, plus the direct annotations —
 *     evidence other than ND — to the terms those GMTs leave out, such as very broad or very specific ones) and
 *     pathways (Reactome v6.2 from MSigDB + KEGG 2011). Symbols are mapped to Entrez ids with the app's own gene
 *     tables (unique aliases allowed; unknown or ambiguous names dropped); terms with < 2 genes are dropped. The
 *     MSigDB hallmark sets are NOT used: they are held out to check the result (main/test/priors.test.ts).
 *  2. TF-IDF: a term's weight is ln(N / n_t) (N genes with any annotation, n_t genes in the term); within each
 *     gene, each block is L2-normalised (so the 9,000 BP terms do not drown CC, MF and pathways), then the whole
 *     row is L2-normalised.
 *  3. Randomised truncated SVD (Halko et al. 2011: 16 extra columns, 6 power iterations, Gram–Schmidt,
 *     seeded Gaussian test matrix) to K = 256 dims; the embedding is U_K Σ_K (the projection of each gene's
 *     unit profile on the top K directions; its norm is the share of the profile K dims capture). Each
 *     component's sign is fixed so that its largest-magnitude entry is positive.
 *  4. Stored as float16 .npy, gzipped, rows in ascending Entrez order, with a gene list (entrez_id, symbol).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { mapGenes } from "../main/genes/map.js";
import { geneTables } from "../main/genes/tables.js";
import { encodeNpy } from "../main/priors/npy.js";
import { Rng } from "../native-models/random.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sets = join(root, "..", "shared", "data", "gene_sets");
const annotations = join(root, "..", "shared", "data", "gene_annotations");
const tables = geneTables();
const outDir = join(root, "resources", "priors");
const STEM = "go_pathways_lsa256";
const K = 256;
const OVERSAMPLE = 16;
const POWER_ITERS = 6;
const SEED = 20240601;

interface Gmt {
  source: string;
  block: number;
  terms: Array<{ id: string; genes: string[] }>;
}

function readGmt(file: string, block: number): Gmt {
  const buf = readFileSync(join(sets, file));
  const text = (file.endsWith(".gz") ? gunzipSync(buf) : buf).toString("utf8");
  const terms = text
    .split("\n")
    .filter((l) => l.trim().length > 0)
    .map((l) => {
      const f = l.replace(/\r$/, "").split("\t");
      return { id: f[0], genes: f.slice(2).filter((g) => g.length > 0) };
    });
  return { source: file, block, terms };
}

const BLOCKS = ["GO biological process", "GO cellular component", "GO molecular function", "pathways (Reactome, KEGG)"];
const gmts = [
  readGmt("human_GO_BP_propagated_org.Hs.eg.db_2022-09_size5-1000.gmt", 0),
  readGmt("human_GO_CC_propagated_org.Hs.eg.db_2022-09_size5-1000.gmt", 1),
  readGmt("human_GO_MF_propagated_org.Hs.eg.db_2022-09_size5-1000.gmt", 2),
  readGmt("c2.cp.reactome.v6.2.symbols.gmt.gz", 3),
  readGmt("human_KEGG_2011_org.Hs.eg.db_pathway_ids.gmt", 3),
];

// 1. Symbols → Entrez ids with the app's gene tables; direct GO annotations are keyed by Entrez id already.
const symbols = [...new Set(gmts.flatMap((g) => g.terms.flatMap((t) => t.genes)))].sort();
const report = mapGenes(symbols);
const toEntrez = new Map<string, string>();
symbols.forEach((s, i) => {
  const m = report.matches[i];
  if (m?.entrez) toEntrez.set(s, m.entrez);
});
console.log(`symbols in the gene sets: ${symbols.length}; mapped to Entrez ids: ${toEntrez.size}`);

/** Direct GO annotations (evidence ND = "no data" excluded) of the terms a propagated GMT of the aspect lacks. */
function directTerms(aspect: "bp" | "cc" | "mf", block: number): Array<{ id: string; genes: string[] }> {
  const inGmt = new Set(gmts.filter((g) => g.block === block).flatMap((g) => g.terms.map((t) => t.id)));
  const byTerm = new Map<string, Set<string>>();
  const text = readFileSync(join(annotations, `human_go_${aspect}_direct_annotations.tsv`), "utf8");
  for (const line of text.split("\n").slice(1)) {
    const [entrez, , go, evidence] = line.split("\t");
    if (!go || evidence === "ND" || inGmt.has(go) || !tables.byEntrez.has(entrez)) continue;
    const set = byTerm.get(go);
    if (set) set.add(entrez);
    else byTerm.set(go, new Set([entrez]));
  }
  return [...byTerm.keys()].sort().map((id) => ({ id, genes: [...byTerm.get(id)!] }));
}

interface Term {
  block: number;
  genes: number[];
}
const direct = (["bp", "cc", "mf"] as const).map((a, block) => ({
  block,
  source: `human_go_${a}_direct_annotations.tsv`,
  terms: directTerms(a, block),
}));
const allEntrez = new Set<string>(toEntrez.values());
for (const d of direct) for (const t of d.terms) for (const e of t.genes) allEntrez.add(e);
const geneIds = [...allEntrez].sort((a, b) => Number(a) - Number(b));
const geneIndex = new Map(geneIds.map((g, i) => [g, i]));
const terms: Term[] = [];
function addTerms(source: string, block: number, list: Array<{ genes: number[] }>, total: number) {
  let kept = 0;
  for (const t of list) {
    const genes = [...new Set(t.genes)].sort((a, b) => a - b);
    if (genes.length < 2) continue;
    terms.push({ block, genes });
    kept++;
  }
  console.log(`${source}: ${kept} of ${total} terms kept (≥ 2 genes)`);
}
for (const g of gmts) {
  const list = g.terms.map((t) => ({
    genes: t.genes
      .map((s) => toEntrez.get(s))
      .filter((e): e is string => e !== undefined)
      .map((e) => geneIndex.get(e)!),
  }));
  addTerms(g.source, g.block, list, g.terms.length);
}
for (const d of direct) {
  addTerms(
    `${d.source} (terms not in the GMT)`,
    d.block,
    d.terms.map((t) => ({ genes: t.genes.map((e) => geneIndex.get(e)!) })),
    d.terms.length,
  );
}
const nGenes = geneIds.length;
const nTerms = terms.length;

// 2. TF-IDF rows, block-normalised then row-normalised (CSR).
const rowTerms: number[][] = Array.from({ length: nGenes }, () => []);
terms.forEach((t, j) => {
  for (const g of t.genes) rowTerms[g].push(j);
});
const idf = terms.map((t) => Math.log(nGenes / t.genes.length));
const indptr = new Int32Array(nGenes + 1);
for (let i = 0; i < nGenes; i++) indptr[i + 1] = indptr[i] + rowTerms[i].length;
const nnz = indptr[nGenes];
const indices = new Int32Array(nnz);
const data = new Float64Array(nnz);
for (let i = 0; i < nGenes; i++) {
  const blockNorm = new Float64Array(BLOCKS.length);
  for (const j of rowTerms[i]) blockNorm[terms[j].block] += idf[j] * idf[j];
  let row = 0;
  rowTerms[i].forEach((j, k) => {
    const bn = blockNorm[terms[j].block];
    const w = bn > 0 ? idf[j] / Math.sqrt(bn) : 0;
    indices[indptr[i] + k] = j;
    data[indptr[i] + k] = w;
    row += w * w;
  });
  const inv = row > 0 ? 1 / Math.sqrt(row) : 0;
  for (let p = indptr[i]; p < indptr[i + 1]; p++) data[p] *= inv;
}
console.log(`matrix: ${nGenes} genes × ${nTerms} terms, ${nnz} non-zeros`);

// 3. Randomised truncated SVD. Dense blocks are row-major Float64Arrays.
const L = K + OVERSAMPLE;

/** Y (nGenes × L) = A · Z (nTerms × L). */
function timesA(z: Float64Array): Float64Array {
  const y = new Float64Array(nGenes * L);
  for (let i = 0; i < nGenes; i++) {
    const yo = i * L;
    for (let p = indptr[i]; p < indptr[i + 1]; p++) {
      const a = data[p];
      const zo = indices[p] * L;
      for (let c = 0; c < L; c++) y[yo + c] += a * z[zo + c];
    }
  }
  return y;
}

/** Z (nTerms × L) = Aᵀ · Q (nGenes × L). */
function timesAt(q: Float64Array): Float64Array {
  const z = new Float64Array(nTerms * L);
  for (let i = 0; i < nGenes; i++) {
    const qo = i * L;
    for (let p = indptr[i]; p < indptr[i + 1]; p++) {
      const a = data[p];
      const zo = indices[p] * L;
      for (let c = 0; c < L; c++) z[zo + c] += a * q[qo + c];
    }
  }
  return z;
}

/** Orthonormal columns spanning those of m (rows × L): modified Gram–Schmidt (twice for the final basis). */
function orth(m: Float64Array, rows: number, passes: number): Float64Array {
  const cols = Array.from({ length: L }, (_, c) => {
    const v = new Float64Array(rows);
    for (let r = 0; r < rows; r++) v[r] = m[r * L + c];
    return v;
  });
  for (let pass = 0; pass < passes; pass++) {
    for (let j = 0; j < L; j++) {
      const cj = cols[j];
      for (let i = 0; i < j; i++) {
        const ci = cols[i];
        let d = 0;
        for (let r = 0; r < rows; r++) d += ci[r] * cj[r];
        for (let r = 0; r < rows; r++) cj[r] -= d * ci[r];
      }
      let nrm = 0;
      for (let r = 0; r < rows; r++) nrm += cj[r] * cj[r];
      nrm = Math.sqrt(nrm);
      if (nrm < 1e-12) throw new Error(`rank deficiency at column ${j}`);
      for (let r = 0; r < rows; r++) cj[r] /= nrm;
    }
  }
  const out = new Float64Array(rows * L);
  for (let c = 0; c < L; c++) for (let r = 0; r < rows; r++) out[r * L + c] = cols[c][r];
  return out;
}

/** Eigen-decomposition of a symmetric L × L matrix by cyclic Jacobi: values descending, vectors as columns. */
function jacobiEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i] * a[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off <= 1e-30 * total) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y] - a[x * n + x] || x - y);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src];
  });
  return { values, vectors };
}

const t0 = Date.now();
const rng = new Rng(SEED);
const omega = new Float64Array(nTerms * L);
rng.fillNormal(omega);
let q = orth(timesA(omega), nGenes, 1);
for (let it = 0; it < POWER_ITERS; it++) {
  const z = orth(timesAt(q), nTerms, 1);
  q = orth(timesA(z), nGenes, it === POWER_ITERS - 1 ? 2 : 1);
  console.log(`power iteration ${it + 1}/${POWER_ITERS} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
// B = Qᵀ A (L × nTerms); its SVD from the eigen-decomposition of B Bᵀ = Zᵀ Z with Z = Aᵀ Q.
const z = timesAt(q);
const bbt = new Float64Array(L * L);
for (let t = 0; t < nTerms; t++) {
  const o = t * L;
  for (let i = 0; i < L; i++) {
    const zi = z[o + i];
    if (zi === 0) continue;
    for (let j = i; j < L; j++) bbt[i * L + j] += zi * z[o + j];
  }
}
for (let i = 0; i < L; i++) for (let j = 0; j < i; j++) bbt[i * L + j] = bbt[j * L + i];
const { values: eig, vectors: w } = jacobiEigen(bbt, L);
const sigma = Float64Array.from(eig.subarray(0, K), (x) => Math.sqrt(Math.max(0, x)));

// Embedding E = Q · W_K · Σ_K (nGenes × K).
const emb = new Float64Array(nGenes * K);
for (let i = 0; i < nGenes; i++) {
  for (let c = 0; c < L; c++) {
    const qic = q[i * L + c];
    if (qic === 0) continue;
    for (let k = 0; k < K; k++) emb[i * K + k] += qic * w[c * L + k];
  }
}
for (let k = 0; k < K; k++) {
  let best = 0;
  for (let i = 0; i < nGenes; i++) if (Math.abs(emb[i * K + k]) > Math.abs(best)) best = emb[i * K + k];
  const f = (best < 0 ? -1 : 1) * sigma[k];
  for (let i = 0; i < nGenes; i++) emb[i * K + k] *= f;
}
const captured = sigma.reduce((s, x) => s + x * x, 0) / nGenes; // ‖A‖_F² = nGenes (unit rows)
const norms = Array.from({ length: nGenes }, (_, i) => {
  let s = 0;
  for (let k = 0; k < K; k++) s += emb[i * K + k] ** 2;
  return Math.sqrt(s);
}).sort((a, b) => a - b);
console.log(`SVD done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`singular values: first ${sigma[0].toFixed(3)}, 10th ${sigma[9].toFixed(3)}, ${K}th ${sigma[K - 1].toFixed(3)}`);
console.log(`share of the TF-IDF matrix captured by ${K} dims: ${(captured * 100).toFixed(1)}%`);
console.log(`gene vector norms: min ${norms[0].toFixed(3)}, median ${norms[nGenes >> 1].toFixed(3)}, max ${norms[nGenes - 1].toFixed(3)}`);

// 4. Write.
mkdirSync(outDir, { recursive: true });
const f32 = Float32Array.from(emb);
const npy = gzipSync(encodeNpy(f32, nGenes, K, "<f2"), { level: 9 });
writeFileSync(join(outDir, `${STEM}.npy.gz`), npy);
const geneText = `entrez_id\tsymbol\n${geneIds.map((e) => `${e}\t${tables.byEntrez.get(e)!.symbol}`).join("\n")}\n`;
const genesGz = gzipSync(geneText, { level: 9 });
writeFileSync(join(outDir, `${STEM}.genes.tsv.gz`), genesGz);
const meta = {
  name: "GO + pathways (bundled)",
  file: `${STEM}.npy.gz`,
  genes_file: `${STEM}.genes.tsv.gz`,
  gene_id: "human Entrez id (first column of the gene list; the second is the symbol)",
  n_genes: nGenes,
  dim: K,
  dtype: "float16",
  n_terms: nTerms,
  nnz,
  blocks: BLOCKS,
  sources: [...gmts.map((g) => g.source), ...direct.map((d) => `${d.source} (evidence other than ND; terms the GMT lacks)`)],
  held_out: "h.all.v7.0.symbols.gmt (MSigDB hallmark) — used only to check the prior",
  svd: { method: "randomised truncated SVD", oversample: OVERSAMPLE, power_iterations: POWER_ITERS, seed: SEED },
  captured_fraction: Number(captured.toFixed(4)),
  singular_values: Array.from(sigma, (x) => Number(x.toFixed(4))),
};
writeFileSync(join(outDir, `${STEM}.json`), `${JSON.stringify(meta, null, 2)}\n`);
console.log(
  `resources/priors/${STEM}.npy.gz: ${nGenes} × ${K} float16, ${(npy.length / 1048576).toFixed(2)} MiB; genes ${(genesGz.length / 1024).toFixed(0)} KiB`,
);
