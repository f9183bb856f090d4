/** Icechunk building blocks: ids, envelope, manifests, splitting, containers, corrupt input. */
import { decompress } from "fzstd";
import { describe, expect, it } from "vitest";
import { INLINED_ID, MISSING_ID } from "../ts/src/backend/core.js";
import { CorruptFileError, VzarrError } from "../ts/src/errors/vzarr-error.js";
import { splitGrid } from "../ts/src/formats/icechunk/array-parts.js";
import { containerForPrefix, defaultContainerPrefixes, matchContainer } from "../ts/src/formats/icechunk/containers.js";
import { decodeFile, encodeFile, FileType, zstdStoredFrame } from "../ts/src/formats/icechunk/envelope.js";
import { decodeBase32, encodeBase32, INITIAL_SNAPSHOT_ID, randomId } from "../ts/src/formats/icechunk/ids.js";
import { encodeManifest, ManifestFile, type ReadChunkRef } from "../ts/src/formats/icechunk/manifest.js";
import { decodeRepoInfo } from "../ts/src/formats/icechunk/repo-info.js";
import { decodeSnapshot } from "../ts/src/formats/icechunk/snapshot.js";
import { rng } from "./helpers/backend.js";

describe("ids", () => {
  it("encodes the well-known initial snapshot id as Icechunk does", () => {
    const bytes = Uint8Array.from(Buffer.from("0b1cc8d6787580f0e33a6534", "hex"));
    expect(encodeBase32(bytes)).toBe(INITIAL_SNAPSHOT_ID);
    expect(Buffer.from(decodeBase32(INITIAL_SNAPSHOT_ID, 12)).toString("hex")).toBe("0b1cc8d6787580f0e33a6534");
  });
  it("round-trips random 8- and 12-byte ids and rejects bad text", () => {
    for (let i = 0; i < 50; i++) {
      const id = randomId(i % 2 === 0 ? 8 : 12);
      const text = encodeBase32(id);
      expect(text).toHaveLength(id.length === 8 ? 13 : 20);
      expect(decodeBase32(text, id.length)).toEqual(id);
    }
    expect(() => decodeBase32("1CECHNKREP0F1RSTCMTU", 12)).toThrow(CorruptFileError);
    expect(() => decodeBase32("short", 12)).toThrow(CorruptFileError);
  });
});

describe("envelope", () => {
  it("writes zstd frames of raw blocks that a real decoder reads", () => {
    const random = rng(7);
    for (const n of [0, 1, 255, 256, 300, 65791, 65792, 300_000]) {
      const data = Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
      expect(decompress(zstdStoredFrame(data))).toEqual(data);
    }
  });
  it("rejects bad magic, wrong file types and truncated files with tagged errors", () => {
    const file = encodeFile(2, FileType.Snapshot, new Uint8Array([1, 2, 3]));
    expect(decodeFile(file, FileType.Snapshot, "x").payload).toEqual(new Uint8Array([1, 2, 3]));
    expect(() => decodeFile(file, FileType.Manifest, "x")).toThrow(/expected an Icechunk manifest/);
    const bad = file.slice();
    bad[3] = 0;
    expect(() => decodeFile(bad, FileType.Snapshot, "x")).toThrow(CorruptFileError);
    expect(() => decodeFile(file.subarray(0, 20), FileType.Snapshot, "x")).toThrow(CorruptFileError);
    expect(() => decodeFile(file.subarray(0, file.length - 2), FileType.Snapshot, "x")).toThrow(CorruptFileError);
  });
  it("gives CorruptFileError (never a raw crash) for garbage FlatBuffers", async () => {
    const random = rng(3);
    for (let trial = 0; trial < 200; trial++) {
      const junk = Uint8Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 256));
      for (const [type, decode] of [
        [FileType.Snapshot, (b: Uint8Array) => decodeSnapshot(b, "s")],
        [FileType.RepoInfo, (b: Uint8Array) => decodeRepoInfo(b, "r")],
        [FileType.Manifest, (b: Uint8Array) => ManifestFile.decode(b, "m")],
      ] as const) {
        try {
          await decode(encodeFile(2, type, junk));
        } catch (e) {
          expect(e).toBeInstanceOf(VzarrError);
        }
      }
    }
  });
});

describe("manifest files", () => {
  it("round-trips virtual, inline, native and missing refs in coordinate order", async () => {
    const grid = [3, 4];
    const n = 12;
    const ids = new Uint32Array(n).fill(MISSING_ID);
    const offsets = new BigUint64Array(n);
    const lengths = new BigUint64Array(n);
    for (let i = 0; i < n; i++) {
      if (i % 5 === 4) continue;
      ids[i] = i % 3 === 0 ? INLINED_ID : i % 2;
      offsets[i] = BigInt(i * 1000) + (1n << 40n);
      lengths[i] = BigInt(100 + i);
    }
    const chunkId = randomId(12);
    const nodeId = randomId(8);
    const other = randomId(8);
    const encoded = encodeManifest(randomId(12), [
      {
        nodeId,
        gridShape: grid,
        origin: [10, 0],
        start: 0,
        end: n,
        ids,
        offsets,
        lengths,
        locations: ["file:///a/b.nc", "s3://bucket/c.nc"],
        checksums: [{ lastModified: 1_700_000_000 }, { etag: '"abc"' }],
        inlined: new Map([
          [0, new Uint8Array([1, 2, 3])],
          [6, new Uint8Array([])],
        ]),
        native: new Map([[3, { chunkId, offset: 5, length: 6 }]]),
      },
      {
        nodeId: other,
        gridShape: [1],
        origin: [0],
        start: 0,
        end: 1,
        ids: Uint32Array.of(0),
        offsets: BigUint64Array.of(1n),
        lengths: BigUint64Array.of(2n),
        locations: ["file:///z"],
      },
    ]);
    expect(encoded?.numRefs).toBe(11);
    const m = await ManifestFile.decode(encoded?.bytes as Uint8Array, "m");
    const refs: ReadChunkRef[] = [];
    m.forEachRef(nodeId, (r) => refs.push(r));
    // Present: every flat index but 4 and 9, in C (= lexicographic) order, shifted by the origin.
    expect(refs.map((r) => r.coords)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 10, 11].map((i) => [10 + Math.floor(i / 4), i % 4]));
    const at = (i: number) => refs.find((r) => r.coords[0] === 10 + Math.floor(i / 4) && r.coords[1] === i % 4);
    expect(at(0)).toMatchObject({ kind: "inline", inline: new Uint8Array([1, 2, 3]) });
    expect(at(3)).toMatchObject({ kind: "native", offset: 5, length: 6, chunkId });
    expect(at(1)).toMatchObject({
      kind: "virtual",
      location: "s3://bucket/c.nc",
      offset: 1000 + 2 ** 40,
      length: 101,
      checksum: { etag: '"abc"' },
    });
    expect(at(2)).toMatchObject({ kind: "virtual", location: "file:///a/b.nc", checksum: { lastModified: 1_700_000_000 } });
    expect(m.lookup(nodeId, [11, 3])).toMatchObject({ kind: "virtual", length: 107 }); // flat 7
    expect(m.lookup(nodeId, [11, 0])).toBeUndefined(); // flat 4: missing
    expect(m.lookup(nodeId, [9, 0])).toBeUndefined(); // outside
    expect(m.lookup(other, [0])).toMatchObject({ location: "file:///z", offset: 1, length: 2 });
    expect(m.count(randomId(8))).toBe(0);
  });
  it("writes no manifest when every chunk is missing", () => {
    const ids = new Uint32Array(4).fill(MISSING_ID);
    expect(
      encodeManifest(randomId(12), [
        {
          nodeId: randomId(8),
          gridShape: [4],
          origin: [0],
          start: 0,
          end: 4,
          ids,
          offsets: new BigUint64Array(4),
          lengths: new BigUint64Array(4),
          locations: [],
        },
      ]),
    ).toBeNull();
  });
});

describe("splitting and containers", () => {
  it("splits a grid into row runs with disjoint extents", () => {
    const parts = splitGrid([10, 3, 2], [5, 0, 0], 14);
    expect(parts.map((p) => [p.start, p.end])).toEqual([
      [0, 12],
      [12, 24],
      [24, 36],
      [36, 48],
      [48, 60],
    ]);
    expect(parts[1]?.extents).toEqual([
      [7, 9],
      [0, 3],
      [0, 2],
    ]);
    expect(splitGrid([], [], 5)).toEqual([{ start: 0, end: 1, extents: [] }]);
    expect(splitGrid([0, 3], [0, 0], 5)).toEqual([]);
  });
  it("derives one container per shared directory, bucket and host", () => {
    expect(defaultContainerPrefixes(["file:///data/a/x.nc", "file:///data/a/b/y.nc", "s3://bk/p/q.nc", "https://h.org:8080/z.nc"])).toEqual(
      ["file:///data/a/", "https://h.org:8080/", "s3://bk/"],
    );
    expect(defaultContainerPrefixes(["file:///one/x.nc", "file:///two/deep/y.nc"])).toEqual(["file:///one/", "file:///two/deep/"]);
    expect(() => defaultContainerPrefixes(["file:///x.nc"])).toThrow(VzarrError);
    expect(() => containerForPrefix("file:///")).toThrow(VzarrError);
    const cs = ["file:///data/", "file:///data/a/"].map((p) => containerForPrefix(p));
    expect(matchContainer(cs, "file:///data/a/x.nc")?.urlPrefix).toBe("file:///data/a/");
    expect(containerForPrefix("s3://bk", { endpointUrl: "http://localhost:9000", allowHttp: true }).store).toMatchObject({
      kind: "s3_compatible",
      allowHttp: true,
    });
  });
});
