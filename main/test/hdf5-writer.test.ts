import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import h5wasm from "h5wasm/node";
import { h5Ready } from "../io/h5ad/read.js";
import { lookup3 } from "../io/hdf5/checksum.js";
import { H5Writer } from "../io/hdf5/writer.js";
import { tempDir } from "./helpers.js";

test("lookup3 matches the reference vectors of lookup3.c", () => {
  assert.equal(lookup3(new Uint8Array(0)), 0xdeadbeef);
  assert.equal(lookup3(Buffer.from("Four score and seven years ago")), 0x17770551);
});

test("HDF5 writer: every dtype, attributes and long string tables read back through h5wasm", async (t) => {
  const path = join(tempDir(t), "types.h5");
  const names = Array.from({ length: 70_000 }, (_, i) => `cell-${i}-ü`); // > one global heap collection
  const w = new H5Writer(path);
  w.root
    .attr("title", "τest")
    .attr("n", 7)
    .attr("ratio", 0.25)
    .attr("flag", true)
    .attr("list", ["a", "b"])
    .attr("shape", BigInt64Array.of(2n, 3n));
  const g = w.root.group("g");
  g.array("f4", Float32Array.of(1.5, -2, 3e-8));
  g.array("f8", Float64Array.of(Math.PI, -0));
  g.array("i8", BigInt64Array.of(-(2n ** 40n), 5n));
  g.array("m", Int32Array.of(1, 2, 3, 4, 5, 6), [2, 3]);
  g.bools("b", Uint8Array.of(1, 0, 1));
  g.strings("names", names);
  g.strings("scalar", ["just one"], true);
  g.array("empty", new Float32Array(0));
  w.close();

  await h5Ready();
  const f = new h5wasm.File(path, "r");
  try {
    assert.equal(f.attrs.title.value, "τest");
    assert.equal(Number(f.attrs.n.value), 7);
    assert.equal(f.attrs.ratio.value, 0.25);
    assert.deepEqual(f.attrs.list.value, ["a", "b"]);
    assert.deepEqual(Array.from(f.attrs.shape.value as BigInt64Array, Number), [2, 3]);
    const get = (p: string) => f.get(p) as InstanceType<typeof h5wasm.Dataset>;
    assert.deepEqual(Array.from(get("g/f4").value as Float32Array), Array.from(Float32Array.of(1.5, -2, 3e-8)));
    assert.deepEqual(Array.from(get("g/f8").value as Float64Array), [Math.PI, -0]);
    assert.deepEqual(Array.from(get("g/i8").value as BigInt64Array), [-(2n ** 40n), 5n]);
    assert.deepEqual(get("g/m").shape, [2, 3]);
    assert.deepEqual(Array.from(get("g/b").value as Int8Array), [1, 0, 1]);
    assert.deepEqual(get("g/names").value, names);
    assert.equal(get("g/scalar").value, "just one");
    assert.deepEqual(get("g/empty").shape, [0]);
  } finally {
    f.close();
  }
});

test("an HDF5 file that was never closed has no signature (a half write is never mistaken for a file)", async (t) => {
  const path = join(tempDir(t), "half.h5");
  const w = new H5Writer(path);
  w.root.group("g").array("x", Float32Array.of(1, 2, 3));
  w.abort();
  await h5Ready();
  const f = new h5wasm.File(path, "r");
  assert.ok(f.file_id < 0n, "h5wasm must not open an unfinished file");
});
