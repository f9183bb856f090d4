/**
 * Declared sizes are checked and codec failures are tagged: a reference declaring more
 * stored bytes than its codecs can produce for its chunk, or bytes past the end of its file,
 * is CorruptFile before anything is read; bytes a codec cannot decode (Node's zlib, numcodecs'
 * zstd/lz4, the core) are CorruptFile naming file, variable and chunk — never an untagged
 * Error, RangeError or TypeError.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { CorruptFileError } from "../ts/src/errors/vzarr-error.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";

const dir = mkdtempSync(join(tmpdir(), "vzarr-hostile-"));
const data = join(dir, "data.bin");
writeFileSync(
  data,
  new Uint8Array(4096).map((_, i) => (i * 37) & 0xff),
);
const url = pathToFileURL(data).href;

function refs(name: string, compressor: unknown, ref: unknown[], shape = [4]): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      version: 1,
      refs: {
        ".zgroup": JSON.stringify({ zarr_format: 2 }),
        "v/.zarray": JSON.stringify({
          zarr_format: 2,
          shape,
          chunks: shape,
          dtype: "<f4",
          compressor,
          filters: null,
          fill_value: null,
          order: "C",
        }),
        "v/0": ref,
      },
    }),
  );
  return path;
}

describe(`hostile references (${core.kind} backend)`, () => {
  it("a chunk declaring more bytes than its codecs can store is CorruptFile before any read", async () => {
    // Four float32 values (16 bytes) declared 1.9 GB long: the old reader read 1.9 GB.
    for (const compressor of [null, { id: "zlib", level: 1 }]) {
      const path = refs(`huge-${compressor === null ? "raw" : "zlib"}`, compressor, [url, 0, 1_900_000_000]);
      const e = await readArray(path, "v", undefined, { core }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(CorruptFileError);
      expect((e as CorruptFileError).message).toMatch(/chunk \[0\] declares 1900000000 stored bytes; .* at most/);
      expect((e as CorruptFileError).variable).toBe("v");
    }
  });

  it("a chunk past the end of its file is CorruptFile naming the file", async () => {
    const path = refs("past-end", null, [url, 4090, 16]);
    const e = await readArray(path, "v", undefined, { core }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CorruptFileError);
    expect((e as CorruptFileError).message).toMatch(/names bytes 4090–4106 of a file of 4096 bytes/);
    expect((e as CorruptFileError).file).toBe(url);
  });

  it("bytes a codec cannot decode are CorruptFile naming file, variable and chunk", async () => {
    const codecs: [string, unknown][] = [
      ["zlib", { id: "zlib", level: 1 }],
      ["gzip", { id: "gzip", level: 1 }],
      ["zstd", { id: "zstd", level: 1 }],
      ["lz4", { id: "lz4", acceleration: 1 }],
      ["blosc", { id: "blosc", cname: "lz4", clevel: 5, shuffle: 1, blocksize: 0 }],
    ];
    for (const [name, compressor] of codecs) {
      const path = refs(`garbage-${name}`, compressor, [url, 100, 64]);
      const e = await readArray(path, "v", undefined, { core }).catch((x: unknown) => x);
      expect(e, name).toBeInstanceOf(CorruptFileError);
      expect((e as CorruptFileError).variable, name).toBe("v");
      expect((e as CorruptFileError).file, name).toBe(url);
    }
  });
});
