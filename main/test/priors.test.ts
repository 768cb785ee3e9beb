import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import h5wasm from "h5wasm/node";
import { parquetWriteBuffer } from "hyparquet-writer";
import { Rng } from "../../native-models/random.js";
import { mapGenes } from "../genes/map.js";
import { geneTables } from "../genes/tables.js";
import { DataError } from "../io/errors.js";
import { h5Ready } from "../io/h5ad/read.js";
import { readDataset } from "../io/read.js";
import {
  alignPrior,
  alignPriors,
  BUNDLED_PRIOR_NAME,
  bundledPrior,
  type GenePrior,
  randomPrior,
  readPrior,
  shuffledAlignment,
  shuffledPrior,
} from "../priors/index.js";
import { encodeNpy, floatToHalf, halfToFloat } from "../priors/npy.js";
import { data, PBMC3K, tempDir } from "./helpers.js";

// A small prior whose values all survive float32 exactly.
const GENES = ["CD3E", "MS4A1", "LYZ", "NKG7", "PPBP"];
const DIM = 4;
const VALUES = Float32Array.from({ length: GENES.length * DIM }, (_, k) => (Math.floor(k / DIM) + 1) * 1.5 - (k % DIM) * 0.25 - 3);

function assertSamePrior(p: GenePrior, genes = GENES, values = VALUES, dim = DIM) {
  assert.deepEqual(p.genes, genes);
  assert.equal(p.dim, dim);
  assert.deepEqual(Array.from(p.values), Array.from(values));
}

function rows(sep: string): string[] {
  return GENES.map((g, i) => [g, ...Array.from(VALUES.subarray(i * DIM, (i + 1) * DIM), String)].join(sep));
}

async function rejectsWith(p: Promise<unknown>, ...patterns: RegExp[]) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DataError, `not a DataError: ${e}`);
    for (const re of patterns) assert.match(e.message, re);
    return true;
  });
}

/** A .npy file written by hand (v1.0 header padded to 64 bytes). */
function npy(descr: string, shape: number[], body: Buffer, fortran = false): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? "True" : "False"}, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  header += `${" ".repeat(63 - ((10 + header.length) % 64))}\n`;
  const head = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, "latin1"), body]);
}

function f32le(v: ArrayLike<number>): Buffer {
  const b = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) b.writeFloatLE(v[i], i * 4);
  return b;
}

function f64le(v: ArrayLike<number>): Buffer {
  const b = Buffer.alloc(v.length * 8);
  for (let i = 0; i < v.length; i++) b.writeDoubleLE(v[i], i * 8);
  return b;
}

const LIST_SCHEMA = (element: "DOUBLE" | "FLOAT") => [
  { name: "schema", num_children: 2 },
  { name: "gene_id", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
  { name: "embedding", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
  { name: "list", repetition_type: "REPEATED", num_children: 1 },
  { name: "element", type: element, repetition_type: "OPTIONAL" },
];

/** sciLaMA's parquet layout, as pandas/pyarrow write it: gene_id (string) + embedding (list<double>). */
function sciLamaParquet(path: string, genes: string[], vectors: number[][], element: "DOUBLE" | "FLOAT" = "DOUBLE", geneCol = "gene_id") {
  const schema = LIST_SCHEMA(element);
  schema[1] = { ...schema[1], name: geneCol };
  const buf = parquetWriteBuffer({
    columnData: [
      { name: geneCol, data: genes },
      { name: "embedding", data: vectors },
    ],
    schema: schema as never,
  });
  writeFileSync(path, Buffer.from(buf));
}

const vectors = () => GENES.map((_, i) => Array.from(VALUES.subarray(i * DIM, (i + 1) * DIM)));

test("CSV/TSV priors round-trip with and without a header, gzipped or not", async (t) => {
  const dir = tempDir(t);
  const cases: Array<[string, string]> = [
    ["with_header.csv", `gene,d0,d1,d2,d3\n${rows(",").join("\n")}\n`],
    ["no_header.csv", `${rows(",").join("\n")}\n`],
    ["pandas_index.csv", `,0,1,2,3\n${rows(",").join("\n")}\n`],
    ["numbered_header.tsv", `gene_id\t1\t2\t3\t4\n${rows("\t").join("\n")}\n`],
    ["no_header.tsv", `${rows("\t").join("\r\n")}\r\n`],
    [
      "quoted.csv",
      `"gene","a","b","c","d"\n${rows(",")
        .map((r) => r.replace(/^(\w+)/, '"$1"'))
        .join("\n")}\n`,
    ],
  ];
  for (const [name, text] of cases) {
    writeFileSync(join(dir, name), text);
    const p = await readPrior(join(dir, name));
    assertSamePrior(p);
    assert.equal(p.name, name.replace(/\.\w+$/, ""));
    assert.equal(p.source, join(dir, name));
  }
  writeFileSync(join(dir, "gz.tsv.gz"), gzipSync(`${rows("\t").join("\n")}\n`));
  assertSamePrior(await readPrior(join(dir, "gz.tsv.gz"), { name: "custom" }));
  assert.equal((await readPrior(join(dir, "gz.tsv.gz"), { name: "custom" })).name, "custom");
});

test("parquet priors: sciLaMA's gene_id + embedding list layout, list<float>, pandas index, and the wide layout", async (t) => {
  const dir = tempDir(t);
  sciLamaParquet(join(dir, "scilama.parquet"), GENES, vectors());
  assertSamePrior(await readPrior(join(dir, "scilama.parquet")));
  sciLamaParquet(join(dir, "float.parquet"), GENES, vectors(), "FLOAT");
  assertSamePrior(await readPrior(join(dir, "float.parquet")));
  sciLamaParquet(join(dir, "index.parquet"), GENES, vectors(), "DOUBLE", "__index_level_0__");
  assertSamePrior(await readPrior(join(dir, "index.parquet")));
  const wide = parquetWriteBuffer({
    columnData: [
      { name: "symbol", data: GENES, type: "STRING" },
      ...Array.from({ length: DIM }, (_, j) => ({
        name: `dim_${j}`,
        data: GENES.map((_, i) => VALUES[i * DIM + j]),
        type: "DOUBLE" as const,
      })),
    ],
  });
  writeFileSync(join(dir, "wide.parquet"), Buffer.from(wide));
  assertSamePrior(await readPrior(join(dir, "wide.parquet")));
  // Many row groups: rows are placed by their absolute index.
  const many = Array.from({ length: 2500 }, (_, i) => `G${i}`);
  const buf = parquetWriteBuffer({
    columnData: [
      { name: "gene_id", data: many },
      { name: "embedding", data: many.map((_, i) => [i, -i, i / 4]) },
    ],
    schema: LIST_SCHEMA("DOUBLE") as never,
    rowGroupSize: 700,
  });
  writeFileSync(join(dir, "many.parquet"), Buffer.from(buf));
  const p = await readPrior(join(dir, "many.parquet"));
  assert.equal(p.genes.length, 2500);
  assert.equal(p.genes[1234], "G1234");
  assert.deepEqual(Array.from(p.values.subarray(1234 * 3, 1235 * 3)), [1234, -1234, 308.5]);
});

test("NPY priors: float32/float64/float16, C or Fortran order, gzipped, gene list beside it or given", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "emb.npy"), npy("<f4", [5, 4], f32le(VALUES)));
  writeFileSync(join(dir, "emb.genes.txt"), `${GENES.join("\n")}\n`);
  assertSamePrior(await readPrior(join(dir, "emb.npy")));
  const name = (await readPrior(join(dir, "emb.npy"))).name;
  assert.equal(name, "emb");

  // float64, explicit gene list with a header line and a second column (first field = id).
  writeFileSync(join(dir, "f64.npy"), npy("<f8", [5, 4], f64le(VALUES)));
  writeFileSync(join(dir, "ids.tsv"), `gene\tnote\n${GENES.map((g) => `${g}\tx`).join("\n")}\n`);
  assertSamePrior(await readPrior(join(dir, "f64.npy"), { genes: join(dir, "ids.tsv") }));

  // Fortran order: the file holds columns one after another.
  const fortran = Float32Array.from({ length: VALUES.length }, (_, k) => VALUES[(k % 5) * DIM + Math.floor(k / 5)]);
  writeFileSync(join(dir, "fo.npy"), npy("<f4", [5, 4], f32le(fortran), true));
  writeFileSync(join(dir, "fo.txt"), GENES.join("\n"));
  assertSamePrior(await readPrior(join(dir, "fo.npy")));

  // Gzipped array with a gzipped gene list beside it.
  writeFileSync(join(dir, "z.npy.gz"), gzipSync(npy("<f4", [5, 4], f32le(VALUES))));
  writeFileSync(join(dir, "z.genes.tsv.gz"), gzipSync(GENES.join("\n")));
  const z = await readPrior(join(dir, "z.npy.gz"));
  assertSamePrior(z);
  assert.equal(z.name, "z");

  // Big-endian float32 and float16 (all of VALUES are exact in half precision).
  const be = Buffer.alloc(VALUES.length * 4);
  VALUES.forEach((v, i) => {
    be.writeFloatBE(v, i * 4);
  });
  writeFileSync(join(dir, "be.npy"), npy(">f4", [5, 4], be));
  assertSamePrior(await readPrior(join(dir, "be.npy"), { genes: join(dir, "emb.genes.txt") }));
  writeFileSync(join(dir, "half.npy"), encodeNpy(VALUES, 5, 4, "<f2"));
  assertSamePrior(await readPrior(join(dir, "half.npy"), { genes: join(dir, "emb.genes.txt") }));
});

test("float16 conversion rounds to nearest even and round-trips every half value", () => {
  for (let h = 0; h < 0x10000; h++) {
    const v = halfToFloat(h);
    if (Number.isNaN(v)) continue;
    assert.equal(floatToHalf(v), h, `half 0x${h.toString(16)}`);
  }
  assert.equal(halfToFloat(floatToHalf(1 + 2 ** -11)), 1); // tie → even
  assert.equal(halfToFloat(floatToHalf(1 + 3 * 2 ** -11)), 1 + 2 ** -9);
  assert.equal(halfToFloat(floatToHalf(70000)), Number.POSITIVE_INFINITY);
  assert.equal(halfToFloat(floatToHalf(2 ** -26)), 0);
});

test("HDF5 priors: named datasets, a nested group, and a transposed (dims × genes) matrix", async (t) => {
  const dir = tempDir(t);
  await h5Ready();
  const a = new h5wasm.File(join(dir, "a.h5"), "w");
  a.create_dataset({ name: "embeddings", data: VALUES, shape: [5, 4] });
  a.create_dataset({ name: "genes", data: GENES });
  a.create_dataset({ name: "notes", data: ["unrelated", "text"] });
  a.close();
  assertSamePrior(await readPrior(join(dir, "a.h5")));

  const b = new h5wasm.File(join(dir, "b.hdf5"), "w");
  b.create_group("prior");
  const g = b.get("prior") as InstanceType<typeof h5wasm.Group>;
  const transposed = Float64Array.from({ length: VALUES.length }, (_, k) => VALUES[(k % 5) * DIM + Math.floor(k / 5)]);
  g.create_dataset({ name: "X", data: transposed, shape: [4, 5] });
  g.create_dataset({ name: "gene_ids", data: GENES });
  b.close();
  assertSamePrior(await readPrior(join(dir, "b.hdf5")));
});

test("bad prior files are rejected with messages that say what was expected and found", async (t) => {
  const dir = tempDir(t);
  const w = (name: string, content: string | Buffer) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };
  await rejectsWith(readPrior(w("empty.csv", "")), /empty\.csv/, /empty file/);
  await rejectsWith(readPrior(w("ragged.csv", "A,1,2,3\nB,1,2\n")), /4 columns on every row/, /3 columns on line 2/);
  await rejectsWith(
    readPrior(w("text.csv", "gene,a,b\nA,1,2\nB,1,oops\n")),
    /a number in every column/,
    /'oops' on line 3, column 3 \('b'\)/,
  );
  await rejectsWith(readPrior(w("nan.tsv", "A\t1\t2\nB\tNaN\t2\n")), /finite numbers/, /NaN for gene 'B' on line 2/);
  await rejectsWith(readPrior(w("inf.csv", "A,1,inf\n")), /inf for gene 'A'/);
  await rejectsWith(readPrior(w("dup.csv", "A,1,2\nB,3,4\nA,5,6\n")), /each gene id once/, /'A' 2 times \(rows 1 and 3\)/);
  await rejectsWith(readPrior(w("transposed.csv", "0.1,0.2,0.3\n0.4,0.5,0.6\n")), /gene ids in the first column/, /transposed/);
  await rejectsWith(readPrior(w("one.csv", "A\nB\n")), /single column/);
  await rejectsWith(readPrior(w("table.xlsx", "PK")), /the extension '\.xlsx'/, /CSV\/TSV/);
  await rejectsWith(readPrior(w("model.pkl", "x")), /can run code/);
  await rejectsWith(readPrior(w("fake.parquet", "A,1,2\n")), /a parquet file, as its name says/, /misnamed/);
  await rejectsWith(readPrior(join(dir, "missing.csv")), /no file at this path/);

  // NPY
  await rejectsWith(readPrior(w("lonely.npy", npy("<f4", [5, 4], f32le(VALUES)))), /a gene list for the 5 rows/, /lonely\.genes\.txt/);
  w("short.npy", npy("<f4", [5, 4], f32le(VALUES)));
  w("short.genes.txt", GENES.slice(0, 3).join("\n"));
  await rejectsWith(
    readPrior(join(dir, "short.npy")),
    /short\.genes\.txt/,
    /5 gene ids, one per row of short\.npy \(5 × 4\)/,
    /found 3 gene ids/,
  );
  w("vec.npy", npy("<f4", [20], f32le(VALUES)));
  w("vec.genes.txt", "A");
  await rejectsWith(readPrior(join(dir, "vec.npy")), /2-D array/, /shape \(20\)/);
  w("int.npy", npy("<i8", [5, 4], Buffer.alloc(160)));
  w("int.genes.txt", GENES.join("\n"));
  await rejectsWith(readPrior(join(dir, "int.npy")), /dtype '<i8' \(integers\)/, /astype\('float32'\)/);
  w("cut.npy", npy("<f4", [5, 4], f32le(VALUES.subarray(0, 10))));
  w("cut.genes.txt", GENES.join("\n"));
  await rejectsWith(readPrior(join(dir, "cut.npy")), /truncated/);
  const withNan = VALUES.slice();
  withNan[9] = Number.NaN;
  w("nan.npy", npy("<f4", [5, 4], f32le(withNan)));
  w("nan.genes.txt", GENES.join("\n"));
  await rejectsWith(readPrior(join(dir, "nan.npy")), /NaN for gene 'LYZ' \(row 3\), dimension 2/);

  // parquet
  const vs = vectors();
  sciLamaParquet(w("dupgenes.parquet", ""), ["A", "B", "C", "B", "E"], vs);
  await rejectsWith(readPrior(join(dir, "dupgenes.parquet")), /'B' 2 times/);
  sciLamaParquet(w("ragged.parquet", ""), GENES, [...vs.slice(0, 4), [1, 2]]);
  await rejectsWith(readPrior(join(dir, "ragged.parquet")), /vectors of one length \(4/, /2 numbers on row 5/);
  sciLamaParquet(w("inf.parquet", ""), GENES, [...vs.slice(0, 2), [1, Number.POSITIVE_INFINITY, 0, 0], ...vs.slice(3)]);
  await rejectsWith(readPrior(join(dir, "inf.parquet")), /Inf for gene 'LYZ' \(row 3\), dimension 2/);
  const numbersOnly = parquetWriteBuffer({ columnData: [{ name: "a", data: [1, 2], type: "DOUBLE" }] });
  await rejectsWith(
    readPrior(w("nogenes.parquet", Buffer.from(numbersOnly))),
    /one text column of gene ids/,
    /no text column: a \(number\)/,
    /gene_id/,
  );

  // HDF5
  await h5Ready();
  const f = new h5wasm.File(join(dir, "two.h5"), "w");
  f.create_dataset({ name: "m1", data: VALUES, shape: [5, 4] });
  f.create_dataset({ name: "m2", data: VALUES, shape: [4, 5] });
  f.create_dataset({ name: "genes", data: GENES });
  f.close();
  await rejectsWith(
    readPrior(join(dir, "two.h5")),
    /one 2-D numeric dataset named 'embeddings'/,
    /\/m1 \[5 × 4, float\]/,
    /\/m2 \[4 × 5, float\]/,
    /\/genes \[5, text\]/,
  );
  const h = new h5wasm.File(join(dir, "nogenes.h5"), "w");
  h.create_dataset({ name: "embeddings", data: VALUES, shape: [5, 4] });
  h.create_dataset({ name: "genes", data: GENES.slice(0, 3) });
  h.close();
  await rejectsWith(readPrior(join(dir, "nogenes.h5")), /one 1-D text dataset of 5 gene ids/, /none of that length/, /\/genes \[3, text\]/);
});

/** A prior vector that says which gene it belongs to: (i, −i, i mod 7, 0.5). */
function codeFor(i: number): number[] {
  return [i, -i, i % 7, 0.5];
}

function priorFrom(ids: string[], codes: number[], perm: Int32Array): GenePrior {
  const genes = Array.from(perm, (p) => ids[p]);
  const values = new Float32Array(genes.length * 4);
  Array.from(perm).forEach((p, r) => {
    values.set(codeFor(codes[p]), r * 4);
  });
  return { name: "coded", genes, dim: 4, values, source: "test" };
}

function checkRows(a: { covered: Int32Array; matrix: Float32Array }, expectedCode: (j: number) => number) {
  a.covered.forEach((j, i) => {
    assert.deepEqual(Array.from(a.matrix.subarray(i * 4, i * 4 + 4)), codeFor(expectedCode(j)), `row ${i} (dataset gene ${j})`);
  });
}

test("alignment by gene id: shuffled prior rows, Ensembl/symbol mixing, exact coverage numbers", async () => {
  const { dataset } = await readDataset(PBMC3K);
  const names = dataset.var.index;
  const t = geneTables();
  // The prior: every dataset gene except every 10th; every 3rd one (when possible) under its Ensembl id;
  // plus 50 genes the dataset does not have. Rows shuffled.
  const ids: string[] = [];
  const codes: number[] = [];
  let asEnsembl = 0;
  names.forEach((n, j) => {
    if (j % 10 === 9) return;
    const g = t.bySymbol.get(n);
    const ens = g?.ensembl.find((e) => t.byEnsembl.get(e) === g);
    if (j % 3 === 0 && ens) {
      ids.push(ens);
      asEnsembl++;
    } else ids.push(n);
    codes.push(j);
  });
  const extra = t.human.filter((g) => g.type === "protein-coding" && !names.includes(g.symbol)).slice(0, 50);
  for (const [k, g] of extra.entries()) {
    ids.push(g.symbol);
    codes.push(100000 + k);
  }
  assert.ok(asEnsembl > 500, `${asEnsembl}`);
  const prior = priorFrom(ids, codes, new Rng(7).permutation(ids.length));
  const a = alignPrior(prior, names);
  assert.equal(a.coverage.datasetGenes, 2000);
  assert.equal(a.coverage.covered, 1800);
  assert.equal(a.coverage.fraction, 0.9);
  assert.deepEqual(
    a.coverage.dropped,
    names.filter((_, j) => j % 10 === 9),
  );
  assert.equal(a.coverage.priorGenesUnused, 50);
  assert.deepEqual(a.coverage.priorDuplicates, []);
  assert.deepEqual(
    Array.from(a.covered),
    names.map((_, j) => j).filter((j) => j % 10 !== 9),
  );
  checkRows(a, (j) => j);
  // How the dataset genes were recognised, tallied independently from the gene mapping.
  const m = mapGenes(names);
  const expected: Record<string, number> = {};
  for (const j of a.covered) {
    const by = m.matches[j]?.by ?? (/^MT-/.test(names[j]) ? "mitochondrial" : "exact");
    expected[by] = (expected[by] ?? 0) + 1;
  }
  assert.deepEqual(a.coverage.byMatch, expected);
  assert.ok(
    a.coverage.byMatch.symbol > 1500 && a.coverage.byMatch.alias > 50 && a.coverage.byMatch.exact > 50,
    JSON.stringify(a.coverage.byMatch),
  );

  // The other way round: an Ensembl-keyed dataset against a symbol-keyed prior.
  const ensNames: string[] = [];
  const ensCodes: number[] = [];
  names.forEach((n, j) => {
    const g = t.bySymbol.get(n);
    const ens = g?.ensembl.find((e) => t.byEnsembl.get(e) === g);
    if (ens) {
      ensNames.push(`${ens}.${(j % 5) + 1}`); // versioned, as Cell Ranger writes them
      ensCodes.push(j);
    }
  });
  const symPrior = priorFrom(
    names,
    Array.from(names, (_, j) => j),
    new Rng(8).permutation(names.length),
  );
  const b = alignPrior(symPrior, ensNames);
  assert.equal(b.coverage.covered, ensNames.length);
  assert.deepEqual(b.coverage.byMatch, { ensembl: ensNames.length });
  checkRows(b, (j) => ensCodes[j]);
});

test("a mouse dataset aligns to a human prior through the ortholog table", async () => {
  const { dataset } = await readDataset(PBMC3K);
  const human = dataset.var.index;
  const t = geneTables();
  const humanIndex = new Map(human.map((g, j) => [g, j]));
  // Mouse genes whose best human ortholog is a pbmc3k gene, e.g. Cd79a → CD79A, Lyz1 and Lyz2 → LYZ.
  const mouse = [...t.mouseToHuman.keys()].filter((m) => humanIndex.has(t.mouseToHuman.get(m)![0]) && !/^mt-/.test(m)).sort();
  assert.ok(mouse.length > 1000, `${mouse.length}`);
  assert.ok(mouse.includes("Cd79a") && mouse.includes("Lyz1") && mouse.includes("Lyz2"));
  const prior = priorFrom(
    human,
    Array.from(human, (_, j) => j),
    new Rng(9).permutation(human.length),
  );
  const dataGenes = [...mouse, "NotAGene1", "mt-Nd6"];
  const a = alignPrior(prior, dataGenes);
  // mt-Nd6 reaches MT-ND6 (one of pbmc3k's HVGs) through the mitochondrial names, not the ortholog table.
  assert.equal(a.coverage.covered, mouse.length + 1);
  assert.deepEqual(a.coverage.byMatch, { ortholog: mouse.length, mitochondrial: 1 });
  assert.deepEqual(a.coverage.dropped, ["NotAGene1"]);
  checkRows(a, (j) => (j === mouse.length + 1 ? humanIndex.get("MT-ND6")! : humanIndex.get(t.mouseToHuman.get(dataGenes[j])![0])!));
  for (const [m, h] of [
    ["Cd79a", "CD79A"],
    ["Lyz1", "LYZ"],
    ["Lyz2", "LYZ"],
  ]) {
    const i = a.covered.indexOf(mouse.indexOf(m));
    assert.deepEqual(Array.from(a.matrix.subarray(i * 4, i * 4 + 4)), codeFor(humanIndex.get(h)!), m);
  }
});

test("several priors: the covered set is their intersection, with one row order for all", () => {
  const genes = ["CD3E", "MS4A1", "LYZ", "NKG7", "PPBP", "GNLY", "FCGR3A"];
  const p1 = priorFrom(genes.slice(0, 6), [0, 1, 2, 3, 4, 5], new Rng(1).permutation(6));
  const p2ids = ["7157", "ENSG00000105374", "931", "ENSG00000090382", "ENSG00000163736"]; // TP53, NKG7, MS4A1, LYZ, PPBP
  const p2 = priorFrom(p2ids, [10, 13, 11, 12, 14], new Rng(2).permutation(5));
  const dataset = ["FCGR3A", "PPBP", "LYZ", "MS4A1", "CD3E", "NKG7"];
  const m = alignPriors([p1, p2], dataset);
  assert.deepEqual(Array.from(m.covered), [1, 2, 3, 5]); // PPBP, LYZ, MS4A1, NKG7
  assert.deepEqual(m.coverage.dropped, ["FCGR3A", "CD3E"]);
  assert.equal(m.coverage.covered, 4);
  assert.deepEqual(
    m.coverage.perPrior.map((c) => c.covered),
    [5, 4],
  );
  const code1: Record<string, number> = { PPBP: 4, LYZ: 2, MS4A1: 1, NKG7: 3 };
  const code2: Record<string, number> = { PPBP: 14, LYZ: 12, MS4A1: 11, NKG7: 13 };
  checkRows({ covered: m.covered, matrix: m.priors[0].matrix }, (j) => code1[dataset[j]]);
  checkRows({ covered: m.covered, matrix: m.priors[1].matrix }, (j) => code2[dataset[j]]);
  assert.throws(
    () => alignPrior(p1, ["Xyz1", "Abc2"]),
    (e: unknown) => e instanceof DataError && /no gene in common/.test(e.message),
  );
});

test("a prior listing the same gene twice uses the id that matches, else the direct identifier", () => {
  const prior: GenePrior = {
    name: "dups",
    genes: ["P53", "TP53", "7157", "CD3E"],
    dim: 1,
    values: Float32Array.from([1, 2, 3, 4]),
    source: "test",
  };
  const a = alignPrior(prior, ["TP53", "CD3E"]);
  assert.deepEqual(Array.from(a.matrix), [2, 4]);
  assert.deepEqual(a.coverage.priorDuplicates, [{ gene: "TP53", ids: ["TP53", "7157", "P53"] }]);
  assert.equal(a.coverage.priorGenesUnused, 2);
  assert.deepEqual(Array.from(alignPrior(prior, ["ENSG00000141510"]).matrix), [2]);
});

test("controls: random and shuffled priors are seeded and keep what they should", () => {
  const r1 = randomPrior(GENES, 1000, 3);
  const r2 = randomPrior(GENES, 1000, 3);
  assert.deepEqual(r1.values, r2.values);
  assert.notDeepEqual(randomPrior(GENES, 1000, 4).values, r1.values);
  const mean = r1.values.reduce((s, v) => s + v, 0) / r1.values.length;
  const sd = Math.sqrt(r1.values.reduce((s, v) => s + (v - mean) ** 2, 0) / r1.values.length);
  assert.ok(Math.abs(mean) < 0.05 && Math.abs(sd - 1) < 0.05, `${mean} ${sd}`);
  assert.deepEqual(r1.genes, GENES);

  const base: GenePrior = { name: "p", genes: GENES, dim: DIM, values: VALUES, source: "test" };
  const s = shuffledPrior(base, 11);
  assert.deepEqual(s.genes, GENES);
  assert.deepEqual(shuffledPrior(base, 11).values, s.values);
  const rowsOf = (v: Float32Array) => Array.from({ length: 5 }, (_, i) => Array.from(v.subarray(i * DIM, (i + 1) * DIM)).join(","));
  assert.deepEqual(rowsOf(s.values).sort(), rowsOf(VALUES).sort());
  assert.notDeepEqual(rowsOf(s.values), rowsOf(VALUES));
  const a = alignPrior(base, ["LYZ", "CD3E", "PPBP"]);
  const sa = shuffledAlignment(a, 5);
  assert.deepEqual(sa.covered, a.covered);
  assert.deepEqual(rowsOf(sa.matrix).slice(0, 3).sort(), rowsOf(a.matrix).slice(0, 3).sort());
});

test("the bundled GO + pathway prior: size, coverage of real datasets, and pathway coherence on held-out hallmark sets", async () => {
  const p = bundledPrior();
  const meta = JSON.parse(readFileSync(join(p.source, "..", "go_pathways_lsa256.json"), "utf8")) as { n_genes: number; dim: number };
  assert.equal(p.name, BUNDLED_PRIOR_NAME);
  assert.equal(p.dim, 256);
  assert.equal(p.genes.length, meta.n_genes);
  assert.ok(p.genes.length > 20000, `${p.genes.length}`);
  assert.equal(p.symbols?.[p.genes.indexOf("7157")], "TP53");

  // Coverage (measured: pbmc3k 1,871 of 2,000 = 93.6%; osmFISH mouse 31 of 33 through orthologs).
  const { dataset } = await readDataset(PBMC3K);
  const a = alignPrior(p, dataset.var.index);
  assert.ok(a.coverage.fraction > 0.92, `${a.coverage.fraction}`);
  assert.ok(!a.coverage.dropped.includes("CD3E") && !a.coverage.dropped.includes("MT-ND6"));
  const osm = await readDataset(data("osmfish", "osmfish_gimvi_4530cells_33genes.h5ad"));
  const b = alignPrior(p, osm.dataset.var.index);
  assert.ok(b.coverage.covered >= 30, `${b.coverage.covered}`);
  assert.equal(b.coverage.byMatch.ortholog, b.coverage.covered);

  // Coherence: genes of a pathway are closer (cosine) than random gene pairs. The MSigDB hallmark sets were
  // NOT used to build the prior.
  const d = p.dim;
  const norm = new Float64Array(p.genes.length);
  for (let i = 0; i < p.genes.length; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += p.values[i * d + k] ** 2;
    norm[i] = Math.sqrt(s);
  }
  const cos = (i: number, j: number) => {
    let s = 0;
    for (let k = 0; k < d; k++) s += p.values[i * d + k] * p.values[j * d + k];
    return s / (norm[i] * norm[j]);
  };
  const meanCos = (ids: number[]) => {
    let s = 0;
    let n = 0;
    for (let x = 0; x < ids.length; x++) {
      for (let y = x + 1; y < ids.length; y++) {
        s += cos(ids[x], ids[y]);
        n++;
      }
    }
    return s / n;
  };
  const rng = new Rng(1);
  let rs = 0;
  for (let k = 0; k < 20000; k++) rs += cos(Math.floor(rng.uniform() * p.genes.length), Math.floor(rng.uniform() * p.genes.length));
  const random = rs / 20000;
  const index = new Map(p.genes.map((g, i) => [g, i]));
  const hallmark = readFileSync(data("gene_sets", "h.all.v7.0.symbols.gmt"), "utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => l.split("\t"));
  const means = hallmark.map((h) => {
    const ids = mapGenes(h.slice(2))
      .matches.map((m) => (m?.entrez ? index.get(m.entrez) : undefined))
      .filter((i): i is number => i !== undefined);
    return meanCos([...new Set(ids)]);
  });
  const above = means.filter((m) => m > random).length;
  const sorted = means.slice().sort((x, y) => x - y);
  const median = sorted[sorted.length >> 1];
  // Measured: random pairs 0.046; all 50 sets above it; median set 0.106, lowest 0.056.
  assert.ok(random < 0.08, `random ${random}`);
  assert.equal(above, 50, `${above} of 50`);
  assert.ok(median > 2 * random, `median ${median} vs random ${random}`);
  const ribosomal = p.symbols!.map((s, i) => (/^RP[LS]\d+[AXY]?\d*$/.test(s) ? i : -1)).filter((i) => i >= 0);
  assert.ok(ribosomal.length > 60);
  const rib = meanCos(ribosomal);
  assert.ok(rib > 0.6, `ribosomal ${rib}`); // measured 0.84
});
