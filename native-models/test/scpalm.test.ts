// scPaLM's graphs: permutation invariance of h_C, gradients against finite differences in float64 (where no
// stop-gradient intervenes), and stage 2's loss reading only the genes of the left-out tokens.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { TypedArray } from "../graph/dtype.js";
import { initParams } from "../graph/init.js";
import { Graph, type Value } from "../graph/value.js";
import { embedCells, embedGenes, SCPALM, type ScPaLMArchitecture, stage1, stage2 } from "../models/scpalm.js";
import { toOnnx } from "../onnx/model.js";
import * as op from "../ops/index.js";
import { Rng } from "../random.js";
import { fdCheck, values } from "./fd.js";
import { runOnce, session, tensor } from "./ort.js";

// 11 genes over 4 tokens: s = 3, so Algorithm 3's readout is cropped from 12 to 11.
const A: ScPaLMArchitecture = { genes: 11, tokens: 4, hidden: 8, ffn: 12, layers: 1, heads: 2, codes: 6 };
const B = 5;

/** Log-normalised-like input: about 40% zeros, the rest in (0.1, 3). */
function expression(seed: number): Float64Array {
  const u = values(B * A.genes, seed, 0, 1);
  const v = values(B * A.genes, seed + 1, 0.1, 3);
  return u.map((p, i) => (p < 0.4 ? 0 : v[i]!));
}

/** Every gene measured but for genes 9 and 10 of the second cell (its dataset lacks them). */
function presence(): Float64Array {
  const p = new Float64Array(B * A.genes).fill(1);
  p[A.genes + 9] = 0;
  p[A.genes + 10] = 0;
  return p;
}

function paramFeeds(g: Graph, seed: number): Map<Value, TypedArray> {
  const feeds = new Map<Value, TypedArray>();
  for (const [name, v] of initParams(g.paramsOf(), seed)) {
    const p = g.params.get(name)!.value;
    // Non-zero biases and shifts, scales away from 1, so that every term is exercised.
    const plain = /\.(b|shift)$/.test(name)
      ? values(p.size, p.id + 100, -0.3, 0.3)
      : /\.scale$/.test(name)
        ? values(p.size, p.id + 200, 0.7, 1.3)
        : v;
    feeds.set(p, plain);
  }
  return feeds;
}

async function run(outputs: Record<string, Value>, feeds: Map<Value, TypedArray>): Promise<Record<string, TypedArray>> {
  const s = await session(toOnnx({ inputs: [...feeds.keys()], outputs }));
  return runOnce(s, Object.fromEntries([...feeds].map(([v, d]) => [v.name, tensor(v, d)])));
}

/** Reorders the genes of a [rows, G] (geneAxis 1) or [G, cols] (geneAxis 0) array: new gene k = old gene perm[k]. */
function permuteGenes(data: Float64Array, perm: readonly number[], geneAxis: 0 | 1): Float64Array {
  const out = new Float64Array(data.length);
  const other = data.length / perm.length;
  for (let r = 0; r < other; r++)
    for (const [k, from] of perm.entries()) {
      if (geneAxis === 1) out[r * perm.length + k] = data[r * perm.length + from]!;
      else out[k * other + r] = data[from * other + r]!;
    }
  return out;
}

test("permutation invariance: shuffling the genes (with their own parameters) leaves h_C, the codes and the token mean unchanged", async () => {
  const perm = [7, 2, 10, 0, 5, 9, 1, 3, 8, 6, 4];
  const embed = async (shuffle: "none" | "genes" | "values only") => {
    const g = new Graph();
    const x = g.input("x", "float64", [B, A.genes]);
    const present = g.input("present", "float64", [B, A.genes]);
    const e = embedCells(x, present, A);
    const feeds = paramFeeds(g, 3);
    let xv = expression(1);
    feeds.set(present, shuffle === "none" ? presence() : permuteGenes(presence(), perm, 1));
    if (shuffle !== "none") xv = permuteGenes(xv, perm, 1);
    if (shuffle === "genes")
      for (const name of ["embed.p1", "embed.alpha", "embed.gene"]) {
        const p = g.params.get(name)!.value;
        // alpha starts at ones: give it values so that its permutation matters.
        const data = name === "embed.alpha" ? values(p.size, 9, 0.5, 1.5) : (feeds.get(p) as Float64Array);
        feeds.set(p, permuteGenes(data, perm, 0));
      }
    else feeds.set(g.params.get("embed.alpha")!.value, values(A.genes * A.tokens, 9, 0.5, 1.5));
    feeds.set(x, xv);
    return run({ cell: e.cell, tokenMean: e.tokenMean, codes: e.codes, encoded: e.encoded }, feeds);
  };
  const base = await embed("none");
  const shuffled = await embed("genes");
  const wrong = await embed("values only");
  const worst = (k: string, o: Record<string, TypedArray>) =>
    Math.max(...Array.from(base[k] as Float64Array, (v, i) => Math.abs(v - (o[k] as Float64Array)[i]!)));
  assert.ok(worst("cell", shuffled) < 1e-10, `h_C moved by ${worst("cell", shuffled)}`);
  assert.ok(worst("tokenMean", shuffled) < 1e-10);
  assert.ok(worst("encoded", shuffled) < 1e-10);
  assert.deepEqual(Array.from(shuffled.codes as BigInt64Array), Array.from(base.codes as BigInt64Array));
  // The control: shuffling the values without their genes' parameters is a different cell (seen before the
  // quantiser: h_C reads the codes, which a small random model need not change).
  assert.ok(worst("encoded", wrong) > 1e-3, "the tokens should depend on which gene carries which value");
});

test("Algorithm 1: gradients of every embedding parameter match finite differences", async () => {
  const g = new Graph();
  const x = g.input("x", "float64", [B, A.genes]);
  const present = g.input("present", "float64", [B, A.genes]);
  const tokens = embedGenes(x, present, A);
  const loss = op.reduceSum(op.mul(tokens, g.constant(values(tokens.size, 4), "float64", tokens.shape as number[])));
  const feeds = paramFeeds(g, 5);
  feeds.set(x, expression(2));
  feeds.set(present, presence());
  const params = g.paramsOf().map((p) => p.value);
  const { worst, checked } = await fdCheck(loss, params, feeds, { perElement: 24 });
  assert.ok(checked > 40, `checked ${checked}`);
  assert.ok(worst < 1e-6, `worst relative error ${worst.toExponential(2)}`);
});

test("stage 1: the reconstruction's gradients through the decoder match finite differences; the quantiser's codes are in range", async () => {
  const g = new Graph();
  const x = g.input("x", "float64", [B, A.genes]);
  const present = g.input("present", "float64", [B, A.genes]);
  const rowWeight = g.input("rowWeight", "float64", [B]);
  const s1 = stage1(x, present, rowWeight, A, 0.25);
  const feeds = paramFeeds(g, 6);
  feeds.set(x, expression(3));
  feeds.set(present, presence());
  feeds.set(rowWeight, Float64Array.of(1, 1, 1, 1, 0));
  // The decoder's parameters see no stop-gradient: their gradients are exact.
  const decoder = g.paramsOf().filter((p) => p.group === SCPALM.decoder);
  assert.ok(decoder.length > 10);
  const { worst } = await fdCheck(
    s1.mse,
    decoder.map((p) => p.value),
    feeds,
    { perElement: 16, directions: 2 },
  );
  assert.ok(worst < 1e-6, `worst relative error ${worst.toExponential(2)}`);
  const out = await run({ index: s1.index, loss: s1.loss, mse: s1.mse, commitment: s1.commitment }, feeds);
  assert.equal(out.index!.length, B * A.tokens);
  for (const i of out.index as BigInt64Array) assert.ok(i >= 0n && i < BigInt(A.codes));
  const [loss, mse, commitment] = [out.loss, out.mse, out.commitment].map((v) => (v as Float64Array)[0]!);
  assert.ok(Math.abs(loss! - mse! - commitment!) < 1e-12);
  // The padding row (weight 0) is not scored.
  const xv = (feeds.get(x) as Float64Array).slice();
  for (let j = 0; j < A.genes; j++) xv[4 * A.genes + j] = xv[4 * A.genes + j]! + 1;
  const padded = new Map(feeds).set(x, xv);
  const s = await session(toOnnx({ inputs: [...padded.keys()], outputs: { mse: s1.mse } }));
  assert.equal(((await runOnce(s, Object.fromEntries([...padded].map(([v, d]) => [v.name, tensor(v, d)])))).mse as Float64Array)[0], mse);
});

function stage2Graph(contrast: boolean) {
  const g = new Graph();
  const kept = 2;
  const x = g.input("x", "float64", [B, A.genes]);
  const present = g.input("present", "float64", [B, A.genes]);
  const codes = g.input("codes", "int64", [B, A.tokens]);
  const keep = g.input("keep", "int64", [B, kept]);
  const keep2 = g.input("keep2", "int64", [B, kept]);
  const centroids = g.input("centroids", "float64", [3, A.hidden]);
  const weight = g.input("weight", "float64", []);
  const s2 = stage2(
    { x, present, codes, keep, contrast: contrast ? { keep: keep2, centroids, weight, tau: 0.5, negatives: 3 } : undefined },
    A,
  );
  const feeds = paramFeeds(g, 7);
  feeds.set(x, expression(4));
  feeds.set(present, presence());
  feeds.set(
    codes,
    BigInt64Array.from({ length: B * A.tokens }, (_, i) => BigInt((i * 7 + 3) % A.codes)),
  );
  // Increasing positions, two of the four tokens per cell.
  const views = [
    [0, 2],
    [1, 3],
    [0, 1],
    [2, 3],
    [1, 2],
  ];
  feeds.set(keep, BigInt64Array.from(views.flat(), BigInt));
  if (contrast) {
    feeds.set(
      keep2,
      BigInt64Array.from(
        views.flatMap(([a, b]) => [b! === 3 ? 0 : a!, 3]),
        BigInt,
      ),
    );
    // Far-apart centroids along the first two axes: cells split by the signs of h_C's first components.
    const c = new Float64Array(3 * A.hidden);
    c[0] = 10;
    c[A.hidden] = -10;
    c[2 * A.hidden + 1] = 10;
    feeds.set(centroids, c);
    feeds.set(weight, Float64Array.of(0.7));
    const negatives = g.inputs.get("cell.negatives")!;
    feeds.set(
      negatives,
      Float64Array.from(values(B * B, 10, 0, 1), (u) => (u < 0.6 ? 2.5 : 0)),
    );
  }
  return { g, x, s2, feeds };
}

test("stage 2: gradients of the cell encoder and decoder, with the contrastive term, match finite differences", async () => {
  const { g, s2, feeds } = stage2Graph(true);
  const cell = g.paramsOf().filter((p) => p.group === SCPALM.cell);
  const { worst, checked } = await fdCheck(
    s2.loss,
    cell.map((p) => p.value),
    feeds,
    { perElement: 16, directions: 2 },
  );
  assert.ok(checked > 60, `checked ${checked}`);
  assert.ok(worst < 1e-6, `worst relative error ${worst.toExponential(2)}`);
  const out = await run({ cl: s2.contrastive!, mse: s2.mse, loss: s2.loss }, feeds);
  const [cl, mse, loss] = [out.cl, out.mse, out.loss].map((v) => (v as Float64Array)[0]!);
  assert.ok(cl! > 0);
  assert.ok(Math.abs(loss! - mse! - 0.7 * cl!) < 1e-12);
});

test("stage 2 scores only the genes of the left-out tokens", async () => {
  const { x, s2, feeds } = stage2Graph(false);
  const base = (await run({ mse: s2.mse }, feeds)).mse![0]!;
  // Cell 0 keeps tokens 0 and 2: its genes 0–2 and 6–8 are not scored, 3–5 and 9–10 are.
  const change = async (genes: number[]) => {
    const xv = (feeds.get(x) as Float64Array).slice();
    for (const j of genes) xv[j] = xv[j]! + 5;
    const f = new Map(feeds);
    f.set(x, xv);
    return (await run({ mse: s2.mse }, f)).mse![0]!;
  };
  assert.equal(await change([0, 1, 2, 6, 7, 8]), base);
  assert.notEqual(await change([3]), base);
  assert.notEqual(await change([10]), base);
});

test("a gene the cell's dataset did not measure changes nothing; a measured one does", async () => {
  const g = new Graph();
  const x = g.input("x", "float64", [B, A.genes]);
  const present = g.input("present", "float64", [B, A.genes]);
  // The tokens before quantisation (h_C reads the codes, which small changes need not move).
  const tokens = embedGenes(x, present, A);
  const feeds = paramFeeds(g, 11);
  feeds.set(present, presence());
  const tokensOf = async (gene: number) => {
    const xv = expression(5);
    if (gene >= 0) xv[A.genes + gene] = xv[A.genes + gene]! + 2;
    feeds.set(x, xv);
    return (await run({ tokens }, feeds)).tokens as Float64Array;
  };
  const base = await tokensOf(-1);
  const width = A.tokens * A.hidden;
  const moved = async (gene: number) => {
    const t = await tokensOf(gene);
    return Math.max(...Array.from({ length: width }, (_, k) => Math.abs(t[width + k]! - base[width + k]!)));
  };
  assert.equal(await moved(10), 0);
  assert.ok((await moved(4)) > 1e-6);
});

test("random subsets: distinct increasing positions, each position equally likely", () => {
  const [k, of, rows] = [3, 8, 4000];
  const out = new BigInt64Array(rows * k);
  new Rng(1, 2).fillSubsets(out, k, of);
  const counts = new Array(of).fill(0);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < k; j++) counts[Number(out[r * k + j])]++;
    for (let j = 1; j < k; j++) assert.ok(out[r * k + j]! > out[r * k + j - 1]!);
  }
  // Each position is kept with probability k/of = 0.375: 1500 expected, sd ≈ 31.
  for (const c of counts) assert.ok(Math.abs(c - (rows * k) / of) < 150, `counts ${counts}`);
});
