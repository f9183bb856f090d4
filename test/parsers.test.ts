/**
 * The parser interface and registry: every built-in source is recognised by its parser,
 * `parser:` selects one by name, alias or object, and a parser written outside vzarr (a
 * small raw binary format here) plugs in — registered or passed — and its dataset reads back
 * the values written.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { openVirtualMfdataset } from "../ts/src/dataset/open-mfdataset.js";
import { detectParser, openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { VirtualDataset } from "../ts/src/dataset/virtual-dataset.js";
import { VirtualVariable } from "../ts/src/dataset/virtual-variable.js";
import { InvalidArgumentError, VzarrError } from "../ts/src/errors/vzarr-error.js";
import { writeIcechunk } from "../ts/src/formats/icechunk/write-dataset.js";
import { writeKerchunk } from "../ts/src/formats/kerchunk/to-kerchunk.js";
import { ChunkManifest } from "../ts/src/manifest/chunk-manifest.js";
import { ManifestArray } from "../ts/src/manifest/manifest-array.js";
import { regularGrid } from "../ts/src/metadata/array-metadata.js";
import type { Parser } from "../ts/src/parsers/parser.js";
import { registeredParsers, registerParser, resolveParser, unregisterParser } from "../ts/src/parsers/registry.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { fixtures } from "./helpers/paths.js";

const tmp = mkdtempSync(join(tmpdir(), "vzarr-parsers-"));

/** A raw format: "VZRAW1\0\0", a little-endian u32 count, padding to 16 bytes, then float32s. */
const MAGIC = new TextEncoder().encode("VZRAW1\0\0");

function writeRaw(path: string, values: number[]): void {
  const out = new Uint8Array(16 + values.length * 4);
  out.set(MAGIC);
  const view = new DataView(out.buffer);
  view.setUint32(8, values.length, true);
  for (const [i, v] of values.entries()) view.setFloat32(16 + 4 * i, v, true);
  writeFileSync(path, out);
}

const rawParser: Parser = {
  name: "vzraw",
  input: "file",
  sniff: ({ head }) => MAGIC.every((b, i) => head[i] === b),
  async open({ url, source }, { core }) {
    if (source === undefined) throw new InvalidArgumentError("vzraw: not a file");
    const header = await source.read(0, 16);
    const count = new DataView(header.buffer, header.byteOffset, 16).getUint32(8, true);
    const manifest = ChunkManifest.fromArrays({ shape: [1], paths: [url], offsets: [16], lengths: [count * 4] }, core);
    const metadata = {
      shape: [count],
      chunkGrid: regularGrid([count]),
      dtype: "<f4",
      codecs: [{ name: "bytes", configuration: { endian: "little" } }],
      fillValue: null,
    };
    return new VirtualDataset({ variables: [["signal", new VirtualVariable(["sample"], new ManifestArray(metadata, manifest), {})]] });
  },
};

afterEach(() => unregisterParser("vzraw"));

describe(`parsers (${core.kind} backend)`, () => {
  it("recognises every built-in source by its parser", async () => {
    const kc = join(tmp, "kc.json");
    const repo = join(tmp, "repo");
    const parq = join(tmp, "refs.parq");
    {
      using ds = await openVirtualDataset(join(fixtures, "netcdf3", "classic.nc"), { core });
      await writeKerchunk(ds, kc);
      await writeKerchunk(ds, parq, { format: "parquet" });
      await writeIcechunk(ds, repo, {});
    }
    const cases: [string, string][] = [
      [join(fixtures, "hdf5", "nc4_basic.nc"), "hdf5"],
      [join(fixtures, "netcdf3", "classic.nc"), "netcdf3"],
      [join(fixtures, "grib", "grouping.grib2"), "grib"],
      [kc, "kerchunk-json"],
      [parq, "kerchunk-parquet"],
      [repo, "icechunk"],
    ];
    for (const [input, name] of cases) expect((await detectParser(input))?.name, input).toBe(name);
    expect(registeredParsers().map((p) => p.name)).toEqual(
      expect.arrayContaining(["hdf5", "netcdf3", "grib", "kerchunk-json", "kerchunk-parquet", "icechunk"]),
    );
  });

  it("selects a parser by name or alias, and names the known ones for an unknown name", async () => {
    expect(resolveParser("netcdf4")?.name).toBe("hdf5");
    expect(resolveParser("auto")).toBeUndefined();
    expect(() => resolveParser("geotiff-ish")).toThrow(/unknown parser "geotiff-ish"; known: auto, .*hdf5.*netcdf3.*grib/);
    using ds = await openVirtualDataset(join(fixtures, "hdf5", "nc4_basic.nc"), { core, parser: "netcdf4" });
    expect(ds.format).toBe("netcdf4");
    // A parser forced onto another format fails with its scanner's tagged error.
    const e = await openVirtualDataset(join(fixtures, "hdf5", "nc4_basic.nc"), { core, parser: "grib" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VzarrError);
    expect(["CorruptFile", "UnsupportedFeature"]).toContain((e as VzarrError).kind);
    expect((e as VzarrError).file).toContain("nc4_basic.nc");
  });

  it("opens a format vzarr does not know through a parser passed or registered by the user", async () => {
    const path = join(tmp, "one.vzraw");
    const values = [1.5, -2, 3.25, 1e6, 0];
    writeRaw(path, values);
    // Passed as an object, unregistered.
    {
      using ds = await openVirtualDataset(path, { core, parser: rawParser });
      const { data, shape } = await readArray(ds, "signal", undefined, { core });
      expect(shape).toEqual([5]);
      expect(Array.from(data as Float32Array)).toEqual(values);
    }
    // Not recognised before registering; recognised (and opened) after.
    expect(await detectParser(path)).toBeUndefined();
    registerParser(rawParser);
    expect((await detectParser(path))?.name).toBe("vzraw");
    using ds = await openVirtualDataset(pathToFileURL(path).href, { core });
    expect([...ds.variables.keys()]).toEqual(["signal"]);
  });

  it("combines many files of a user's format (opened in this thread)", async () => {
    registerParser(rawParser);
    const paths = [0, 1, 2].map((k) => {
      const p = join(tmp, `part${k}.vzraw`);
      writeRaw(p, [k, k + 0.5]);
      return p;
    });
    using ds = await openVirtualMfdataset(paths, { core, concatDim: "sample", combine: "nested", jobs: 2 });
    const { data } = await readArray(ds, "signal", undefined, { core });
    expect(Array.from(data as Float32Array)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
  });
});
