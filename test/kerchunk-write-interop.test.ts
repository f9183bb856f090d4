/**
 * Our kerchunk JSON and Parquet, written from manifests that point at a real netCDF4 file,
 * opened by fsspec's ReferenceFileSystem + xarray (engine zarr, zarr_format 2; Parquet
 * through LazyReferenceMapper with both the fastparquet and the pyarrow engine): every
 * variable must equal what xarray reads from the original file.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { LoadedArray } from "../ts/src/dataset/loaded-array.js";
import type { VirtualDataset } from "../ts/src/dataset/virtual-dataset.js";
import { LocalDirectory } from "../ts/src/formats/kerchunk/local-directory.js";
import { kerchunkJsonText } from "../ts/src/formats/kerchunk/write-json.js";
import { writeKerchunkParquet } from "../ts/src/formats/kerchunk/write-parquet.js";
import type { ByteRange } from "../ts/src/io/byte-source.js";
import { LocalFileSource } from "../ts/src/io/local-file.js";
import type { ManifestArray } from "../ts/src/manifest/manifest-array.js";
import { regularGrid } from "../ts/src/metadata/array-metadata.js";
import { core } from "./helpers/backend.js";
import {
  type CompareReport,
  compareWithFixture,
  datasetFromFixture,
  type H5Fixture,
  interopScript,
  makeH5Fixture,
} from "./helpers/h5-fixture.js";
import { runPythonJson } from "./helpers/python.js";

let fx: H5Fixture;

beforeAll(async () => {
  fx = await makeH5Fixture();
});

function expectAllEqual(reports: CompareReport[]): void {
  for (const report of reports) expectEqualReport(report);
}

function expectEqualReport(report: CompareReport): void {
  for (const [group, vars] of Object.entries(report)) {
    expect(vars.__extra__, group).toEqual([]);
    for (const [name, r] of Object.entries(vars)) {
      if (name === "__extra__" || Array.isArray(r)) continue;
      expect(r.present, `${group}/${name}`).toBe(true);
      expect(r.equal, `${group}/${name}`).toBe(true);
    }
  }
  // the unwritten time step of air reads as the fill value (masked to NaN) on both sides
  expect((report[""]?.air as { nan: number } | undefined)?.nan).toBe(48);
}

/** lat loaded into memory and count's only chunk inlined: both must survive the round trip. */
function withLoadedAndInlined(ds: VirtualDataset, fileBytes: Uint8Array): VirtualDataset {
  const lat = fx.variables.lat;
  const latRef = lat?.refs[0] as number[];
  const latValues = new Float32Array(Uint8Array.from(fileBytes.subarray(latRef[1], (latRef[1] as number) + (latRef[2] as number))).buffer);
  const loaded = new LoadedArray(
    {
      shape: [8],
      chunkGrid: regularGrid([8]),
      dtype: "<f4",
      codecs: [{ name: "bytes", configuration: { endian: "little" } }],
      fillValue: null,
    },
    latValues,
  );
  const countRef = fx.variables.count?.refs[0] as number[];
  const count = ds.variable("count").data as ManifestArray;
  count.manifest.setInlined([0, 0], Uint8Array.from(fileBytes.subarray(countRef[2], (countRef[2] as number) + (countRef[3] as number))));
  const variables = new Map(ds.variables);
  variables.set("lat", ds.variable("lat").withData(loaded));
  return ds.with({ variables });
}

/** The reference sets every test below checks, written once, compared in one Python run. */
const written = {
  json: "",
  small: "",
  rawParquet: "",
  rawJson: "",
  inlineJson: "",
  inlineParquet: "",
  smallFiles: 0,
  inlineText: "",
};
let reports = new Map<string, CompareReport>();

async function writeAll(): Promise<void> {
  using ds = datasetFromFixture(fx, core);
  written.json = join(fx.dir, "ours.json");
  writeFileSync(written.json, await kerchunkJsonText(ds));
  written.small = join(fx.dir, "ours-small.parq");
  written.smallFiles = (await writeKerchunkParquet(ds, new LocalDirectory(written.small), { recordSize: 5 })).files;

  const source = new LocalFileSource(fx.file);
  const options = { inlineThreshold: 40, readRanges: (_url: string, ranges: ByteRange[]) => source.readRanges(ranges) };
  written.inlineJson = join(fx.dir, "ours-inline.json");
  written.inlineText = await kerchunkJsonText(ds, options);
  writeFileSync(written.inlineJson, written.inlineText);
  written.inlineParquet = join(fx.dir, "ours-inline.parq");
  await writeKerchunkParquet(ds, new LocalDirectory(written.inlineParquet), options);
  await source.close();

  using other = datasetFromFixture(fx, core);
  const withRaw = withLoadedAndInlined(other, readFileSync(fx.file));
  written.rawParquet = join(fx.dir, "ours-raw.parq");
  await writeKerchunkParquet(withRaw, new LocalDirectory(written.rawParquet));
  written.rawJson = join(fx.dir, "ours-raw.json");
  writeFileSync(written.rawJson, await kerchunkJsonText(withRaw));

  const sets: [string, string][] = [
    ["json", written.json],
    ["fastparquet", written.small],
    ["pyarrow", written.small],
    ["fastparquet", written.rawParquet],
    ["pyarrow", written.rawParquet],
    ["json", written.rawJson],
    ["json", written.inlineJson],
    ["fastparquet", written.inlineParquet],
  ];
  const results = await compareWithFixture(fx, sets);
  reports = new Map(sets.map(([engine, path], i) => [`${engine}:${path}`, results[i] as CompareReport]));
}

function reportsFor(...sets: [string, string][]): CompareReport[] {
  return sets.map(([engine, path]) => {
    const r = reports.get(`${engine}:${path}`);
    expect(r, `${engine}:${path}`).toBeDefined();
    return r as CompareReport;
  });
}

describe(`writing kerchunk references read by fsspec + xarray (${core.kind} backend)`, () => {
  beforeAll(writeAll);

  it("JSON: values equal the original file", () => {
    expectAllEqual(reportsFor(["json", written.json]));
  });

  it("Parquet, several padded records per variable: fastparquet and pyarrow engines", () => {
    // air: 16 chunks -> 4 records, the last (chunk 15, never written) all missing and skipped;
    // precip 2 -> 1; count, lat, lon, time 1 each; plus .zmetadata
    expect(written.smallFiles).toBe(3 + 1 + 4 + 1);
    expectAllEqual(reportsFor(["fastparquet", written.small], ["pyarrow", written.small]));
  });

  it("Parquet and JSON with loaded variables and inlined chunks (the raw column)", () => {
    expectAllEqual(reportsFor(["fastparquet", written.rawParquet], ["pyarrow", written.rawParquet], ["json", written.rawJson]));
  });

  it("inlines chunks up to inlineThreshold, read from the file, in both formats", () => {
    // time (16 bytes), lat (32) and lon (24) are inlined; air's 48-byte chunks are not
    expect(written.inlineText.match(/base64:/g)?.length).toBe(3);
    expectAllEqual(reportsFor(["json", written.inlineJson], ["fastparquet", written.inlineParquet]));
  });

  it("Parquet files have the documented schema: nullable UTF8 path, INT64 offset/size, nullable raw", async () => {
    using ds = datasetFromFixture(fx, core);
    const root = join(fx.dir, "ours-schema.parq");
    await writeKerchunkParquet(ds, new LocalDirectory(root), { recordSize: 7 });
    const info = await runPythonJson<Record<string, unknown>>(interopScript, ["parquet-schema", join(root, "air", "refs.1.parq")]);
    expect(info.physical).toEqual({ path: "BYTE_ARRAY", offset: "INT64", size: "INT64", raw: "BYTE_ARRAY" });
    expect(info.rows).toBe(7);
    expect(info.codec).toBe("SNAPPY");
    for (const engine of ["fastparquet", "pyarrow"]) {
      expect((info[engine] as Record<string, string>).offset, engine).toBe("int64");
      expect((info[engine] as Record<string, string>).size, engine).toBe("int64");
    }
    // air rows 7..13: chunks 12 and 13 are missing (time 3 was never written)
    expect((info.pyarrow_nulls as Record<string, number>).path).toBe(2);
    expect((info.fastparquet_nulls as Record<string, number>).path).toBe(2);
    // record 2 (chunks 14, 15 and padding) holds no chunk and is not written
    expect(existsSync(join(root, "air", "refs.2.parq"))).toBe(false);
    const zmeta = JSON.parse(readFileSync(join(root, ".zmetadata"), "utf8")) as { record_size: number; metadata: Record<string, unknown> };
    expect(zmeta.record_size).toBe(7);
    expect(Object.keys(zmeta.metadata)).toContain("forecast/precip/.zarray");
  });
});
