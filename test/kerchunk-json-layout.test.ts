/**
 * Key layouts and bad input: `/` dimension separators, chunk keys before their `.zarray`,
 * 0-d arrays, relative and null URLs, phony dimensions; truncated or corrupt JSON and
 * metadata we cannot represent fail with tagged errors that name the variable.
 */
import { describe, expect, it } from "vitest";
import {
  CorruptFileError,
  InvalidArgumentError,
  LimitExceededError,
  UnsupportedFeatureError,
  VzarrError,
} from "../ts/src/errors/vzarr-error.js";
import { readKerchunkJson } from "../ts/src/formats/kerchunk/read-json.js";
import type { ManifestArray } from "../ts/src/manifest/manifest-array.js";
import { core } from "./helpers/backend.js";

const enc = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
const zarray = (shape: number[], chunks: number[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ zarr_format: 2, shape, chunks, dtype: "<f8", compressor: null, filters: null, fill_value: "NaN", order: "C", ...extra });

async function read(refs: unknown, options: Parameters<typeof readKerchunkJson>[1] = {}) {
  return readKerchunkJson(enc(refs), { core, baseUrl: "/data/", ...options });
}

function manifest(ds: Awaited<ReturnType<typeof read>>, path: string) {
  const slash = path.lastIndexOf("/");
  return (ds.group(slash < 0 ? "" : path.slice(0, slash)).variable(path.slice(slash + 1)).data as ManifestArray).manifest;
}

describe(`kerchunk JSON layouts (${core.kind} backend)`, () => {
  it("places '/'-separated keys that arrive before their .zarray, in nested groups", async () => {
    const refs = {
      version: 1,
      refs: {
        "g/h/v/1/0/1": ["a.bin", 30, 3],
        "g/h/v/0/1/0": ["b.bin", 20, 2],
        "g/h/v/0/0/0": ["a.bin", 10, 1],
        "g/h/v/.zarray": zarray([4, 2, 2], [2, 1, 1], { dimension_separator: "/" }),
        "g/h/v/.zattrs": '{"_ARRAY_DIMENSIONS":["t","y","x"]}',
        ".zgroup": '{"zarr_format":2}',
        "g/h/s/0": ["c.bin", 7, 8],
        "g/h/s/.zarray": JSON.stringify({ shape: [], chunks: [], dtype: "<i8", compressor: null, fill_value: null }),
      },
    };
    using ds = await read(refs);
    const v = manifest(ds, "g/h/v");
    expect(v.shape).toEqual([2, 2, 2]);
    expect(v.entry([1, 0, 1])).toEqual({ path: "file:///data/a.bin", offset: 30, length: 3 });
    expect(v.entry([0, 1, 0])).toEqual({ path: "file:///data/b.bin", offset: 20, length: 2 });
    expect(v.entry([0, 0, 0])).toEqual({ path: "file:///data/a.bin", offset: 10, length: 1 });
    expect(v.stats().present).toBe(3);
    expect(manifest(ds, "g/h/s").entry([])).toEqual({ path: "file:///data/c.bin", offset: 7, length: 8 });
    expect(ds.group("g/h").variable("v").dims).toEqual(["t", "y", "x"]);
  });

  it("names unnamed dimensions phony_dim_N by length, resolves null and relative URLs", async () => {
    const refs = {
      ".zgroup": '{"zarr_format":2}',
      "a/.zarray": zarray([3, 5], [3, 5]),
      "b/.zarray": zarray([5], [5]),
      "a/0.0": [null, 0, 120],
      "b/0": ["../other/b.bin", 4, 40],
    };
    using ds = await read(refs, { target: "s3://bucket/target.nc" });
    expect(ds.variable("a").dims).toEqual(["phony_dim_0", "phony_dim_1"]);
    expect(ds.variable("b").dims).toEqual(["phony_dim_1"]);
    expect(manifest(ds, "a").entry([0, 0])).toEqual({ path: "s3://bucket/target.nc", offset: 0, length: 120 });
    expect(manifest(ds, "b").entry([0])).toEqual({ path: "file:///other/b.bin", offset: 4, length: 40 });
    await expect(read(refs)).rejects.toThrow(InvalidArgumentError);
    await expect(read(refs, { baseUrl: undefined, target: "x" })).rejects.toThrow(/relative URL/);
  });

  it("takes metadata from a consolidated .zmetadata when keys are not listed one by one", async () => {
    const refs = {
      "a/1": ["s3://b/x", 5, 6],
      ".zmetadata": { zarr_consolidated_format: 1, metadata: { ".zgroup": { zarr_format: 2 }, "a/.zarray": JSON.parse(zarray([4], [2])) } },
    };
    using ds = await read(refs);
    expect(manifest(ds, "a").entry([1])).toEqual({ path: "s3://b/x", offset: 5, length: 6 });
  });

  it("ignores keys that are not chunks of an array, as fsspec does", async () => {
    using ds = await read({
      ".zgroup": '{"zarr_format":2}',
      "a/.zarray": zarray([2], [1]),
      "a/0": ["x", 1, 2],
      README: "hi",
      "a/x.y": "z",
    });
    expect(manifest(ds, "a").stats().present).toBe(1);
  });
});

describe(`bad kerchunk JSON (${core.kind} backend)`, () => {
  const good = JSON.stringify({
    version: 1,
    refs: {
      ".zgroup": '{"zarr_format":2}',
      "a/.zarray": zarray([4, 4], [2, 2]),
      "a/.zattrs": '{"_ARRAY_DIMENSIONS":["y","x"],"note":NaN}',
      "a/0.0": ["s3://b/x", 0, 100],
      "a/0.1": "base64:AAECAw==",
      "a/1.1": ["s3://b/x", 100, 100],
    },
  });

  it("reads the intact text (Python's NaN in attributes included)", async () => {
    using ds = await read(good);
    expect(Number.isNaN(ds.variable("a").attrs.note)).toBe(true);
  });

  it("fails with a tagged error at every truncation point", async () => {
    for (let cut = 0; cut < good.length; cut += 7) {
      const text = good.slice(0, cut);
      const failure = await read(text).then(
        (ds) => {
          ds.free();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(failure, `cut at ${cut}`).toBeInstanceOf(VzarrError);
    }
  });

  it("fails with a tagged error when bytes are flipped", async () => {
    const bytes = enc(good);
    let tagged = 0;
    for (let at = 0; at < bytes.length; at += 5) {
      const copy = bytes.slice();
      copy[at] = 0x7b; // a stray '{'
      const failure = await read(new TextDecoder().decode(copy)).then(
        (ds) => {
          ds.free();
          return undefined;
        },
        (e: unknown) => e,
      );
      if (failure !== undefined) {
        expect(failure, `byte ${at}`).toBeInstanceOf(VzarrError);
        tagged++;
      }
    }
    expect(tagged).toBeGreaterThan(10);
  });

  it("names the variable when its metadata cannot be represented", async () => {
    const bad = (zarr: string) => ({ ".zgroup": '{"zarr_format":2}', "grp/v/.zarray": zarr });
    await expect(read(bad(zarray([2], [1], { order: "F", shape: [2, 2], chunks: [1, 1] })))).rejects.toThrow(
      expect.objectContaining({ kind: "UnsupportedFeature", variable: "grp/v" }),
    );
    await expect(read(bad(zarray([2], [1], { dtype: [["a", "<f4"]] })))).rejects.toThrow(
      expect.objectContaining({ kind: "UnsupportedFeature", variable: "grp/v" }),
    );
    await expect(read(bad(zarray([2], [1], { dtype: "<q9" })))).rejects.toThrow(
      expect.objectContaining({ kind: "UnsupportedFeature", variable: "grp/v" }),
    );
    await expect(read(bad(JSON.stringify({ chunks: [1], dtype: "<f4" })))).rejects.toThrow(
      expect.objectContaining({ kind: "CorruptFile", variable: "grp/v" }),
    );
    await expect(read(bad(zarray([2], [1], { compressor: "zlib" })))).rejects.toThrow(
      expect.objectContaining({ kind: "CorruptFile", variable: "grp/v" }),
    );
    await expect(read(bad("{not json"))).rejects.toThrow(CorruptFileError);
  });

  it("rejects bad references with the reason", async () => {
    const base = { ".zgroup": '{"zarr_format":2}', "a/.zarray": zarray([4], [2]) };
    await expect(read({ ...base, "a/5": ["s3://b/x", 0, 1] })).rejects.toThrow(
      expect.objectContaining({ kind: "CorruptFile", variable: "a" }),
    );
    await expect(read({ ...base, "a/0": ["s3://b/x", 1] })).rejects.toThrow(CorruptFileError);
    await expect(read({ ...base, "a/0": ["s3://b/x", -1, 2] })).rejects.toThrow(/non-negative/);
    await expect(read({ ...base, "a/0": ["s3://b/x", 0, 2 ** 60] })).rejects.toThrow(/2\^53/);
    await expect(read({ ...base, "a/0": "base64:@@@" })).rejects.toThrow(CorruptFileError);
    await expect(read({ ...base, "a/0": 12 })).rejects.toThrow(CorruptFileError);
    await expect(read({ ...base, "a/0": ["s3://b/x"] })).rejects.toThrow(/statSize/);
    await expect(read({ version: 2, refs: base })).rejects.toThrow(UnsupportedFeatureError);
    await expect(read({ version: 1, refs: [] })).rejects.toThrow(CorruptFileError);
    await expect(read({ "a/zarr.json": "{}" })).rejects.toThrow(UnsupportedFeatureError);
    await expect(read({ ...base, "a/0": ["s3://b/x", 0, 1], "a/1": ["s3://b/x", 1, 1] }, { maxReferences: 1 })).rejects.toThrow(
      LimitExceededError,
    );
    await expect(read([1, 2])).rejects.toThrow(CorruptFileError);
    await expect(read(`${JSON.stringify(base)} trailing`)).rejects.toThrow(CorruptFileError);
  });

  it("refuses sizes that would exhaust memory before allocating anything", async () => {
    const huge = { ".zgroup": '{"zarr_format":2}', "a/.zarray": zarray([1e12, 1e6], [1, 1]), "a/0.0": ["s3://b/x", 0, 1] };
    await expect(read(huge)).rejects.toThrow(expect.objectContaining({ kind: "LimitExceeded", variable: "a" }));
    const gen = {
      version: 1,
      gen: [{ key: "a/{{i}}", url: "s3://b/x", offset: "0", length: "1", dimensions: { i: { stop: 1e15 } } }],
      refs: { ".zgroup": '{"zarr_format":2}', "a/.zarray": zarray([10], [1]) },
    };
    await expect(read(gen)).rejects.toThrow(LimitExceededError);
  });
});
