/**
 * `VirtualDataset.toString()` / `util.inspect`: an xarray-like summary whose variables, dims,
 * dtypes, chunking, attributes and groups match what netCDF4-python reads from the file.
 */

import { join } from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { core } from "./helpers/backend.js";
import { fixtures } from "./helpers/paths.js";
import { hasPython, runPythonJson } from "./helpers/python.js";

interface PyVar {
  dims: string[];
  dtype: string;
  chunks: number[] | null;
}
interface PyGroup {
  dims: Record<string, number>;
  vars: Record<string, PyVar>;
  nattrs: number;
  groups: string[];
}

const NETCDF4 = `
import json, sys, netCDF4
def group(g):
    out = {"dims": {d: len(v) for d, v in g.dimensions.items()}, "vars": {}, "nattrs": len(g.ncattrs()), "groups": list(g.groups)}
    for name, v in g.variables.items():
        ch = v.chunking()
        out["vars"][name] = {"dims": list(v.dimensions), "dtype": v.dtype.str if hasattr(v.dtype, "str") else "|O",
                             "chunks": None if ch == "contiguous" else list(ch)}
    return out
with netCDF4.Dataset(sys.argv[1]) as f:
    print(json.dumps({"root": group(f), **{name: group(g) for name, g in f.groups.items()}}))
`;

describe(`VirtualDataset repr (${core.kind} backend)`, () => {
  it.skipIf(!hasPython)("lists dimensions, coordinates, data variables with dims/dtype/chunks, attributes and groups", async () => {
    const file = join(fixtures, "hdf5", "nc4_basic.nc");
    using ds = await openVirtualDataset(file, { core, loadableVariables: [] });
    const text = ds.toString();
    // console.log and util.inspect show the same summary, not the class's fields.
    expect(inspect(ds)).toBe(text);
    expect(text.startsWith("<vzarr.VirtualDataset> (netcdf4)\n")).toBe(true);
    const py = await runPythonJson<Record<string, PyGroup>>({ code: NETCDF4 }, [file]);
    const root = py.root as PyGroup;
    const lines = text.split("\n");
    const dimsLine = lines.find((l) => l.startsWith("Dimensions:")) as string;
    for (const [d, n] of Object.entries(root.dims)) expect(dimsLine).toContain(`${d}: ${n}`);
    const at = (header: string) => lines.indexOf(header);
    for (const [name, v] of Object.entries(root.vars)) {
      if (ds.skipped.has(name)) {
        expect(text).toMatch(new RegExp(`Left out: .*\\b${name}\\b`));
        continue;
      }
      const line = lines.find((l) => new RegExp(`^  [* ] ${name} +\\(`).test(l));
      expect(line, name).toBeDefined();
      expect(line).toContain(`(${v.dims.join(", ")}) `);
      if (v.dtype !== "|O") expect(line).toContain(` ${v.dtype} `);
      const chunks = v.chunks ?? ds.variables.get(name)?.shape;
      if (v.chunks !== null) expect(line).toContain(`chunks=(${chunks?.join(", ")}${chunks?.length === 1 ? "," : ""})`);
      // Dimension coordinates are marked and listed under Coordinates, as xarray does.
      const isIndex = v.dims.length === 1 && v.dims[0] === name;
      const index = lines.indexOf(line as string);
      expect(index > at("Coordinates:") && index < at("Data variables:"), name).toBe(isIndex);
      expect(line?.startsWith("  * "), name).toBe(isIndex);
    }
    expect(text).toContain(`Attributes: (${root.nattrs})`);
    expect(text).toContain(`Groups: (${root.groups.length})`);
    for (const g of root.groups) {
      expect(text).toContain(`\n  ${g}/\n`);
      for (const name of Object.keys(py[g]?.vars ?? {})) expect(text).toMatch(new RegExp(`\\n {6}[* ] ${name} +\\(`));
    }
  });
});
