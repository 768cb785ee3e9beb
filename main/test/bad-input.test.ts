import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readH5ad } from "../io/h5ad/read.js";
import { H5Writer } from "../io/hdf5/writer.js";
import { filterDataset } from "../pp/filter.js";
import { importDataset } from "../store/import.js";
import { Project } from "../store/project.js";
import { PBMC_SMALL, PBMC_SMALL_MTX, PBMC3K, tempDir } from "./helpers.js";

type Case = [name: string, make: (dir: string) => string, message: RegExp];

function mtxFolder(dir: string, name: string, edit: (mtx: string, genes: string, barcodes: string) => [string, string, string]): string {
  const f = join(dir, name);
  mkdirSync(f);
  const [m, g, b] = edit(
    readFileSync(join(PBMC_SMALL_MTX, "matrix.mtx"), "utf8"),
    readFileSync(join(PBMC_SMALL_MTX, "genes.tsv"), "utf8"),
    readFileSync(join(PBMC_SMALL_MTX, "barcodes.tsv"), "utf8"),
  );
  writeFileSync(join(f, "matrix.mtx"), m);
  writeFileSync(join(f, "genes.tsv"), g);
  writeFileSync(join(f, "barcodes.tsv"), b);
  return f;
}

const entryLine = (mtx: string, i: number) => mtx.split("\n").findIndex((l, k) => k > 2 && l.length > 0) + i;

const CASES: Case[] = [
  [
    "truncated h5ad",
    (dir) => {
      const p = join(dir, "truncated.h5ad");
      writeFileSync(p, readFileSync(PBMC3K).subarray(0, 1_000_000));
      return p;
    },
    /truncated\.h5ad: expected .*(HDF5|matrix|consistent).*found/,
  ],
  [
    "h5ad with corrupted signature",
    (dir) => {
      const p = join(dir, "corrupt.h5ad");
      const b = Buffer.from(readFileSync(PBMC_SMALL));
      b.fill(0x42, 0, 64);
      writeFileSync(p, b);
      return p;
    },
    /corrupt\.h5ad: expected HDF5 content .* found no HDF5 signature/,
  ],
  [
    "indptr that disagrees with the shape",
    (dir) => {
      const p = join(dir, "badindptr.h5ad");
      const w = new H5Writer(p);
      const X = w.root
        .group("X")
        .attr("encoding-type", "csr_matrix")
        .attr("encoding-version", "0.1.0")
        .attr("shape", BigInt64Array.of(3n, 2n));
      X.array("data", Float32Array.of(1, 2));
      X.array("indices", Int32Array.of(0, 1));
      X.array("indptr", Int32Array.of(0, 1, 2));
      for (const f of ["obs", "var"])
        w.root
          .group(f)
          .attr("encoding-type", "dataframe")
          .attr("_index", "_index")
          .strings("_index", f === "obs" ? ["a", "b", "c"] : ["g1", "g2"]);
      w.close();
      return p;
    },
    /indptr of length 4 for shape 3 × 2.*found length 3/,
  ],
  [
    "mtx whose size disagrees with its tsv files",
    (dir) => mtxFolder(dir, "dims", (m, g, b) => [m, g.split("\n").slice(0, 200).join("\n"), b]),
    /expected 200 genes × 80 cells .* found a 230 × 80 matrix.*do not belong together/,
  ],
  [
    "non-numeric count",
    (dir) =>
      mtxFolder(dir, "text", (m, g, b) => {
        const lines = m.split("\n");
        const i = entryLine(m, 5);
        lines[i] = lines[i].replace(/\S+$/, "abc");
        return [lines.join("\n"), g, b];
      }),
    /expected a numeric value on every entry line, but found 'abc'/,
  ],
  [
    "negative count",
    (dir) =>
      mtxFolder(dir, "neg", (m, g, b) => {
        const lines = m.split("\n");
        const i = entryLine(m, 3);
        lines[i] = lines[i].replace(/\S+$/, "-4");
        return [lines.join("\n"), g, b];
      }),
    /neg: expected raw counts or normalised expression .*but found X: negative values \(scaled or batch-corrected data\)/,
  ],
  [
    "NaN in a table",
    (dir) => {
      const p = join(dir, "nan.csv");
      writeFileSync(p, "gene,c1,c2\nCD3E,1,NaN\nMS4A1,0,2\n");
      return p;
    },
    /nan\.csv: expected a number in every cell of the table, but found 'NaN' at row 'CD3E', column 'c2'/,
  ],
  [
    "empty file",
    (dir) => {
      const p = join(dir, "empty.h5ad");
      writeFileSync(p, "");
      return p;
    },
    /empty\.h5ad: .*found an empty file \(0 bytes\)/,
  ],
  [
    "duplicate barcodes",
    (dir) =>
      mtxFolder(dir, "dupbc", (m, g, b) => {
        const lines = b.trimEnd().split("\n");
        lines[5] = lines[4];
        return [m, g, `${lines.join("\n")}\n`];
      }),
    /expected unique cell barcodes, but found '.+' 2 times/,
  ],
  [
    "a CSV named .h5ad",
    (dir) => {
      const p = join(dir, "table.h5ad");
      writeFileSync(p, "gene,c1\nCD3E,1\n");
      return p;
    },
    /table\.h5ad: expected HDF5 content \(as the '\.h5ad' extension says\)/,
  ],
  [
    "an h5ad named .csv",
    (dir) => {
      const p = join(dir, "data.csv");
      copyFileSync(PBMC_SMALL, p);
      return p;
    },
    /data\.csv: expected delimited text table \(CSV\/TSV\) content \(from the '\.csv' extension\), but found a AnnData \.h5ad/,
  ],
  [
    "a ragged table",
    (dir) => {
      const p = join(dir, "ragged.tsv");
      writeFileSync(p, "gene\tc1\tc2\nCD3E\t1\t2\nMS4A1\t0\n");
      return p;
    },
    /expected 3 fields on every line .* found 2 fields on line 3/,
  ],
];

for (const [name, make, message] of CASES) {
  test(`bad input — ${name}: actionable error, store unchanged`, async (t) => {
    const dir = tempDir(t);
    const project = Project.create(join(dir, "project"));
    try {
      await importDataset(project, PBMC_SMALL, { name: "good" });
      const before = { rows: project.datasets(), files: readdirSync(project.path("datasets")).sort() };
      const file = make(dir);
      await assert.rejects(importDataset(project, file), (e: Error) => {
        assert.match(e.message, message);
        assert.equal(e.name, "DataError");
        return true;
      });
      assert.deepEqual(project.datasets(), before.rows);
      assert.deepEqual(readdirSync(project.path("datasets")).sort(), before.files);
      const last = project.events(1)[0];
      assert.equal(last.kind, "import-failed");
      assert.match(last.message, message);
    } finally {
      project.close();
    }
  });
}

test("bad input — zero cells after a filter: says which filter and what the data looks like", async () => {
  const d = await readH5ad(PBMC_SMALL);
  assert.throws(
    () => filterDataset(d, { minGenes: 5000 }),
    /No cells pass the filters: min_genes alone removes 80 of 80 cells\. .*median cell has [\d.]+ genes/,
  );
  assert.throws(() => filterDataset(d, { minCells: 1000 }), /No genes are detected in at least 1000 cells/);
});
