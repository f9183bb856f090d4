/**
 * Reference sets are followed only where they are trusted (io/authorize.ts): a local set may
 * name any location; a set served from a web server may not name local files or loopback
 * hosts other than its own origin (and such a host gets no request at all); an explicit
 * allow-list admits only its prefixes, whatever `..`, `%2e%2e`, `%2f` or symlink spelling a
 * location uses; Icechunk chunks must lie in a container the repository declares.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { VirtualDataset } from "../ts/src/dataset/virtual-dataset.js";
import { VirtualVariable } from "../ts/src/dataset/virtual-variable.js";
import { NotAllowedError } from "../ts/src/errors/vzarr-error.js";
import { writeIcechunk } from "../ts/src/formats/icechunk/write-dataset.js";
import { canonicalLocation, isPrivateAddress } from "../ts/src/io/authorize.js";
import { ChunkManifest } from "../ts/src/manifest/chunk-manifest.js";
import { ManifestArray } from "../ts/src/manifest/manifest-array.js";
import { regularGrid } from "../ts/src/metadata/array-metadata.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { hasPython, runPython, vzarr } from "./helpers/python.js";
import { type RangeServer, startRangeServer } from "./helpers/range-server.js";

const root = mkdtempSync(join(tmpdir(), "vzarr-authz-"));
const allowed = join(root, "data");
const secret = join(root, "secret.bin");
const VALUES = Int32Array.from([7, 8, 9, 10]);

/** A kerchunk v1 set of one int32 array `v` whose only chunk is `[url, 0, 16]` (or `[url]`). */
function refsJson(url: string, wholeFile = false): string {
  return JSON.stringify({
    version: 1,
    refs: {
      ".zgroup": JSON.stringify({ zarr_format: 2 }),
      "v/.zarray": JSON.stringify({
        zarr_format: 2,
        shape: [4],
        chunks: [4],
        dtype: "<i4",
        compressor: null,
        filters: null,
        fill_value: null,
        order: "C",
      }),
      "v/.zattrs": JSON.stringify({ _ARRAY_DIMENSIONS: ["x"] }),
      "v/0": wholeFile ? [url] : [url, 0, 16],
    },
  });
}

beforeAll(() => {
  mkdirSync(allowed, { recursive: true });
  writeFileSync(join(allowed, "ok.bin"), new Uint8Array(VALUES.buffer));
  writeFileSync(secret, new Uint8Array(Int32Array.from([666, 666, 666, 666]).buffer));
  symlinkSync(secret, join(allowed, "link.bin"));
});

describe(`reference authorization (${core.kind} backend)`, () => {
  it("canonicalises locations: dot segments in any spelling resolve, encoded separators are refused, symlinks are followed", () => {
    expect(canonicalLocation("file:///data/../../etc/passwd")).toBe("file:///etc/passwd");
    expect(canonicalLocation("file:///data/%2e%2e/%2E%2E/etc/passwd")).toBe("file:///etc/passwd");
    expect(canonicalLocation("https://Example.ORG/a/./b/../c")).toBe("https://example.org/a/c");
    expect(() => canonicalLocation("file:///data/..%2f..%2fetc/passwd")).toThrow(NotAllowedError);
    expect(() => canonicalLocation("https://h/a%5C..%5Cb")).toThrow(NotAllowedError);
    expect(canonicalLocation(join(allowed, "link.bin"))).toBe(pathToFileURL(secret).href);
    for (const host of [
      "127.0.0.1",
      "localhost",
      "10.1.2.3",
      "172.20.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "[::1]",
      "fe80::1",
      "0.0.0.0",
    ]) {
      expect(isPrivateAddress(host), host).toBe(true);
    }
    for (const host of ["8.8.8.8", "example.org", "172.32.0.1", "[2001:db8::1]"]) expect(isPrivateAddress(host), host).toBe(false);
  });

  it("a local reference set may name any local file (the everyday workflow)", async () => {
    const refs = join(root, "local.json");
    writeFileSync(refs, refsJson(pathToFileURL(join(allowed, "ok.bin")).href));
    const { data } = await readArray(refs, "v", undefined, { core });
    expect(Array.from(data as Int32Array)).toEqual(Array.from(VALUES));
  });

  it("an explicit allow-list admits only its prefixes, whatever the spelling (.., %2e%2e, %2f, symlinks)", async () => {
    const allow = [`${allowed}/`];
    const ok = join(root, "ok.json");
    writeFileSync(ok, refsJson(pathToFileURL(join(allowed, "ok.bin")).href));
    expect(Array.from((await readArray(ok, "v", undefined, { core, allow })).data as Int32Array)).toEqual(Array.from(VALUES));
    const base = pathToFileURL(allowed).href;
    const escapes = [
      `${base}/../secret.bin`,
      `${base}/%2e%2e/secret.bin`,
      `${base}/..%2fsecret.bin`,
      `${base}/link.bin`,
      pathToFileURL(secret).href,
    ];
    for (const [k, url] of escapes.entries()) {
      const refs = join(root, `escape${k}.json`);
      writeFileSync(refs, refsJson(url));
      await expect(readArray(refs, "v", undefined, { core, allow }), url).rejects.toBeInstanceOf(NotAllowedError);
      // The same through the CLI: a tagged one-line error, exit 1.
      const r = await vzarr(["cat", refs, "v", "-o", join(root, "x.npy"), "--allow", `${allowed}/`], { VZARR_BACKEND: core.kind });
      expect(r.code, url).toBe(1);
      expect(r.stderr, url).toMatch(/^vzarr: NotAllowed: /);
    }
  });

  describe("a reference set served over HTTP", () => {
    let origin: RangeServer;
    let other: RangeServer;
    beforeAll(async () => {
      origin = await startRangeServer(root);
      other = await startRangeServer(allowed);
    });
    afterAll(async () => {
      await origin?.close();
      await other?.close();
    });

    it("never reaches local files, nor loopback hosts but its own origin — which get no request", async () => {
      const cases: [string, string][] = [
        ["file", pathToFileURL(secret).href],
        ["path", secret],
        ["loopback", `${other.url}/ok.bin`],
        ["loopback-whole-file", `${other.url}/ok.bin`],
      ];
      for (const [name, url] of cases) {
        writeFileSync(join(root, `remote-${name}.json`), refsJson(url, name.endsWith("whole-file")));
        const e = await openVirtualDataset(`${origin.url}/remote-${name}.json`, { core }).catch((x: unknown) => x);
        expect(e, name).toBeInstanceOf(NotAllowedError);
        expect((e as Error).message, name).toMatch(/--allow/);
      }
      expect(other.requests).toEqual([]);
      // Its own origin is fine.
      writeFileSync(join(root, "remote-own.json"), refsJson(`${origin.url}/data/ok.bin`));
      const { data } = await readArray(`${origin.url}/remote-own.json`, "v", undefined, { core });
      expect(Array.from(data as Int32Array)).toEqual(Array.from(VALUES));
      // An explicit allow-list is the way to admit another host.
      const ds = await openVirtualDataset(`${origin.url}/remote-loopback.json`, { core, allow: [`${other.url}/`] });
      ds.free();
    });
  });

  it.runIf(hasPython)("Icechunk chunks must lie in a container the repository declares", async () => {
    // A repository written by Python icechunk with a ref outside its containers (icechunk's
    // own check skipped), and a location whose `..` leaves the container.
    const repo = join(root, "outside-repo");
    const container = `${pathToFileURL(allowed).href}/`;
    await runPython(
      {
        code: `
import icechunk as ic, zarr, sys
repo = ic.Repository.create(ic.local_filesystem_storage(sys.argv[1]),
    config=ic.RepositoryConfig(virtual_chunk_containers={"c": ic.VirtualChunkContainer(sys.argv[2], ic.local_filesystem_store(sys.argv[2]))}))
s = repo.writable_session("main")
a = zarr.create_array(s.store, name="v", shape=(4,), chunks=(4,), dtype="int32", fill_value=0)
s.store.set_virtual_ref("v/c/0", sys.argv[3], offset=0, length=16, validate_container=False)
s.commit("outside")
`,
      },
      [repo, container, `${container}../secret.bin`],
    );
    const e = await openVirtualDataset(repo, { core }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NotAllowedError);
    expect((e as Error).message).toMatch(/lies in no virtual chunk container/);
    // vzarr's writer refuses such a location in the first place.
    const manifest = ChunkManifest.fromArrays({ shape: [1], paths: [`${container}../secret.bin`], offsets: [0], lengths: [16] }, core);
    const meta = {
      shape: [4],
      chunkGrid: regularGrid([4]),
      dtype: "<i4",
      codecs: [{ name: "bytes", configuration: { endian: "little" } }],
      fillValue: 0,
    };
    const ds = new VirtualDataset({ variables: [["v", new VirtualVariable(["x"], new ManifestArray(meta, manifest), {})]] });
    await expect(writeIcechunk(ds, join(root, "refused-repo"), { containers: [container] })).rejects.toThrow(
      /under none of the virtual chunk containers/,
    );
    ds.free();
    expect(readFileSync(secret).length).toBe(16);
  });
});
