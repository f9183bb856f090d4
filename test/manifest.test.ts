import { describe, expect, it } from "vitest";
import { MISSING_ID } from "../ts/src/backend/core.js";
import { IncompatibleArraysError, InvalidArgumentError, LimitExceededError, VzarrError } from "../ts/src/errors/vzarr-error.js";
import { ChunkManifest } from "../ts/src/manifest/chunk-manifest.js";
import "../ts/src/manifest/arrow.js";
import { core, rng } from "./helpers/backend.js";
import * as model from "./helpers/manifest-model.js";

function fromModel(m: model.Model): ChunkManifest {
  return ChunkManifest.fromArrays(
    {
      shape: m.shape,
      paths: m.entries.map((e) => e?.path ?? ""),
      offsets: m.entries.map((e) => e?.offset ?? 0),
      lengths: m.entries.map((e) => e?.length ?? 0),
    },
    core,
  );
}

function toModel(m: ChunkManifest): model.Model {
  return {
    shape: m.shape,
    entries: [...m.entries()].map((e) => (e === null ? null : { path: e.path, offset: e.offset, length: e.length })),
  };
}

function randomModel(r: () => number, shape: number[], files: number): model.Model {
  const n = shape.reduce((a, b) => a * b, 1);
  const entries: model.ModelEntry[] = [];
  for (let i = 0; i < n; i++) {
    entries.push(
      r() < 0.1
        ? null
        : { path: `s3://bucket/file-${Math.floor(r() * files)}.nc`, offset: Math.floor(r() * 1e12), length: 1 + Math.floor(r() * 1e6) },
    );
  }
  return { shape, entries };
}

describe(`ChunkManifest (${core.kind} backend)`, () => {
  it("builds from per-chunk paths and from a path table", () => {
    using a = ChunkManifest.fromArrays(
      { shape: [2, 2], paths: ["a.nc", "b.nc", "", "a.nc"], offsets: [0, 10, 0, 30], lengths: [5, 6, 0, 8] },
      core,
    );
    expect(a.shape).toEqual([2, 2]);
    expect(a.size).toBe(4);
    expect(a.entry(1)).toEqual({ path: "b.nc", offset: 10, length: 6 });
    expect(a.entry([1, 0])).toBeNull();
    expect(a.entry([1, 1])).toEqual({ path: "a.nc", offset: 30, length: 8 });
    expect(a.columns().table).toEqual(["a.nc", "b.nc"]);
    expect(a.stats()).toMatchObject({ chunks: 4, present: 3, referencedBytes: 19 });

    using b = ChunkManifest.fromArrays(
      {
        shape: [2, 2],
        paths: { table: ["b.nc", "a.nc"], ids: Uint32Array.from([1, 0, MISSING_ID, 1]) },
        offsets: new BigUint64Array([0n, 10n, 0n, 30n]),
        lengths: new BigUint64Array([5n, 6n, 0n, 8n]),
      },
      core,
    );
    expect(b.equals(a)).toBe(true);
  });

  it("keeps offsets beyond 2^32 exact", () => {
    using m = ChunkManifest.fromArrays({ shape: [1], paths: ["big.h5"], offsets: [2 ** 40 + 3], lengths: [7] }, core);
    expect(m.entry(0)).toEqual({ path: "big.h5", offset: 2 ** 40 + 3, length: 7 });
    expect(m.columns().offsets[0]).toBe(2n ** 40n + 3n);
  });

  it("matches a naive model for concat, stack, broadcast and slice", () => {
    const r = rng(42);
    for (let trial = 0; trial < 40; trial++) {
      const ndim = 1 + Math.floor(r() * 3);
      const shape = Array.from({ length: ndim }, () => 1 + Math.floor(r() * 4));
      const axis = Math.floor(r() * ndim);
      const parts = Array.from({ length: 1 + Math.floor(r() * 3) }, () => {
        const s = [...shape];
        s[axis] = 1 + Math.floor(r() * 3);
        return randomModel(r, s, 3);
      });
      const ms = parts.map(fromModel);
      using c = ChunkManifest.concat(ms, axis);
      expect(toModel(c)).toEqual(model.concat(parts, axis));

      const same = parts.map(() => randomModel(r, (parts[0] as model.Model).shape, 2));
      const sameMs = same.map(fromModel);
      const stackAxis = Math.floor(r() * (ndim + 1));
      using s = ChunkManifest.stack(sameMs, stackAxis);
      expect(toModel(s)).toEqual(model.stack(same, stackAxis));

      const ones = shape.map((d) => (r() < 0.5 ? 1 : d));
      const small = randomModel(r, ones, 2);
      const target = [2, ...shape];
      using sm = fromModel(small);
      using b = sm.broadcast(target);
      expect(toModel(b)).toEqual(model.broadcast(small, target));

      const ranges = shape.map((d) => {
        const a = Math.floor(r() * d);
        return [a, a + Math.floor(r() * (d - a + 1))] as [number, number];
      });
      using cm = fromModel(parts[0] as model.Model);
      const base = parts[0] as model.Model;
      const validRanges = ranges.map(
        ([a, b], i) => [Math.min(a, base.shape[i] as number), Math.min(b, base.shape[i] as number)] as [number, number],
      );
      using sl = cm.slice(validRanges);
      expect(toModel(sl)).toEqual(model.slice(base, validRanges));
      for (const m of [...ms, ...sameMs]) m.free();
    }
  });

  it("renames paths by function, Map or object, merging duplicates", () => {
    using m = ChunkManifest.fromArrays(
      { shape: [3], paths: ["/data/a.nc", "/data/b.nc", "/data/a.nc"], offsets: [1, 2, 3], lengths: [1, 1, 1] },
      core,
    );
    using f = m.renamePaths((p) => p.replace("/data/", "s3://bucket/"));
    expect([...f.entries()].map((e) => e?.path)).toEqual(["s3://bucket/a.nc", "s3://bucket/b.nc", "s3://bucket/a.nc"]);
    using g = m.renamePaths(new Map([["/data/b.nc", "/x.nc"]]));
    expect(g.entry(1)?.path).toBe("/x.nc");
    expect(g.entry(0)?.path).toBe("/data/a.nc");
    using h = m.renamePaths({ "/data/a.nc": "one.nc", "/data/b.nc": "one.nc" });
    expect(h.columns().table).toEqual(["one.nc"]);
  });

  it("holds inlined chunks through operations", () => {
    using m = ChunkManifest.fromArrays({ shape: [2], paths: ["a", "a"], offsets: [0, 4], lengths: [4, 4] }, core);
    m.setInlined(1, Uint8Array.from([1, 2, 3]));
    expect(m.entry(1)).toEqual({ path: "", offset: 0, length: 3, data: Uint8Array.from([1, 2, 3]) });
    using c = ChunkManifest.concat([m, m], 0);
    expect([...c.inlined().keys()]).toEqual([1, 3]);
  });

  it("round-trips through Apache Arrow", () => {
    const r = rng(7);
    const mdl = randomModel(r, [3, 5], 4);
    using m = fromModel(mdl);
    m.setInlined(2, Uint8Array.from([9, 9]));
    const table = m.toArrow();
    expect(table.numRows).toBe(15);
    expect(table.schema.fields.map((f) => f.name)).toEqual(["path", "offset", "length", "data"]);
    using back = ChunkManifest.fromArrow(table, undefined, core);
    expect(back.equals(m)).toBe(true);
    expect(back.shape).toEqual([3, 5]);
  });

  it("gives tagged errors for invalid arguments", () => {
    expect(() => ChunkManifest.fromArrays({ shape: [3], paths: ["a"], offsets: [0], lengths: [0] }, core)).toThrow(InvalidArgumentError);
    using a = ChunkManifest.fromArrays({ shape: [2, 1], paths: ["a", "a"], offsets: [0, 1], lengths: [1, 1] }, core);
    using b = ChunkManifest.fromArrays(
      { shape: [3, 2], paths: Array(6).fill("b"), offsets: Array(6).fill(0), lengths: Array(6).fill(1) },
      core,
    );
    expect(() => ChunkManifest.concat([a, b], 0)).toThrow(IncompatibleArraysError);
    expect(() => ChunkManifest.concat([a, b], 5)).toThrow(InvalidArgumentError);
    expect(() =>
      a.slice([
        [0, 3],
        [0, 1],
      ]),
    ).toThrow(InvalidArgumentError);
    expect(() => a.broadcast([3, 2])).toThrow(IncompatibleArraysError);
    expect(() => ChunkManifest.empty([2 ** 30, 2 ** 30], core)).toThrow(LimitExceededError);
    try {
      ChunkManifest.concat([a, b], 0);
    } catch (e) {
      expect(e).toBeInstanceOf(VzarrError);
      expect((e as VzarrError).kind).toBe("IncompatibleArrays");
      expect((e as Error).message).toContain("[2, 1]");
    }
  });

  it("frees deterministically and refuses use after free", () => {
    const before = core.manifestLiveCount();
    const m = ChunkManifest.fromArrays({ shape: [1], paths: ["a"], offsets: [0], lengths: [1] }, core);
    expect(core.manifestLiveCount()).toBe(before + 1);
    m.free();
    m.free();
    expect(core.manifestLiveCount()).toBe(before);
    expect(() => m.shape).toThrow(InvalidArgumentError);
    {
      using _scoped = ChunkManifest.fromArrays({ shape: [1], paths: ["a"], offsets: [0], lengths: [1] }, core);
      expect(core.manifestLiveCount()).toBe(before + 1);
    }
    expect(core.manifestLiveCount()).toBe(before);
    expect(() => core.manifestFree(999999)).toThrow(InvalidArgumentError);
  });

  it("stays within 24 bytes per chunk", () => {
    const n = 200_000;
    using m = ChunkManifest.fromArrays(
      {
        shape: [n],
        paths: { table: ["s3://bucket/one/file.nc"], ids: new Uint32Array(n) },
        offsets: new BigUint64Array(n),
        lengths: new BigUint64Array(n).fill(4096n),
      },
      core,
    );
    expect(m.nbytes / n).toBeLessThanOrEqual(24);
  });
});
