/**
 * DMR++ sidecars (test/fixtures/gen_dmrpp.py): the sidecars written from h5py's chunk metadata
 * read through our reader give h5py's values and chunk refs; Hyrax-written sidecars (from
 * VirtualiZarr's tests) give VirtualiZarr's DMRPPParser's refs; the DMR++ we write for an
 * HDF5 / netCDF-4 file reads back as its scan, and VirtualiZarr reads the same refs from it;
 * kerchunk output from a DMR++ opens in fsspec + xarray with the file's values; `verify`
 * catches a sidecar its file no longer matches; malformed XML is a tagged error.
 */
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import type { VirtualDataset } from "../ts/src/dataset/virtual-dataset.js";
import { toDmrpp } from "../ts/src/formats/dmrpp/to-dmrpp.js";
import { describeDifference } from "../ts/src/formats/dmrpp/verify.js";
import { writeDmrpp } from "../ts/src/formats/dmrpp/write-dmrpp.js";
import { writeKerchunk } from "../ts/src/formats/kerchunk/to-kerchunk.js";
import { ManifestArray } from "../ts/src/manifest/manifest-array.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { fixtures } from "./helpers/paths.js";
import { hasPython, pythonJson, runPython, vzarr } from "./helpers/python.js";
import { startRangeServer } from "./helpers/range-server.js";

interface Entry {
  shape: number[];
  dtype: string;
  sha256: string;
}
type Ref = [string, number, number];
interface FileOracle {
  values: Record<string, Entry>;
  refs: Record<string, Ref[] | "compact">;
}

const dir = join(fixtures, "dmrpp");
const oracle = JSON.parse(readFileSync(join(dir, "oracle.json"), "utf8")) as Record<string, FileOracle>;
const realOracle = JSON.parse(readFileSync(join(dir, "real_oracle.json"), "utf8")) as Record<string, Record<string, Ref[]>>;
const tmp = mkdtempSync(join(tmpdir(), "vzarr-dmrpp-"));
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Each variable's references as `[chunk key, offset, length]`, sorted (missing chunks left out). */
function refsOf(ds: VirtualDataset): Record<string, Ref[]> {
  const out: Record<string, Ref[]> = {};
  for (const [path, v] of ds.walkVariables()) {
    if (!(v.data instanceof ManifestArray)) continue;
    const { ids, offsets, lengths } = v.data.manifest.columns();
    const grid = v.data.manifest.shape;
    const refs: Ref[] = [];
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === 0xffffffff || ids[i] === 0xfffffffe) continue;
      const coords: number[] = [];
      let rest = i;
      for (let a = grid.length - 1; a >= 0; a--) {
        coords.unshift(rest % (grid[a] as number));
        rest = Math.floor(rest / (grid[a] as number));
      }
      refs.push([coords.length === 0 ? "0" : coords.join("."), Number(offsets[i]), Number(lengths[i])]);
    }
    out[path] = refs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
  return out;
}

const sortRefs = (r: Ref[]) => [...r].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

describe.each(Object.keys(oracle))("%s.dmrpp", (file) => {
  const want = oracle[file] as FileOracle;

  it("reads h5py's values through the sidecar, without the data file's metadata", async () => {
    using ds = await openVirtualDataset(join(dir, `${file}.dmrpp`), { core });
    expect(ds.format).toBe("dmrpp");
    for (const [path, e] of Object.entries(want.values)) {
      const r = await readArray(ds, path, undefined, { core });
      expect(r.shape, path).toEqual(e.shape);
      const d = r.data as ArrayBufferView;
      expect(sha256(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)), path).toBe(e.sha256);
    }
  });

  it("gives the chunk refs h5py reports, pointing at the file the sidecar names", async () => {
    using ds = await openVirtualDataset(join(dir, `${file}.dmrpp`), { core, loadableVariables: [] });
    const mine = refsOf(ds);
    for (const [path, refs] of Object.entries(want.refs)) {
      if (refs === "compact") continue;
      expect(mine[path], path).toEqual(sortRefs(refs));
    }
    for (const [, v] of ds.walkVariables()) {
      if (v.data instanceof ManifestArray && v.data.manifest.paths().length > 0) {
        expect(v.data.manifest.paths()).toEqual([pathToFileURL(join(dir, file)).href]);
      }
    }
  });

  it("writes a DMR++ that reads back as the file's scan, and VirtualiZarr reads the same refs", async () => {
    using scanned = await openVirtualDataset(join(dir, file), { core, loadableVariables: [] });
    const out = join(tmp, `${file}.dmrpp`);
    const { skipped } = await writeDmrpp(scanned, out);
    expect([...skipped]).toEqual([]);
    using back = await openVirtualDataset(out, { core, loadableVariables: [] });
    const scannedVars = new Map([...scanned.walkVariables()].map(([p, v]) => [p, v] as const));
    const backVars = [...back.walkVariables()];
    expect(backVars.map(([p]) => p).sort()).toEqual([...scannedVars.keys()].sort());
    for (const [path, v] of backVars) {
      const s = scannedVars.get(path);
      if (s === undefined) throw new Error(`${path} is not in the scan`);
      expect(describeDifference(v.data as ManifestArray, s?.data as ManifestArray), path).toBeUndefined();
      expect(v.dims, path).toEqual(s.dims);
      expect(v.attrs, path).toEqual(s.attrs);
      expect((v.data as ManifestArray).metadata.fillValue, path).toEqual((s.data as ManifestArray).metadata.fillValue);
    }
    if (hasPython) {
      const theirs = (await pythonJson<Record<string, Record<string, Ref[]>>>("dmrpp_refs.py", [out]))[out] as Record<string, Ref[]>;
      const mine = refsOf(back);
      expect(Object.keys(theirs).length).toBeGreaterThan(0);
      for (const [path, refs] of Object.entries(theirs)) {
        // VirtualiZarr's DMRPPParser gives a scalar no chunks (its chunk shape () is falsy).
        if (scannedVars.get(path)?.shape.length === 0) continue;
        expect(refs, path).toEqual(mine[path]);
      }
    }
  });

  // netCDF-4 only: through kerchunk's Zarr v2 `fill_value`, xarray masks HDF5's default fill
  // (0) in plain HDF5 files that netCDF does not (the same from the file's own scan).
  it.skipIf(!hasPython || file !== "cf.nc")("makes kerchunk references that fsspec + xarray read as the file's values", async () => {
    using ds = await openVirtualDataset(join(dir, `${file}.dmrpp`), { core, loadableVariables: [] });
    const refs = join(tmp, `${file}.json`);
    await writeKerchunk(ds, refs, { overwrite: true });
    const groups = file === "cf.nc" ? "/,forecast" : "/";
    const report = await pythonJson<Record<string, Record<string, Record<string, { present: boolean; equal: boolean }>>>>(
      "kerchunk_interop.py",
      ["compare", join(dir, file), groups, `json:${refs}`],
    );
    for (const [group, vars] of Object.entries(report[`json:${refs}`] ?? {})) {
      for (const [name, r] of Object.entries(vars)) {
        if (name === "__extra__") continue;
        expect(r, `${group} ${name}`).toMatchObject({ present: true, equal: true });
      }
    }
  });

  it("verifies against the data file (verify: true) when they agree", async () => {
    using ds = await openVirtualDataset(join(dir, `${file}.dmrpp`), { core, verify: true, loadableVariables: [] });
    expect([...ds.walkVariables()].length).toBeGreaterThan(3);
  });
});

describe("Hyrax-written sidecars (VirtualiZarr's test data)", () => {
  it.each(Object.keys(realOracle))("%s: refs equal VirtualiZarr's DMRPPParser's", async (name) => {
    using ds = await openVirtualDataset(join(dir, "real", name), { core, loadableVariables: [] });
    const mine = refsOf(ds);
    const theirs = realOracle[name] as Record<string, Ref[]>;
    expect(Object.keys(theirs).length).toBeGreaterThan(0);
    for (const [path, refs] of Object.entries(theirs)) expect(mine[path], path).toEqual(refs);
    // Hyrax's placeholder href means the file beside the sidecar.
    for (const [, v] of ds.walkVariables()) {
      const paths = (v.data as ManifestArray).manifest.paths();
      if (paths.length > 0) expect(paths).toEqual([pathToFileURL(join(dir, "real", name.replace(/\.dmrpp$/, ""))).href]);
    }
  });

  it("reads dimensions, attributes and groups as the DMR declares them", async () => {
    using ds = await openVirtualDataset(join(dir, "real", "hdf5_groups_file.dmrpp"), { core, loadableVariables: [] });
    const g = ds.group("test/group");
    const air = g.variable("air");
    expect(air.dims).toEqual(["time", "lat", "lon"]);
    expect(air.shape).toEqual([2920, 25, 53]);
    expect(air.attrs.actual_range).toEqual([Math.fround(185.1600037), Math.fround(322.1000061)]);
    expect(air.attrs.scale_factor).toBe(0.01);
    expect(air.attrs.GRIB_id).toBe(11);
    expect(g.attrs.Conventions).toBe("COARDS");
    expect(ds.attrs.build_dmrpp_metadata).toBeUndefined();
    expect((air.data as ManifestArray).metadata.fillValue).toBe(-32767);
  });

  it("takes the data file from dataFile instead of the href", async () => {
    const other = join(tmp, "elsewhere.nc");
    using ds = await openVirtualDataset(join(dir, "real", "netcdf4_file.dmrpp"), { core, loadableVariables: [], dataFile: other });
    expect((ds.variable("air").data as ManifestArray).manifest.paths()).toEqual([pathToFileURL(other).href]);
  });
});

describe("over HTTP", () => {
  it("a remote sidecar's relative href is the file beside it on the server; only the sidecar is read", async () => {
    const server = await startRangeServer(dir);
    try {
      using ds = await openVirtualDataset(`${server.url}/cf.nc.dmrpp`, { core, loadableVariables: [] });
      expect(server.requests.every((r) => r.path.endsWith(".dmrpp"))).toBe(true);
      const sst = ds.variable("sst").data as ManifestArray;
      expect(sst.manifest.paths()).toEqual([`${server.url}/cf.nc`]);
      const r = await readArray(ds, "sst", undefined, { core });
      const d = r.data as ArrayBufferView;
      expect(sha256(new Uint8Array(d.buffer, d.byteOffset, d.byteLength))).toBe(oracle["cf.nc"]?.values.sst?.sha256);
    } finally {
      await server.close();
    }
  });
});

describe("verify", () => {
  it.skipIf(!hasPython)("a sidecar its file no longer matches is SourceChanged, naming the variable", async () => {
    const data = join(tmp, "mutated.h5");
    copyFileSync(join(dir, "basic.h5"), data);
    writeFileSync(
      `${data}.dmrpp`,
      readFileSync(join(dir, "basic.h5.dmrpp"), "utf8").replaceAll('dmrpp:href="basic.h5"', 'dmrpp:href="mutated.h5"'),
    );
    using ok = await openVirtualDataset(`${data}.dmrpp`, { core, verify: true, loadableVariables: [] });
    expect(ok.variables.has("temp")).toBe(true);
    // Rewrite `temp` with other chunks: its chunk table moves.
    await runPython(
      {
        code: [
          "import sys, h5py, numpy as np",
          "f = h5py.File(sys.argv[1], 'a')",
          "a = f['temp'][()]",
          "del f['temp']",
          "f.create_dataset('temp', data=a, chunks=(10, 10), compression='gzip')",
          "f.close()",
        ].join("\n"),
      },
      [data],
    );
    await expect(openVirtualDataset(`${data}.dmrpp`, { core, verify: true })).rejects.toMatchObject({
      kind: "SourceChanged",
      variable: "temp",
      message: expect.stringContaining("chunk shape"),
    });
  });
});

describe("malformed sidecars", () => {
  const good = readFileSync(join(dir, "basic.h5.dmrpp"), "utf8");
  const cases: [string, string][] = [
    ["truncated", good.slice(0, Math.floor(good.length * 0.6))],
    ["an unterminated comment", good.replace("<Float32", "<!-- <Float32")],
    ["mismatched end tags", good.replace("</Float32>", "</Float64>")],
    ["an unquoted attribute", good.replace('offset="', "offset=")],
    ["a chunk off the grid", good.replace('chunkPositionInArray="[5,10]"', 'chunkPositionInArray="[5,11]"')],
    ["a bad number", good.replace('nBytes="165"', 'nBytes="16x5"')],
    ["no Dataset", '<?xml version="1.0"?><Other xmlns:dmrpp="http://xml.opendap.org/dap/dmrpp/1.0.0#"/>'],
  ];
  it.each(cases)(
    "%s → CorruptFile naming the sidecar, no hang",
    async (what, text) => {
      const path = join(tmp, `bad-${what.replaceAll(" ", "-")}.dmrpp`);
      writeFileSync(path, text);
      // The whole document is refused, or a problem inside one variable leaves it out with the reason.
      const outcome = async () => {
        try {
          using ds = await openVirtualDataset(path, { core, parser: "dmrpp", loadableVariables: [] });
          return [...ds.skipped.values()][0];
        } catch (e) {
          expect((e as { file?: string }).file).toContain("bad-");
          return e;
        }
      };
      expect(await outcome()).toMatchObject({ kind: "CorruptFile", message: expect.any(String) });
    },
    10_000,
  );
});

describe("CLI", () => {
  it("vzarr refs file.h5 --format dmrpp writes the sidecar; refs --data-file --verify reads one", async () => {
    const data = join(tmp, "cli.nc");
    copyFileSync(join(dir, "cf.nc"), data);
    const r = await vzarr(["refs", data, "-o", `${data}.dmrpp`, "--format", "dmrpp", "--quiet"], { VZARR_BACKEND: core.kind });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const text = readFileSync(`${data}.dmrpp`, "utf8");
    expect(text).toContain('dmrpp:href="cli.nc"');
    using scanned = await openVirtualDataset(data, { core, loadableVariables: [] });
    expect(text).toBe(toDmrpp(scanned, { href: "cli.nc" }).text);
    const refs = join(tmp, "cli.json");
    const k = await vzarr(["refs", `${data}.dmrpp`, "-o", refs, "--data-file", join(dir, "cf.nc"), "--verify", "--quiet"], {
      VZARR_BACKEND: core.kind,
    });
    expect(k.stderr).toBe("");
    expect(readFileSync(refs, "utf8")).toContain(JSON.stringify(pathToFileURL(join(dir, "cf.nc")).href));
  });
});
