import { describe, expect, it } from "vitest";
import type { VzarrError } from "../ts/src/errors/vzarr-error.js";
import { ChunkManifest } from "../ts/src/manifest/chunk-manifest.js";
import { bothBackends, rng } from "./helpers/backend.js";

/** The same operations on the native and the wasm backend must give identical bytes. */
describe("native and wasm backends agree", () => {
  const [native, wasm] = bothBackends();

  it("on columns after a random sequence of operations", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const results = [native, wasm].map((core) => {
        const r = rng(seed);
        const n = 1 + Math.floor(r() * 50);
        const files = Array.from({ length: 4 }, (_, i) => `https://example.org/data/${seed}/${i}.nc`);
        const make = () =>
          ChunkManifest.fromArrays(
            {
              shape: [n, 2],
              paths: Array.from({ length: 2 * n }, () => (r() < 0.2 ? "" : (files[Math.floor(r() * 4)] as string))),
              offsets: Array.from({ length: 2 * n }, () => Math.floor(r() * 2 ** 45)),
              lengths: Array.from({ length: 2 * n }, () => Math.floor(r() * 2 ** 20)),
            },
            core,
          );
        const a = make();
        const b = make();
        const c = ChunkManifest.concat([a, b, a], 0);
        const s = ChunkManifest.stack([c, c], 1);
        const sl = s.slice([
          [1, 2 * n],
          [0, 2],
          [1, 2],
        ]);
        const br = sl.broadcast([3, 2 * n - 1, 2, 1]);
        const out = br.renamePaths((p) => p.toUpperCase());
        const result = { cols: out.columns(), shape: out.shape, stats: out.stats() };
        for (const m of [a, b, c, s, sl, br, out]) m.free();
        return result;
      });
      expect(results[0]).toEqual(results[1]);
    }
  });

  it("on errors", () => {
    const errors = [native, wasm].map((core) => {
      const a = ChunkManifest.fromArrays({ shape: [2], paths: ["x", "y"], offsets: [0, 1], lengths: [1, 1] }, core);
      try {
        a.slice([[1, 5]]);
        return undefined;
      } catch (e) {
        return { kind: (e as VzarrError).kind, message: (e as Error).message };
      } finally {
        a.free();
      }
    });
    expect(errors[0]).toBeDefined();
    expect(errors[0]).toEqual(errors[1]);
  });

  it("report their kind and version", () => {
    expect(native?.kind).toBe("native");
    expect(wasm?.kind).toBe("wasm");
    expect(native?.version()).toBe(wasm?.version());
  });
});
