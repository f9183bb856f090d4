/**
 * GRIB index sidecars (NCEP wgrib2 `.idx`, ECMWF JSON-lines `.index`, written by
 * test/fixtures/gen_remote.py from ecCodes' reading of the files): the offsets they give equal
 * ecCodes', a remote GRIB file opened with one has its metadata requested all at once — no
 * message data read — and the dataset equals the full scan of the local file.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LatencyServer, startLatencyServer } from "../bench/lib/latency-server.mjs";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { CorruptFileError } from "../ts/src/errors/vzarr-error.js";
import { parseGribIndex, sidecarCandidates } from "../ts/src/formats/grib/index-file.js";
import { core } from "./helpers/backend.js";
import { hasPython, runPython, vzarr } from "./helpers/python.js";
import { makeRemoteFixtures, referenceList, valueDigests } from "./helpers/remote-fixtures.js";

let dir: string;
let server: LatencyServer;

beforeAll(async () => {
  if (!hasPython) return;
  dir = await makeRemoteFixtures(1);
  server = await startLatencyServer(dir, { delayMs: 1 });
}, 120_000);
afterAll(async () => {
  await server?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe("GRIB index files", () => {
  it("finds the sidecars by convention", () => {
    expect(sidecarCandidates("https://h/a/f.grib2")).toEqual(["https://h/a/f.grib2.idx", "https://h/a/f.index"]);
    expect(sidecarCandidates("s3://b/k/f.grb?v=1")).toEqual(["s3://b/k/f.grb.idx?v=1", "s3://b/k/f.index?v=1"]);
  });

  it("rejects lines of neither style, naming the index and the line", () => {
    expect(() => parseGribIndex("1:0:d=2024010100:TMP:2 m:anl:\nnonsense\n", "u.idx")).toThrow(CorruptFileError);
    expect(() => parseGribIndex("1:0:x\nnonsense\n", "u.idx")).toThrow(/line 2 of the GRIB index .*u\.idx/);
    expect(() => parseGribIndex('{"_offset": 0}\n{"param": "2t"}\n', "u.index")).toThrow(/line 2 .* JSON/);
    expect(() => parseGribIndex("\n", "u.idx")).toThrow(/empty GRIB index/);
  });
});

describe.skipIf(!hasPython)(`GRIB index sidecars over HTTP (${core.kind} backend)`, () => {
  it("both styles give ecCodes' message offsets", async () => {
    for (const file of ["many.grib2", "big.grib2"]) {
      const offsets = JSON.parse(
        await runPython(
          {
            code: `import eccodes as ec, json, sys
out = []
with open(sys.argv[1], "rb") as f:
    while (h := ec.codes_grib_new_from_file(f)) is not None:
        out.append(int(ec.codes_get(h, "offset"))); ec.codes_release(h)
print(json.dumps(out))`,
          },
          [join(dir, file)],
        ),
      ) as number[];
      const stem = file.replace(/\.grib2$/, "");
      expect(parseGribIndex(readFileSync(join(dir, `${file}.idx`), "utf8"), "x").offsets).toEqual(offsets);
      const ecmwf = parseGribIndex(readFileSync(join(dir, `${stem}.index`), "utf8"), "x");
      expect(ecmwf.style).toBe("ecmwf");
      expect(ecmwf.offsets).toEqual(offsets);
    }
  });

  it("requests every message's metadata at once and reads no field data (big.grib2, wgrib2 .idx found by default)", async () => {
    server.reset();
    using remote = await openVirtualDataset(`${server.url}/big.grib2`, { core });
    const grib = server.counts("big.grib2");
    expect(server.counts("big.grib2.idx").gets).toBe(1);
    // The first read (1 MiB: two messages), then in parallel the other ten messages' metadata
    // and the file's last 4 bytes (the last message's end).
    expect(grib.requests).toBe(12);
    const size = readFileSync(join(dir, "big.grib2")).length;
    expect(grib.bytes).toBeLessThan(size / 4);
    using local = await openVirtualDataset(join(dir, "big.grib2"), { core });
    expect(referenceList(remote)).toEqual(referenceList(local));
    expect(await valueDigests(remote, core)).toEqual(await valueDigests(local, core));
    // Without the index: the walk reads through the data, in runs of doubling length.
    server.reset();
    using walked = await openVirtualDataset(`${server.url}/big.grib2`, { core, indexFile: "never" });
    expect(server.counts("big.grib2.idx").requests).toBe(0);
    // 1 MiB, then runs of 4, 8, 16, 32 blocks of 64 KiB and the rest: 6 requests, not 12.
    expect(server.counts("big.grib2").requests).toBe(6);
    expect(server.counts("big.grib2").bytes).toBeGreaterThan(size * 0.9);
    expect(referenceList(walked)).toEqual(referenceList(local));
  });

  it("reads the ECMWF style from a given URL; many small messages in a few requests", async () => {
    server.reset();
    using remote = await openVirtualDataset(`${server.url}/many.grib2`, { core, indexFile: `${server.url}/many.index` });
    expect(server.counts("many.index").gets).toBe(1);
    expect(server.counts("many.grib2.idx").requests).toBe(0);
    expect(server.counts("many.grib2").requests).toBeLessThanOrEqual(3);
    using local = await openVirtualDataset(join(dir, "many.grib2"), { core });
    expect(referenceList(remote)).toEqual(referenceList(local));
  });

  it("scans as usual without a sidecar, and a stale one only costs reads", async () => {
    server.reset();
    // No sidecar for the TIFF-named copy; for the GRIB one, an index of another file.
    writeFileSync(join(dir, "copy.grib2"), readFileSync(join(dir, "big.grib2")));
    writeFileSync(join(dir, "copy.grib2.idx"), readFileSync(join(dir, "many.grib2.idx")));
    using local = await openVirtualDataset(join(dir, "big.grib2"), { core });
    using stale = await openVirtualDataset(`${server.url}/copy.grib2`, { core });
    expect(referenceList(stale)).toEqual(referenceList(local));
    rmSync(join(dir, "copy.grib2.idx"));
    server.reset();
    using none = await openVirtualDataset(`${server.url}/copy.grib2`, { core });
    expect(server.counts("copy.grib2.idx").requests).toBeGreaterThanOrEqual(1);
    expect(server.counts("copy.index").requests).toBeGreaterThanOrEqual(1);
    expect(referenceList(none)).toEqual(referenceList(local));
  });

  it("a corrupt index named explicitly is a CorruptFile error naming it", async () => {
    writeFileSync(join(dir, "bad.idx"), "this is not an index\n");
    const url = `${server.url}/bad.idx`;
    await expect(openVirtualDataset(`${server.url}/many.grib2`, { core, indexFile: url })).rejects.toThrow(CorruptFileError);
    await expect(openVirtualDataset(`${server.url}/many.grib2`, { core, indexFile: url })).rejects.toThrow(url);
  });
});

describe.skipIf(!hasPython)("vzarr refs --idx", () => {
  it("uses the index named, or none with --idx never; the references are the same", async () => {
    const refsOf = async (idx: string) => {
      const out = join(dir, `refs-${idx.replace(/\W/g, "_")}.json`);
      server.reset();
      const r = await vzarr(["refs", `${server.url}/big.grib2`, "--idx", idx, "-o", out, "-q"], { VZARR_BACKEND: core.kind });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      return { refs: JSON.parse(readFileSync(out, "utf8")).refs as Record<string, unknown>, requests: server.counts("big.grib2").requests };
    };
    const never = await refsOf("never");
    const named = await refsOf(`${server.url}/big.index`);
    expect(never.requests).toBe(6);
    expect(named.requests).toBe(12);
    expect(server.counts("big.index").gets).toBe(1);
    expect(named.refs).toEqual(never.refs);
  });
});
