/** vzarr's Icechunk writer and reader against Python icechunk, zarr, xarray and VirtualiZarr. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualDataset } from "../ts/src/dataset/virtual-dataset.js";
import { VirtualVariable } from "../ts/src/dataset/virtual-variable.js";
import { IncompatibleArraysError } from "../ts/src/errors/vzarr-error.js";
import { listSnapshots, listTags, openIcechunk, writeIcechunk } from "../ts/src/formats/icechunk/index.js";
import { LocalFileSource } from "../ts/src/io/local-file.js";
import { ChunkManifest } from "../ts/src/manifest/chunk-manifest.js";
import { ManifestArray } from "../ts/src/manifest/manifest-array.js";
import { f4Codecs, loadedI8, timeBlock, virtualF4, writeFloat32 } from "./helpers/icechunk-data.js";
import { hasPython, pythonJson } from "./helpers/python.js";

interface ReadResult {
  snapshot: string;
  groups: Record<string, Record<string, unknown>>;
  arrays: Record<string, { shape: number[]; dtype: string; values: (number | null)[]; attrs: Record<string, unknown>; dims: string[] }>;
  ancestry: { id: string; message: string; metadata: Record<string, unknown> }[];
  xarray: { coords?: string[]; data_vars?: string[]; error?: string };
  branches: string[];
  tags: string[];
}

let dir: string;
const prefix = () => `file://${dir}/`;
const read = (repo: string, ...version: string[]) => pythonJson<ReadResult>("icechunk_oracle.py", ["read", repo, prefix(), ...version]);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vzarr-ic-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function entries(v: VirtualVariable) {
  return [...(v.data as ManifestArray).manifest.entries()];
}

describe.skipIf(!hasPython)("Icechunk interop with Python", () => {
  it("writes a repository Python icechunk + zarr read with the right values and history", async () => {
    const values = Array.from({ length: 6 * 8 }, (_, i) => i * 0.25 - 3);
    // 6×8 array in 3×4 chunks: chunk (r, c) holds a contiguous 12-value block in the file.
    const blocks: number[] = [];
    for (let r = 0; r < 2; r++)
      for (let c = 0; c < 2; c++)
        for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) blocks.push(values[(r * 3 + i) * 8 + c * 4 + j] as number);
    const file = writeFloat32(dir, "grid.bin", blocks);
    const grid = virtualF4(file, [6, 8], { kind: "regular", chunkShape: [3, 4] }, [2, 2], 12, [3]);
    const small = loadedI8([5, 6, 7], ["s"]);
    const big = loadedI8(
      Array.from({ length: 100 }, (_, i) => i * i),
      ["b"],
    );
    const inner = new VirtualDataset({ variables: [["big", big]], attrs: { level: 2 } });
    const ds = new VirtualDataset({
      variables: [
        ["grid", new VirtualVariable(["y", "x"], grid, { units: "K", scale: 0.5 })],
        ["small", small],
        ["station", loadedI8([10, 20, 30, 40, 50, 60], ["y"])],
      ],
      coordNames: ["station"],
      attrs: { title: "written by vzarr", nan: Number.NaN },
      groups: [["inner", inner]],
    });
    const repo = join(dir, "ours");
    const source = new LocalFileSource(file);
    const identities = new Map([[file, await source.stat()]]);
    await source.close();
    const id = await writeIcechunk(ds, repo, { message: "first commit", metadata: { tool: "vzarr" }, identities });
    const got = await read(repo);
    expect(got.snapshot).toBe(id);
    expect(got.ancestry.map((a) => a.message)).toEqual(["first commit", "Repository initialized"]);
    expect(got.ancestry[0]?.metadata).toEqual({ tool: "vzarr" });
    expect(got.groups["/"]).toEqual({ title: "written by vzarr", nan: "NaN" });
    expect(got.groups["inner/"]).toEqual({ level: 2 });
    const expected = values.map((v, i) => (Math.floor(i / 8) >= 3 && i % 8 >= 4 ? null : v));
    expect(got.arrays.grid).toMatchObject({
      shape: [6, 8],
      dtype: "float32",
      values: expected,
      attrs: { units: "K", scale: 0.5 },
      dims: ["y", "x"],
    });
    expect(got.arrays.small).toMatchObject({ values: [5, 6, 7], dims: ["s"] });
    expect(got.arrays.grid?.attrs.coordinates).toBe("station");
    expect(got.xarray).toEqual({ coords: ["station"], data_vars: ["grid", "small"] });
    expect(got.arrays["inner/big"]?.values).toEqual(Array.from({ length: 100 }, (_, i) => i * i));
    // The 800-byte loaded array went to a native chunk object, the 24-byte one inline.
    expect(readFileSync(join(repo, "repo")).length).toBeGreaterThan(39);

    // Our reader: virtual refs at the file's URL, loaded values as inlined bytes.
    using back = await openIcechunk(repo);
    expect(entries(back.variable("grid")).map((e) => e && [e.path, e.offset, e.length])).toEqual([
      [`file://${file}`, 0, 48],
      [`file://${file}`, 48, 48],
      [`file://${file}`, 96, 48],
      null,
    ]);
    const bigBytes = entries(back.group("inner").variable("big"))[0]?.data as Uint8Array;
    expect(Array.from(new BigInt64Array(bigBytes.slice().buffer), Number)).toEqual(Array.from({ length: 100 }, (_, i) => i * i));

    // Python commits on top of ours; we read its commit back, then commit again.
    await pythonJson("icechunk_oracle.py", ["commit-on-top", repo, prefix()]);
    using afterPython = await openIcechunk(repo);
    expect(afterPython.attrs.python).toBe("was here");
    const added = entries(afterPython.variable("py_added"))[0]?.data as Uint8Array;
    expect(Array.from(new Int32Array(added.slice().buffer))).toEqual([0, 3, 6, 9, 12]);
    await writeIcechunk(new VirtualDataset({ variables: [["extra", loadedI8([1, 2], ["e"])]] }), repo, { message: "after python" });
    const final = await read(repo);
    expect(final.ancestry.map((a) => a.message)).toEqual(["after python", "python commit", "first commit", "Repository initialized"]);
    expect(final.arrays.extra?.values).toEqual([1, 2]);
    expect(final.arrays.py_added?.values).toEqual([0, 3, 6, 9, 12]);
    expect(final.arrays.grid?.values).toEqual(expected);
  });

  it.each(["2", "1"])("reads a spec-%s repository written by Python icechunk (native chunks, tags, compressed locations)", async (spec) => {
    const repo = join(dir, `py${spec}`);
    const made = await pythonJson<{ first: string; second: string; prefix: string }>("icechunk_oracle.py", [
      "make-repo",
      repo,
      join(dir, `pydata${spec}`),
      spec,
    ]);
    expect(existsSync(join(repo, spec === "1" ? "refs/branch.main/ref.json" : "repo"))).toBe(true);
    using ds = await openIcechunk(repo);
    expect(ds.attrs).toEqual({ made_by: "icechunk" });
    const virt = entries(ds.variable("virt"));
    expect(virt).toHaveLength(1200);
    virt.forEach((e, i) => {
      expect(e).toEqual({ path: `${made.prefix}values.bin`, offset: 16 * i, length: 16 });
    });
    const native = ds.group("sub").variable("native");
    expect(native.dims).toEqual(["y", "x"]);
    const chunks = entries(native);
    expect(chunks.map((e) => e !== null)).toEqual([true, true, true, true]);
    const raw = await pythonJson<{ hex: string }>("icechunk_oracle.py", ["raw-chunk", repo, made.prefix, "sub/native/c/1/1"]);
    expect(Buffer.from(chunks[3]?.data as Uint8Array).toString("hex")).toBe(raw.hex);
    const small = (d: VirtualDataset) => {
      const bytes = entries(d.variable("small"))[0]?.data ?? new Uint8Array(0);
      return Array.from(new Int16Array(bytes.slice().buffer));
    };
    expect(small(ds)).toEqual([7, 42, 9]);
    using tagged = await openIcechunk(repo, { tag: "v1" });
    expect(small(tagged)).toEqual([7, 8, 9]);
    expect((await listTags(repo)).map((t) => [t.name, t.snapshotId])).toEqual([["v1", made.first]]);
    const log = await listSnapshots(repo);
    expect(log.map((s) => [s.id, s.message])).toEqual([
      [made.second, "python second"],
      [made.first, "python first"],
      ["1CECHNKREP0F1RSTCMT0", "Repository initialized"],
    ]);
    expect(log[1]?.metadata).toEqual({ who: "python" });
  });

  it("reads what VirtualiZarr's to_icechunk wrote from a netCDF4 file", async () => {
    const repo = join(dir, "vz");
    const made = await pythonJson<{ refs: Record<string, Record<string, [string, number, number]>>; values: Record<string, number[]> }>(
      "icechunk_oracle.py",
      ["virtualizarr", repo, join(dir, "vzdata")],
    );
    using ds = await openIcechunk(repo);
    expect(ds.attrs.title).toBe("virtualizarr");
    for (const [name, refs] of Object.entries(made.refs)) {
      const v = ds.variable(name);
      const grid = (v.data as ManifestArray).manifest.shape;
      for (const [key, [path, offset, length]] of Object.entries(refs)) {
        const coords = key.split(".").map(Number);
        expect((v.data as ManifestArray).manifest.entry(coords), `${name} ${key}`).toEqual({ path, offset, length });
      }
      expect(Object.keys(refs)).toHaveLength(grid.reduce((a, b) => a * b, 1));
    }
    expect(ds.variable("air").metadata.codecs.map((c) => c.name)).toContain("numcodecs.zlib");
    const time = entries(ds.variable("time"))[0]?.data as Uint8Array;
    expect(Array.from(new Float64Array(time.slice().buffer))).toEqual(made.values.time);
  });

  it("appends three times along a dimension; every snapshot reads back", async () => {
    const repo = join(dir, "append");
    const ids = [await writeIcechunk(timeBlock(dir, "b0.bin", [0, 1], 0), repo, { message: "block 0" })];
    for (let k = 1; k <= 3; k++) {
      ids.push(await writeIcechunk(timeBlock(dir, `b${k}.bin`, [k + 1], 100 * k), repo, { appendDim: "time", message: `append ${k}` }));
    }
    const expectTemp = (steps: number) =>
      Array.from({ length: steps }, (_, t) => [0, 1, 2, 3].map((y) => (t < 2 ? t * 10 + y : 100 * (t - 1) + y))).flat();
    for (let k = 0; k <= 3; k++) {
      const got = await read(repo, "snapshot", ids[k] as string);
      expect(got.arrays.time?.values).toEqual(Array.from({ length: 2 + k }, (_, t) => t));
      expect(got.arrays.temp?.values).toEqual(expectTemp(2 + k));
      using ours = await openIcechunk(repo, { snapshot: ids[k] as string });
      expect(ours.variable("temp").shape).toEqual([2 + k, 4]);
      expect(entries(ours.variable("temp")).map((e) => e?.path.split("/").pop())).toEqual(
        ["b0.bin", "b0.bin", "b1.bin", "b2.bin", "b3.bin"].slice(0, 2 + k),
      );
    }
    const got = await read(repo);
    expect(got.ancestry.map((a) => a.message)).toEqual(["append 3", "append 2", "append 1", "block 0", "Repository initialized"]);
    // The loaded time coordinate was rewritten in its chunk size (2), so its grid stays regular.
    using last = await openIcechunk(repo);
    expect(last.variable("time").metadata.chunkGrid).toEqual({ kind: "regular", chunkShape: [2] });
    expect(last.variable("temp").metadata.chunkGrid).toEqual({ kind: "regular", chunkShape: [1, 4] });

    // Incompatible appends fail clearly and change nothing.
    const wrongDtype = timeBlock(dir, "bad.bin", [9], 0);
    const temp = wrongDtype.variable("temp").data as ManifestArray;
    const bad = new VirtualDataset({
      variables: [["temp", new VirtualVariable(["time", "y"], new ManifestArray({ ...temp.metadata, dtype: "<i4" }, temp.manifest))]],
    });
    await expect(writeIcechunk(bad, repo, { appendDim: "time" })).rejects.toThrow(IncompatibleArraysError);
    expect((await listSnapshots(repo))[0]?.message).toBe("append 3");
  });

  it("writes rectilinear chunk grids that icechunk accepts", async () => {
    const repo = join(dir, "rect");
    const file = writeFloat32(
      dir,
      "rect.bin",
      Array.from({ length: 9 }, (_, i) => i + 0.5),
    );
    // Chunks of 3, 2 and 4 elements, back to back in the file.
    const m = ChunkManifest.fromArrays({ shape: [3], paths: [file, file, file], offsets: [0, 12, 20], lengths: [12, 8, 16] });
    const rect = new ManifestArray(
      { shape: [9], chunkGrid: { kind: "rectilinear", chunkShapes: [[3, 2, 4]] }, dtype: "<f4", codecs: f4Codecs, fillValue: 0 },
      m,
    );
    await writeIcechunk(new VirtualDataset({ variables: [["r", new VirtualVariable(["i"], rect)]] }), repo);
    const raw = await pythonJson<{ hex: string }>("icechunk_oracle.py", ["raw-chunk", repo, prefix(), "r/c/2"]);
    expect(Buffer.from(raw.hex, "hex")).toEqual(readFileSync(file).subarray(20, 36));
    const zarrJson = await pythonJson<{ hex: string }>("icechunk_oracle.py", ["raw-chunk", repo, prefix(), "r/zarr.json"]);
    expect(JSON.parse(Buffer.from(zarrJson.hex, "hex").toString()).chunk_grid).toEqual({
      name: "rectilinear",
      configuration: { kind: "inline", chunk_shapes: [[3, 2, 4]] },
    });
    using back = await openIcechunk(repo);
    expect(back.variable("r").metadata.chunkGrid).toEqual({ kind: "rectilinear", chunkShapes: [[3, 2, 4]] });
    expect(entries(back.variable("r")).map((e) => e?.length)).toEqual([12, 8, 16]);
  });
});
