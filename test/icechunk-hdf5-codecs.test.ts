/**
 * Every codec vzarr writes into an Icechunk repository opens in zarr-python: HDF5's LZ4,
 * szip and LZF under imagecodecs' names (`pip install imagecodecs-zarr`), the filters no
 * package implements for Zarr (HDF5 bitshuffle framing, scale-offset, N-bit) decoded and
 * stored as values — and one that can be neither is refused by name, never written.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { core } from "./helpers/backend.js";
import { fixtures } from "./helpers/paths.js";
import { hasPython, pythonJson, vzarr } from "./helpers/python.js";

const env = { VZARR_BACKEND: core.kind };
const dir = join(fixtures, "hdf5");

describe.runIf(hasPython)(`Icechunk output codecs open in zarr-python (${core.kind} backend)`, () => {
  const tmp = mkdtempSync(join(tmpdir(), "vzarr-ice-codecs-"));
  type Report = Record<string, { codecs: string[]; equal: boolean }>;

  it("h5_filters.h5: LZ4, szip and LZF as imagecodecs codecs; bitshuffle stored as values", async () => {
    const input = join(dir, "h5_filters.h5");
    const repo = join(tmp, "filters.icechunk");
    const refused = await vzarr(["refs", input, "-o", repo, "--on-unsupported", "skip", "-q"], env);
    expect(refused.code).not.toBe(0);
    expect(existsSync(repo)).toBe(false);
    expect(refused.stderr).toMatch(/UnsupportedFeature: bitshuffle has no codec zarr-python can load.*--drop bitshuffle_zstd/);
    const r = await vzarr(
      ["refs", input, "-o", repo, "--on-unsupported", "skip", "--drop", "bitshuffle_zstd", "--container", `${dir}/`],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/bitshuffle: .*wrote its 1536 decoded bytes inline/);
    const got = await pythonJson<Report>("h5_vs_icechunk.py", [repo, `file://${dir}/`, input]);
    expect(got.lz4?.codecs).toEqual(["BytesCodec", "Lz4h5"]);
    expect(got.szip?.codecs).toEqual(["BytesCodec", "Szip"]);
    expect(got.lzf?.codecs).toEqual(["BytesCodec", "Lzf"]);
    expect(Object.keys(got).sort()).toEqual(
      [
        "bitshuffle",
        "bitshuffle_lz4",
        "blosc_lz4",
        "blosc_noshuffle",
        "blosc_zstd_bit",
        "lz4",
        "lzf",
        "lzf_incompressible",
        "mixed_lz4_fletcher",
        "mixed_lzf",
        "mixed_masks",
        "szip",
        "zstd",
      ].sort(),
    );
    for (const [name, a] of Object.entries(got)) expect(a.equal, name).toBe(true);
  });

  it("h5_packed.h5: scale-offset and N-bit stored as values equal h5py's", async () => {
    const input = join(dir, "h5_packed.h5");
    const repo = join(tmp, "packed.icechunk");
    const r = await vzarr(["refs", input, "-o", repo, "--container", `${dir}/`, "--on-unsupported", "skip", "-q"], env);
    expect(r.code, r.stderr).toBe(0);
    const got = await pythonJson<Report>("h5_vs_icechunk.py", [repo, `file://${dir}/`, input]);
    expect(Object.keys(got).length).toBeGreaterThan(10);
    for (const [name, a] of Object.entries(got)) expect(a.equal, name).toBe(true);
  });
});
