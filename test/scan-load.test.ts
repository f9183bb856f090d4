/**
 * Loading during the scan (`crates/vzarr-core/src/load.rs`) against the host's read path:
 * for every variable of every committed fixture, values the core loaded equal what
 * `readVariable` reads from the same file, and what it declines stays virtual.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LoadedArray } from "../ts/src/dataset/loaded-array.js";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { LocalFileSource } from "../ts/src/io/local-file.js";
import { datasetFromScan } from "../ts/src/parsers/from-scan.js";
import { type ScanResult, scanSource } from "../ts/src/parsers/scan.js";
import type { ScannedGroupJson } from "../ts/src/parsers/scanned-file.js";
import { readVariable } from "../ts/src/store/read-variable.js";
import { SourcePool } from "../ts/src/store/source-pool.js";
import { core } from "./helpers/backend.js";
import { fixtures } from "./helpers/paths.js";

const files = ["hdf5", "netcdf3", "grib"].flatMap((dir) =>
  readdirSync(join(fixtures, dir))
    .filter((f) => /\.(h5|nc|grib[12])$/.test(f))
    .map((f) => join(dir, f)),
);

/** Paths of the variables the core loaded (its JSON marks them `loaded`). */
function coreLoaded(scan: ScanResult): Set<string> {
  const out = new Set<string>();
  const walk = (g: ScannedGroupJson, prefix: string) => {
    for (const [name, v] of Object.entries(g.variables)) if (v.loaded !== undefined) out.add(prefix + name);
    for (const [name, sub] of Object.entries(g.groups)) walk(sub, `${prefix}${name}/`);
  };
  walk(scan.json.root, "");
  return out;
}

function bytesOf(values: unknown): Uint8Array {
  const view = values as ArrayBufferView;
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

describe(`loading during the scan (${core.kind} backend)`, () => {
  let loadedByCore = 0;

  it.each(files)("%s: what the core loads equals the read path", async (name) => {
    const source = new LocalFileSource(join(fixtures, name));
    const pool = new SourcePool({ open: () => source });
    try {
      const plain = datasetFromScan(await scanSource(source, { core }));
      const before = new Map([...plain.walkVariables()].map(([path, v]) => [path, v] as const));
      const paths = [...before].filter(([, v]) => v.virtual).map(([path]) => path);
      const scan = await scanSource(source, { core, load: paths });
      const loadedHere = coreLoaded(scan);
      const loading = datasetFromScan(scan);
      try {
        for (const [path, v] of loading.walkVariables()) {
          const was = before.get(path);
          expect(was, `${name}:${path}`).toBeDefined();
          if (!loadedHere.has(path)) {
            // Declined: as the plain scan left it, for the host to read.
            expect(v.virtual, `${name}:${path}`).toBe(was?.virtual);
            continue;
          }
          loadedByCore++;
          expect(v.data).toBeInstanceOf(LoadedArray);
          const want = await readVariable(was as NonNullable<typeof was>, undefined, { core, pool, variable: path });
          expect(v.dtype, `${name}:${path}`).toBe(want.dtype);
          expect(v.shape, `${name}:${path}`).toEqual(was?.shape);
          const got = (v.data as LoadedArray).values;
          expect(Buffer.from(bytesOf(got)).equals(Buffer.from(bytesOf(want.data))), `${name}:${path}`).toBe(true);
        }
      } finally {
        loading.free();
        plain.free();
      }
    } finally {
      await source.close();
    }
  });

  it("loaded most fixture variables (numeric dtypes, the core's codecs, edge chunks, both byte orders)", () => {
    expect(loadedByCore).toBeGreaterThan(100);
  });

  it("takes the 1-D dimension coordinates by default, and nothing with loadableVariables: []", async () => {
    const path = join(fixtures, "hdf5", "nc4_basic.nc");
    const source = new LocalFileSource(path);
    let coordinates: string[];
    try {
      const scan = await scanSource(source, { core, load: "dimension-coordinates" });
      const loaded = coreLoaded(scan);
      using ds = datasetFromScan(scan);
      coordinates = [...ds.walkVariables()]
        .filter(([path, v]) => v.dims.length === 1 && v.dims[0] === path.split("/").pop() && v.dtype !== "|O")
        .map(([path]) => path);
      expect(coordinates.length).toBeGreaterThan(0);
      expect([...loaded].sort()).toEqual(coordinates.sort());
    } finally {
      await source.close();
    }
    // `loadableVariables: []` keeps them virtual: the core is not asked to load anything.
    using none = await openVirtualDataset(path, { core, loadableVariables: [] });
    const virtual = [...none.walkVariables()].filter(([, v]) => v.virtual).map(([p]) => p);
    for (const c of coordinates) expect(virtual).toContain(c);
  });
});
