/**
 * Outputs never destroy data: `refs` refuses to write over an input (even with
 * --overwrite) or over anything already there (unless --overwrite); an Icechunk repository
 * takes a commit only when appending or told to overwrite; and a run that fails part-way
 * leaves the previous output intact, with no temporary files left behind.
 */
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VirtualDataset } from "../ts/src/dataset/virtual-dataset.js";
import { VirtualVariable } from "../ts/src/dataset/virtual-variable.js";
import { ConflictError, InvalidArgumentError } from "../ts/src/errors/vzarr-error.js";
import { listSnapshots } from "../ts/src/formats/icechunk/index.js";
import { writeKerchunk } from "../ts/src/formats/kerchunk/to-kerchunk.js";
import { ChunkManifest } from "../ts/src/manifest/chunk-manifest.js";
import { ManifestArray } from "../ts/src/manifest/manifest-array.js";
import { core } from "./helpers/backend.js";
import { fixtures } from "./helpers/paths.js";
import { vzarr } from "./helpers/python.js";

const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const env = { VZARR_BACKEND: core.kind };

function workdir(): { dir: string; input: string } {
  const dir = mkdtempSync(join(tmpdir(), "vzarr-outsafe-"));
  const input = join(dir, "in.nc");
  copyFileSync(join(fixtures, "netcdf3", "classic.nc"), input);
  return { dir, input };
}

describe(`outputs never destroy data (${core.kind} backend)`, () => {
  it("never writes over an input, even with --overwrite", async () => {
    const { dir, input } = workdir();
    const before = sha(input);
    for (const format of ["kerchunk-json", "kerchunk-parquet", "icechunk"]) {
      for (const extra of [[], ["--overwrite"]]) {
        const r = await vzarr(["refs", input, "-o", input, "--format", format, "-q", ...extra], env);
        expect(r.code, `${format} ${extra}`).toBe(2);
        expect(r.stderr).toMatch(/InvalidArgument: refusing to write .*in\.nc: it is the input/);
      }
    }
    // A directory holding an input is not replaced either.
    const r = await vzarr(["refs", input, "-o", dir, "--format", "kerchunk-parquet", "-q", "--overwrite"], env);
    expect(r.stderr).toMatch(/it contains the input/);
    expect(sha(input)).toBe(before);
  });

  it("refuses an existing output unless --overwrite, and then replaces it whole", async () => {
    const { dir, input } = workdir();
    const json = join(dir, "out.json");
    writeFileSync(json, "precious");
    let r = await vzarr(["refs", input, "-o", json, "-q"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Conflict: .*out\.json already exists; pass --overwrite/);
    expect(readFileSync(json, "utf8")).toBe("precious");
    r = await vzarr(["refs", input, "-o", json, "-q", "--overwrite"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(json, "utf8")).version).toBe(1);

    const parq = join(dir, "refs.parq");
    mkdirSync(parq);
    writeFileSync(join(parq, "mine.txt"), "keep me");
    r = await vzarr(["refs", input, "-o", parq, "--format", "kerchunk-parquet", "-q"], env);
    expect(r.stderr).toMatch(/Conflict: .*refs\.parq already exists/);
    expect(readdirSync(parq)).toEqual(["mine.txt"]);
    r = await vzarr(["refs", input, "-o", parq, "--format", "kerchunk-parquet", "-q", "--overwrite"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(parq)).not.toContain("mine.txt");
    expect(readdirSync(parq)).toContain(".zmetadata");
    // Nothing temporary is left beside the outputs.
    expect(readdirSync(dir).filter((f) => f.startsWith("."))).toEqual([]);
  });

  it("an Icechunk repository takes a commit only when appending or told to overwrite; other folders are not written into", async () => {
    const { dir, input } = workdir();
    const repo = join(dir, "repo");
    let r = await vzarr(["refs", input, "-o", repo, "--format", "icechunk", "-q"], env);
    expect(r.code, r.stderr).toBe(0);
    r = await vzarr(["refs", input, "-o", repo, "--format", "icechunk", "-q"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Conflict: .*is an Icechunk repository: --append-dim D appends to it, --overwrite commits a replacement/);
    expect(await listSnapshots(repo)).toHaveLength(2);
    r = await vzarr(["refs", input, "-o", repo, "--format", "icechunk", "-q", "--overwrite", "--message", "again"], env);
    expect(r.code, r.stderr).toBe(0);
    expect((await listSnapshots(repo)).map((s) => s.message)).toEqual(["again", expect.any(String), "Repository initialized"]);
    const other = join(dir, "notes");
    mkdirSync(other);
    writeFileSync(join(other, "notes.txt"), "mine");
    r = await vzarr(["refs", input, "-o", other, "--format", "icechunk", "-q"], env);
    expect(r.stderr).toMatch(/Conflict: .*notes already exists/);
    expect(readdirSync(other)).toEqual(["notes.txt"]);
  });

  it("a write that fails part-way leaves the previous output as it was (library)", async () => {
    const { dir } = workdir();
    const out = join(dir, "refs.json");
    writeFileSync(out, "the previous references");
    // A rectilinear chunk grid: kerchunk cannot express it, and `raise` fails the write.
    const manifest = ChunkManifest.fromArrays(
      { shape: [2], paths: ["file:///x.bin", "file:///x.bin"], offsets: [0, 8], lengths: [8, 12] },
      core,
    );
    const metadata = {
      shape: [5],
      chunkGrid: { kind: "rectilinear" as const, chunkShapes: [[2, 3]] },
      dtype: "<f4",
      codecs: [{ name: "bytes", configuration: { endian: "little" } }],
      fillValue: null,
    };
    const ds = new VirtualDataset({ variables: [["v", new VirtualVariable(["t"], new ManifestArray(metadata, manifest), {})]] });
    await expect(writeKerchunk(ds, out, { overwrite: true, onUnsupported: "raise" })).rejects.toThrow();
    await expect(writeKerchunk(ds, out, { onUnsupported: "skip" })).rejects.toBeInstanceOf(ConflictError);
    await expect(writeKerchunk(ds, "/x.bin", { overwrite: true, onUnsupported: "skip" })).rejects.toBeInstanceOf(InvalidArgumentError);
    ds.free();
    expect(readFileSync(out, "utf8")).toBe("the previous references");
    expect(readdirSync(dir).filter((f) => f.startsWith("."))).toEqual([]);
  });
});
