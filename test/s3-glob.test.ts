/**
 * Globs over S3 (moto on 127.0.0.1): `s3://bucket/prefix/**\/*.nc` expands with ListObjectsV2,
 * every page of it (more than 1,000 keys), matching as local globs do; `vzarr refs` indexes
 * the matches — with `--anon` unsigned — to the same references as the local files; a glob
 * over https:// is an error saying to pass a list, which `--from-file` (or stdin) reads.
 */
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LatencyServer, startLatencyServer } from "../bench/lib/latency-server.mjs";
import { packageRoot } from "../ts/src/backend/artifacts.js";
import { UnsupportedFeatureError } from "../ts/src/errors/vzarr-error.js";
import { expandInputs, keyPattern } from "../ts/src/io/glob.js";
import { core } from "./helpers/backend.js";
import { hasMoto, type Moto, startMoto } from "./helpers/moto.js";
import { hasPython, vzarr } from "./helpers/python.js";
import { makeRemoteFixtures } from "./helpers/remote-fixtures.js";

const DAILY = 4;
let moto: Moto;
let dir: string;
const saved: Record<string, string | undefined> = {};
const name = (i: number) => `t2m_${String(i).padStart(4, "0")}.nc`;

/** The kerchunk references of a refs run, paths made relative to their folder or bucket prefix. */
function refsWithoutLocation(path: string, location: string): Record<string, unknown> {
  const text = readFileSync(path, "utf8").replaceAll(location, "LOCATION/");
  return (JSON.parse(text) as { refs: Record<string, unknown> }).refs;
}

describe("key globs", () => {
  it("match as shell globs, ** across folders", () => {
    const re = keyPattern("a/**/*.nc");
    expect(["a/x.nc", "a/b/x.nc", "a/b/c/x.nc"].every((k) => re.test(k))).toBe(true);
    expect(["a/x.nc.txt", "b/x.nc", "a/.hidden.nc", "a/b/x.nc/y"].some((k) => re.test(k))).toBe(false);
    expect(keyPattern("a/day_[0-2]?.nc").test("a/day_17.nc")).toBe(true);
    expect(keyPattern("a/day_[0-2]?.nc").test("a/day_37.nc")).toBe(false);
  });

  it("over https:// is an error that says to pass a list", async () => {
    const e = await expandInputs(["https://data.example.org/archive/*.nc"]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UnsupportedFeatureError);
    expect((e as Error).message).toMatch(
      /https:\/\/ servers have no listing .* --from-file urls\.txt, or --from-file - to read them from stdin/,
    );
  });
});

describe.runIf(hasMoto && hasPython)(`S3 globs (${core.kind} backend)`, () => {
  beforeAll(async () => {
    moto = await startMoto();
    for (const [k, v] of Object.entries(moto.env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    dir = await makeRemoteFixtures(DAILY);
    await moto.createBucket("archive");
    // 1,100 small objects: more than one page of ListObjectsV2 (1,000 keys); a third match.
    const tiny = new Uint8Array(8);
    const puts: Promise<void>[] = [];
    for (let i = 0; i < 1100; i++) {
      const key = `many/${String(i % 11).padStart(2, "0")}/obj_${String(i).padStart(4, "0")}.${i % 3 === 0 ? "nc" : "txt"}`;
      puts.push(moto.put("archive", key, tiny));
      if (puts.length >= 16) await Promise.all(puts.splice(0));
    }
    await Promise.all(puts);
    for (let i = 0; i < DAILY; i++) {
      const month = i < 2 ? "01" : "02";
      const key = `daily/2024/${month}/${name(i)}`;
      await moto.put("archive", key, readFileSync(join(dir, "daily", name(i))));
      // Readable without credentials (--anon), as in a public bucket.
      const acl = await moto.client.fetch(`${moto.endpoint}/archive/${key}?acl`, {
        method: "PUT",
        headers: { "x-amz-acl": "public-read" },
      });
      expect(acl.ok).toBe(true);
    }
    await moto.put("archive", "daily/2024/README.txt", new Uint8Array(4));
  }, 180_000);
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await moto?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("expands with ListObjectsV2, all pages", async () => {
    const all = await expandInputs("s3://archive/many/**/*.nc");
    expect(all).toHaveLength(367);
    expect(all[0]).toBe("s3://archive/many/00/obj_0000.nc");
    expect(all).toEqual([...all].sort());
    expect(await expandInputs("s3://archive/many/0[0-1]/obj_00?3.*")).toEqual([
      "s3://archive/many/00/obj_0033.nc",
      "s3://archive/many/01/obj_0023.txt",
    ]);
    await expect(expandInputs("s3://archive/many/**/*.h5")).rejects.toThrow(/no objects match s3:\/\/archive\/many\/\*\*\/\*\.h5/);
  }, 60_000);

  it("vzarr refs 's3://bucket/**/*.nc' (signed, and unsigned with --anon) equals the local files' references", async () => {
    const local = join(dir, "local.json");
    const files = Array.from({ length: DAILY }, (_, i) => join(dir, "daily", name(i)));
    expect((await vzarr(["refs", ...files, "--concat-dim", "time", "-o", local, "-q"])).code).toBe(0);
    const expected = refsWithoutLocation(local, `file://${join(dir, "daily")}/`);
    for (const extra of [[], ["--anon"]]) {
      const out = join(dir, `s3${extra.length}.json`);
      const env = extra.length > 0 ? { ...moto.env, AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" } : moto.env;
      const r = await vzarr(["refs", "s3://archive/daily/**/*.nc", "--concat-dim", "time", ...extra, "-o", out, "-q"], {
        ...env,
        VZARR_BACKEND: core.kind,
      });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      // The four files in two month folders, in key order.
      const text = readFileSync(out, "utf8");
      for (let i = 0; i < DAILY; i++) expect(text).toContain(`s3://archive/daily/2024/${i < 2 ? "01" : "02"}/${name(i)}`);
      const refs = JSON.parse(text.replace(/s3:\/\/archive\/daily\/2024\/0[12]\//g, "LOCATION/")) as { refs: Record<string, unknown> };
      expect(refs.refs).toEqual(expected);
    }
  }, 120_000);

  it("vzarr refs --from-file (and - for stdin) reads a list of HTTP URLs", async () => {
    const server: LatencyServer = await startLatencyServer(join(dir, "daily"));
    try {
      const list = join(dir, "urls.txt");
      writeFileSync(list, `# the archive\n${Array.from({ length: DAILY }, (_, i) => `${server.url}/${name(i)}`).join("\n")}\n\n`);
      const out = join(dir, "http.json");
      const r = await vzarr(["refs", "--from-file", list, "--concat-dim", "time", "-o", out, "-q"], { VZARR_BACKEND: core.kind });
      expect(r.stderr).toBe("");
      expect(server.totals.requests).toBe(DAILY);
      const local = join(dir, "local.json");
      expect(refsWithoutLocation(out, `${server.url}/`)).toEqual(refsWithoutLocation(local, `file://${join(dir, "daily")}/`));
      // The same list on stdin.
      // A child answered asynchronously: the server runs in this process.
      const args = ["refs", "--from-file", "-", "--concat-dim", "time", "-o", join(dir, "stdin.json"), "-q"];
      const child = spawn(process.execPath, [join(packageRoot(), "dist", "cli", "main.js"), ...args], {
        env: { ...process.env, VZARR_BACKEND: core.kind },
      });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      child.stdin.end(readFileSync(list));
      expect(await new Promise((resolve) => child.on("exit", resolve))).toBe(0);
      expect(stderr).toBe("");
      expect(refsWithoutLocation(join(dir, "stdin.json"), `${server.url}/`)).toEqual(refsWithoutLocation(out, `${server.url}/`));
      const glob = await vzarr(["refs", `${server.url}/*.nc`, "--concat-dim", "time", "-o", join(dir, "x.json")]);
      expect(glob.code).not.toBe(0);
      expect(glob.stderr).toMatch(/pass the URLs as a list/);
    } finally {
      await server.close();
    }
  }, 60_000);
});
