/**
 * The library offers what a VirtualiZarr/xarray user reaches for: CF-decoded reads
 * (`readArray(..., { decode: true })`, as `vzarr cat --decode`), and `decodeCf` from the Node
 * entry as from the browser entry.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as nodeEntry from "../ts/src/index.js";
import { decodeCf } from "../ts/src/store/decode-cf.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { digest } from "./helpers/digest.js";
import { hasPython, pythonJson } from "./helpers/python.js";

describe(`library API (${core.kind} backend)`, () => {
  it.runIf(hasPython)("readArray with decode: true masks and scales like netCDF4-python", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "vzarr-api-")), "packed.nc");
    const want = await pythonJson<{ sha256: string; shape: number[] }>("make_packed.py", [file]);
    const decoded = await readArray(file, "t", undefined, { core, decode: true });
    expect({ shape: decoded.shape, sha256: digest(decoded) }).toEqual(want);
    const raw = await readArray(file, "t", undefined, { core });
    expect(digest(raw)).not.toBe(want.sha256);
  });

  it("the Node entry exports decodeCf as the browser entry does", () => {
    // (zarrita stays out of the Node index, whose import graph is kept small: import it directly.)
    expect(nodeEntry.decodeCf).toBe(decodeCf);
  });
});
