/**
 * Reading kerchunk Parquet written by kerchunk (`refs_to_dataframe`), by VirtualiZarr and
 * by us: manifests equal h5py's chunk locations; the lazy lookup reads only the record files
 * a lookup touches; corrupt files fail with tagged errors.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { VirtualDataset } from "../ts/src/dataset/virtual-dataset.js";
import { VirtualVariable } from "../ts/src/dataset/virtual-variable.js";
import { CorruptFileError, NotFoundError, VzarrError } from "../ts/src/errors/vzarr-error.js";
import { LocalDirectory } from "../ts/src/formats/kerchunk/local-directory.js";
import { openKerchunkParquetDirectory } from "../ts/src/formats/kerchunk/open-references.js";
import { KerchunkParquetChunkLookup } from "../ts/src/formats/kerchunk/parquet-chunk-lookup.js";
import { openKerchunkParquet } from "../ts/src/formats/kerchunk/read-parquet.js";
import { MemoryDirectory, type ReferenceDirectory } from "../ts/src/formats/kerchunk/reference-directory.js";
import { writeKerchunkParquet } from "../ts/src/formats/kerchunk/write-parquet.js";
import { ChunkManifest } from "../ts/src/manifest/chunk-manifest.js";
import { ManifestArray } from "../ts/src/manifest/manifest-array.js";
import { regularGrid } from "../ts/src/metadata/array-metadata.js";
import { core } from "./helpers/backend.js";
import { datasetFromFixture, type H5Fixture, interopScript, makeH5Fixture } from "./helpers/h5-fixture.js";
import { runPython } from "./helpers/python.js";

let fx: H5Fixture;

beforeAll(async () => {
  fx = await makeH5Fixture();
  await runPython(interopScript, ["kerchunk-json", fx.file, join(fx.dir, "kc.json"), "0"]);
  await runPython(interopScript, ["refs-to-parquet", join(fx.dir, "kc.json"), join(fx.dir, "kc.parq"), "5"]);
  await runPython(interopScript, ["vz", fx.file, join(fx.dir, "vz.parq"), "parquet", "7"]);
});

function variable(ds: VirtualDataset, path: string) {
  const slash = path.lastIndexOf("/");
  return ds.group(slash < 0 ? "" : path.slice(0, slash)).variable(path.slice(slash + 1));
}

/** The same chunks as h5py reports, variable by variable. */
function expectChunksOfFixture(ds: VirtualDataset, only?: string[]): void {
  for (const [path, v] of Object.entries(fx.variables)) {
    if (only !== undefined && !only.includes(path)) continue;
    const array = variable(ds, path).data as ManifestArray;
    expect(array.manifest.stats().present, path).toBe(v.refs.length);
    for (const r of v.refs) {
      const coords = r.slice(0, v.shape.length);
      expect(array.manifest.entry(coords), `${path} ${coords}`).toEqual({
        path: fx.url,
        offset: r[v.shape.length],
        length: r[v.shape.length + 1],
      });
    }
  }
}

/** Counts record-file reads. */
class CountingDirectory implements ReferenceDirectory {
  reads: string[] = [];
  constructor(private readonly inner: ReferenceDirectory) {}
  get url() {
    return this.inner.url;
  }
  read(path: string) {
    this.reads.push(path);
    return this.inner.read(path);
  }
}

describe(`reading kerchunk Parquet (${core.kind} backend)`, () => {
  it("reads kerchunk.df.refs_to_dataframe output (fastparquet, zstd): chunks equal h5py's", async () => {
    using ds = await openKerchunkParquetDirectory(join(fx.dir, "kc.parq"), { core });
    expect(ds.format).toBe("kerchunk-parquet");
    expectChunksOfFixture(ds);
    expect(ds.variable("air").dims).toEqual(["time", "lat", "lon"]);
    expect(ds.group("forecast").attrs).toEqual({ model: "toy" });
  });

  it("reads VirtualiZarr's to_kerchunk(format='parquet') output", async () => {
    using ds = await openKerchunkParquetDirectory(join(fx.dir, "vz.parq"), { core });
    expectChunksOfFixture(ds, ["air", "count", "lat", "lon", "time"]);
  });

  it("round-trips our own Parquet: manifests, inline chunks and loaded values equal the written ones", async () => {
    using ds = datasetFromFixture(fx, core);
    const air = ds.variable("air").data as ManifestArray;
    air.manifest.setInlined([2, 1, 1], new Uint8Array([1, 2, 3]));
    for (const recordSize of [3, 10_000]) {
      const root = join(fx.dir, `ours-${recordSize}.parq`);
      await writeKerchunkParquet(ds, new LocalDirectory(root), { recordSize });
      using back = await openKerchunkParquetDirectory(root, { core });
      for (const [path, v] of ds.walkVariables()) {
        const theirs = variable(back, path).data as ManifestArray;
        expect(theirs.manifest.equals((v.data as ManifestArray).manifest), `${path} @ ${recordSize}`).toBe(true);
        expect(theirs.metadata).toEqual(v.metadata);
      }
      expect((variable(back, "air").data as ManifestArray).manifest.entry([2, 1, 1])?.data).toEqual(new Uint8Array([1, 2, 3]));
    }
  });

  it("builds manifests only for the variables asked for", async () => {
    const dir = new CountingDirectory(new LocalDirectory(join(fx.dir, "kc.parq")));
    using ds = await openKerchunkParquet(dir, { core, variables: ["air"] });
    expect([...ds.variables.keys()]).toEqual(["air"]);
    expect(dir.reads.filter((r) => r.endsWith(".parq")).every((r) => r.startsWith("air/"))).toBe(true);
  });
});

describe(`lazy Parquet chunk lookup (${core.kind} backend)`, () => {
  /** 1-D array of 1000 chunks (record size 100: 10 files), chunk i at offset 10 i. */
  async function bigSet(): Promise<MemoryDirectory> {
    const n = 1000;
    const manifest = ChunkManifest.fromArrays(
      {
        shape: [n],
        paths: Array.from({ length: n }, (_, i) => (i % 97 === 0 ? "" : `s3://bucket/f${i % 3}.nc`)),
        offsets: Array.from({ length: n }, (_, i) => 10 * i + 1),
        lengths: Array(n).fill(10),
      },
      core,
    );
    const array = new ManifestArray(
      {
        shape: [n * 4],
        chunkGrid: regularGrid([4]),
        dtype: "<i2",
        codecs: [{ name: "bytes", configuration: { endian: "little" } }],
        fillValue: 0,
      },
      manifest,
    );
    using ds = new VirtualDataset({ variables: [["v", new VirtualVariable(["x"], array)]] });
    const dir = new MemoryDirectory("memory://refs/");
    await writeKerchunkParquet(ds, dir, { recordSize: 100 });
    return dir;
  }

  it("reads only the record files a lookup touches, and caches them", async () => {
    const dir = new CountingDirectory(await bigSet());
    const lookup = await KerchunkParquetChunkLookup.open(dir, { cacheSize: 2 });
    expect(dir.reads).toEqual([".zmetadata"]);
    const refs = await lookup.lookup("v", [[250], [730], [251], [0]]);
    expect(refs).toEqual([
      { path: "s3://bucket/f1.nc", offset: 2501, length: 10 },
      { path: "s3://bucket/f1.nc", offset: 7301, length: 10 },
      { path: "s3://bucket/f2.nc", offset: 2511, length: 10 },
      null, // chunk 0 was written as missing
    ]);
    expect(dir.reads.slice(1).sort()).toEqual(["v/refs.0.parq", "v/refs.2.parq", "v/refs.7.parq"]);
    // refs.7 and refs.0 are cached (size 2); refs.2 was evicted
    await lookup.lookup("v", [[799], [5]]);
    expect(dir.reads.length).toBe(4);
    await lookup.lookup("v", [[299]]);
    expect(dir.reads.length).toBe(5);
    expect(lookup.recordsRead).toBe(4);
  });

  it("treats absent record files as missing chunks and rejects coordinates outside the grid", async () => {
    const dir = await bigSet();
    dir.files.delete("v/refs.4.parq");
    const lookup = await KerchunkParquetChunkLookup.open(dir);
    expect(await lookup.lookup("v", [[450], [550]])).toEqual([null, { path: "s3://bucket/f1.nc", offset: 5501, length: 10 }]);
    await expect(lookup.lookup("v", [[1000]])).rejects.toThrow(/outside the chunk grid/);
    await expect(lookup.lookup("v", [[1, 2]])).rejects.toThrow(/outside the chunk grid/);
    await expect(lookup.lookup("w", [[0]])).rejects.toThrow(NotFoundError);
  });

  it("fails with tagged errors on corrupt or truncated files", async () => {
    const dir = await bigSet();
    const good = dir.files.get("v/refs.3.parq") as Uint8Array;
    for (const cut of [0, 4, 10, good.length >> 1, good.length - 9, good.length - 1]) {
      dir.files.set("v/refs.3.parq", good.slice(0, cut));
      const lookup = await KerchunkParquetChunkLookup.open(dir);
      const failure = await lookup.lookup("v", [[300]]).catch((e: unknown) => e);
      expect(failure, `cut ${cut}`).toBeInstanceOf(CorruptFileError);
      expect((failure as VzarrError).file).toBe("memory://refs/v/refs.3.parq");
    }
    const flipped = good.slice();
    for (let i = 8; i < flipped.length - 8; i += 3) flipped[i] = (flipped[i] as number) ^ 0xff;
    dir.files.set("v/refs.3.parq", flipped);
    await expect(openKerchunkParquet(dir, { core })).rejects.toThrow(VzarrError);

    // record files longer than record_size, and grids too large to hold
    const longer = await bigSet();
    const zmeta = JSON.parse(new TextDecoder().decode(longer.files.get(".zmetadata"))) as { record_size: number };
    longer.files.set(".zmetadata", new TextEncoder().encode(JSON.stringify({ ...zmeta, record_size: 50 })));
    await expect((await KerchunkParquetChunkLookup.open(longer)).lookup("v", [[0]])).rejects.toThrow(/100 rows, the record size is 50/);
    const huge = new MemoryDirectory("memory://h/");
    huge.files.set(
      ".zmetadata",
      new TextEncoder().encode('{"metadata": {"a/.zarray": {"shape": [1e12], "chunks": [1]}}, "record_size": 10}'),
    );
    await expect(KerchunkParquetChunkLookup.open(huge)).rejects.toThrow(expect.objectContaining({ kind: "LimitExceeded", variable: "a" }));

    const meta = new MemoryDirectory("memory://m/");
    await expect(KerchunkParquetChunkLookup.open(meta)).rejects.toThrow(NotFoundError);
    for (const text of [
      "{",
      '{"metadata": {}}',
      '{"metadata": {}, "record_size": 0}',
      '{"record_size": 10}',
      '{"metadata": {"a/.zarray": {"shape": [2]}}, "record_size": 10}',
    ]) {
      meta.files.set(".zmetadata", new TextEncoder().encode(text));
      await expect(KerchunkParquetChunkLookup.open(meta), text).rejects.toThrow(CorruptFileError);
    }
  });
});

describe(`kerchunk Parquet whole-file references (${core.kind} backend)`, () => {
  it("sizes [url] rows (offset = size = 0) from the file, in both readers", async () => {
    const refs = {
      version: 1,
      refs: {
        ".zgroup": '{"zarr_format":2}',
        "w/.zarray": JSON.stringify({ shape: [2], chunks: [1], dtype: "|u1", compressor: null, filters: null, fill_value: 0, order: "C" }),
        "w/0": [fx.file],
        "w/1": [fx.file, 5, 6],
      },
    };
    const json = join(fx.dir, "whole.json");
    writeFileSync(json, JSON.stringify(refs));
    const root = join(fx.dir, "whole.parq");
    await runPython(interopScript, ["refs-to-parquet", json, root, "10"]);
    const size = readFileSync(fx.file).length;
    using ds = await openKerchunkParquetDirectory(root, { core });
    const m = (ds.variable("w").data as ManifestArray).manifest;
    expect(m.entry([0])).toEqual({ path: fx.url, offset: 0, length: size });
    expect(m.entry([1])).toEqual({ path: fx.url, offset: 5, length: 6 });
    const lookup = await KerchunkParquetChunkLookup.open(new LocalDirectory(root), { statSize: async () => size });
    expect(await lookup.lookup("w", [[0]])).toEqual([{ path: fx.url, offset: 0, length: size }]);
    const blind = await KerchunkParquetChunkLookup.open(new LocalDirectory(root));
    await expect(blind.lookup("w", [[0]])).rejects.toThrow(/statSize/);
  });
});

describe("kerchunk Parquet written by fsspec with missing record files", () => {
  it("reads the chunks that exist", async () => {
    const root = join(fx.dir, "kc-holes.parq");
    await runPython(interopScript, ["refs-to-parquet", join(fx.dir, "kc.json"), root, "5"]);
    rmSync(join(root, "air", "refs.1.parq"));
    writeFileSync(join(root, "lat", "refs.0.parq"), readFileSync(join(root, "lat", "refs.0.parq")).subarray(0, 20));
    await expect(openKerchunkParquetDirectory(root, { core })).rejects.toThrow(CorruptFileError);
    using ds = await openKerchunkParquetDirectory(root, { core, dropVariables: ["lat"] });
    expect((ds.variable("air").data as ManifestArray).manifest.stats().present).toBe(12 - 5);
  });
});
