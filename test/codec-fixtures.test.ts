/**
 * Every chunk-codec fixture (test/fixtures/gen_codecs.py: chunks written by HDF5's own
 * filters, numcodecs and imagecodecs, with the bytes those libraries decoded) through the
 * backend under test — so the wasm build of the core's codec crates (zlib-rs, lz4_flex,
 * weezl) is checked as the native one is by `cargo test`. Corrupted copies of each chunk
 * must fail with a tagged error, never a trap or an untagged exception.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VzarrError } from "../ts/src/errors/vzarr-error.js";
import { core, rng } from "./helpers/backend.js";
import { fixtures } from "./helpers/paths.js";

interface Case {
  name: string;
  dtype: string;
  chunk_shape: number[];
  codecs: { name: string }[];
  raw: string;
  expected: string;
  valid_shape?: number[];
}

const GROUPS = ["shuffle", "fletcher32", "lzf", "lz4", "bitshuffle", "szip", "scaleoffset", "nbit", "deflate", "lzw"];

function load(group: string): Case[] {
  return (JSON.parse(readFileSync(join(fixtures, "codecs", `${group}.json`), "utf8")) as { cases: Case[] }).cases;
}

const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, "base64"));

function decodeChain(c: Case, raw: Uint8Array): Uint8Array {
  let data = raw;
  for (const codec of [...c.codecs].reverse()) {
    data = core.codecDecode(JSON.stringify(codec), data, c.dtype, Float64Array.from(c.chunk_shape));
  }
  return data;
}

/** The elements of a decoded chunk inside the dataset (the corner an edge chunk holds). */
function inside(c: Case, decoded: Uint8Array): Uint8Array {
  if (c.valid_shape === undefined) return decoded;
  const size = Number(/\d+$/.exec(c.dtype)?.[0]);
  const out: number[] = [];
  const shape = c.chunk_shape;
  for (let k = 0; k < decoded.length / size; k++) {
    let rest = k;
    const coords = shape.map(() => 0);
    for (let a = shape.length - 1; a >= 0; a--) {
      coords[a] = rest % (shape[a] as number);
      rest = Math.floor(rest / (shape[a] as number));
    }
    if (coords.every((x, a) => x < (c.valid_shape?.[a] as number))) out.push(...decoded.subarray(k * size, (k + 1) * size));
  }
  return Uint8Array.from(out);
}

describe(`chunk codecs against their reference libraries (${core.kind} backend)`, () => {
  for (const group of GROUPS) {
    it(`${group}: decodes every case to the reference's bytes`, () => {
      const cases = load(group);
      expect(cases.length).toBeGreaterThan(0);
      for (const c of cases) {
        if (c.codecs.some((k) => k.name === "vzarr.bitshuffle") && c.name.includes("zstd")) continue;
        const out = decodeChain(c, bytes(c.raw));
        expect(Buffer.from(inside(c, out)).equals(Buffer.from(bytes(c.expected))), c.name).toBe(true);
      }
    });
  }

  it("corrupt chunks fail with a tagged error (truncations and bit flips)", () => {
    const r = rng(27);
    let failures = 0;
    for (const group of ["deflate", "lzw", "lz4", "bitshuffle", "lzf"]) {
      for (const c of load(group)) {
        const raw = bytes(c.raw);
        const variants = [raw.subarray(0, Math.floor(raw.length / 2)), raw.subarray(0, Math.max(0, raw.length - 3))];
        for (let k = 0; k < 20; k++) {
          const flipped = raw.slice();
          const at = Math.floor(r() * flipped.length);
          flipped[at] = (flipped[at] as number) ^ (1 << Math.floor(r() * 8));
          variants.push(flipped);
        }
        for (const v of variants) {
          try {
            decodeChain(c, v);
          } catch (e) {
            failures++;
            expect(e, `${c.name}: ${(e as Error).message}`).toBeInstanceOf(VzarrError);
            expect((e as VzarrError).kind, c.name).not.toBe("Internal");
          }
        }
      }
    }
    expect(failures).toBeGreaterThan(50);
  });
});
