/** BlobSource: a File/Blob read by ranges (browsers' local files; Node 20 has Blob and File too). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { datasetInfo } from "../ts/src/dataset/describe.js";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { IoError } from "../ts/src/errors/vzarr-error.js";
import { BlobSource } from "../ts/src/io/blob.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { digest } from "./helpers/digest.js";
import { fixtures } from "./helpers/paths.js";

const path = join(fixtures, "netcdf3", "classic.nc");
const bytes = readFileSync(path);
const oracle = JSON.parse(readFileSync(join(fixtures, "netcdf3", "oracle.json"), "utf8")) as Record<
  string,
  { variables: Record<string, { sha256: string }> }
>;

describe(`BlobSource (${core.kind} backend)`, () => {
  it("reads exact ranges and refuses ranges outside the blob with IoError", async () => {
    const src = new BlobSource(new Blob([bytes]));
    expect(src.url).toBe("blob");
    expect(await src.stat()).toEqual({ size: bytes.length });
    expect(Array.from(await src.read(100, 17))).toEqual(Array.from(bytes.subarray(100, 117)));
    expect((await src.read(5, 0)).length).toBe(0);
    const parts = await src.readRanges([
      { offset: 0, length: 4 },
      { offset: bytes.length - 3, length: 3 },
    ]);
    expect(parts.map((p) => Array.from(p))).toEqual([Array.from(bytes.subarray(0, 4)), Array.from(bytes.subarray(-3))]);
    await expect(src.read(bytes.length - 2, 3)).rejects.toBeInstanceOf(IoError);
    await expect(src.read(-1, 2)).rejects.toBeInstanceOf(IoError);
    await expect(src.read(0.5, 2)).rejects.toBeInstanceOf(IoError);
  });

  it("reads a file whole, once, when a request would read most of it, and serves later requests from it", async () => {
    const data = Uint8Array.from({ length: 8 << 20 }, (_, i) => (i * 31) % 256);
    let slices = 0;
    class CountingBlob extends Blob {
      override slice(start?: number, end?: number, type?: string): Blob {
        slices++;
        return super.slice(start, end, type);
      }
    }
    const src = new BlobSource(new CountingBlob([data]));
    const want = (r: { offset: number; length: number }) => Array.from(data.subarray(r.offset, r.offset + r.length));
    // Scattered small ranges (3 MiB apart): coalesced reads, the file is not held.
    const scattered = [0, 3, 6].map((m) => ({ offset: m << 20, length: 100 }));
    expect((await src.readRanges(scattered)).map((b) => Array.from(b))).toEqual(scattered.map(want));
    expect(slices).toBe(3);
    // Ranges 512 KiB apart over the whole file: one read of all of it...
    const level = Array.from({ length: 16 }, (_, k) => ({ offset: k * (512 << 10) + 7, length: 2600 }));
    expect((await src.readRanges(level)).map((b) => Array.from(b))).toEqual(level.map(want));
    expect(slices).toBe(4);
    // ...which serves every later request.
    const later = [{ offset: 5_000_001, length: 70_000 }, ...scattered];
    expect((await src.readRanges(later)).map((b) => Array.from(b))).toEqual(later.map(want));
    expect(slices).toBe(4);
  });

  it("names a File's references by its name (or a given URL) and records its modification time", async () => {
    const file = new File([bytes], "classic.nc", { lastModified: 1_700_000_000_000 });
    expect(new BlobSource(file).url).toBe("classic.nc");
    expect(new BlobSource(file, { url: "https://example.org/classic.nc" }).url).toBe("https://example.org/classic.nc");
    expect(await new BlobSource(file).stat()).toEqual({ size: bytes.length, lastModified: 1_700_000_000_000 });
  });

  it("scans and reads a file held in a Blob exactly like the file on disk", async () => {
    const src = new BlobSource(new File([bytes], "classic.nc"));
    using fromBlob = await openVirtualDataset(src, { core });
    using fromDisk = await openVirtualDataset(path, { core });
    expect(datasetInfo(fromBlob)).toEqual(datasetInfo(fromDisk));
    expect(fromBlob.variable("temp").data).toBeDefined();
    const want = oracle["classic.nc"]?.variables ?? {};
    for (const name of ["temp", "fixed_i4", "nanfill"]) {
      const r = await readArray(fromBlob, name, undefined, { core, openSource: () => src });
      expect(digest(r), name).toBe(want[name]?.sha256);
    }
  });
});
