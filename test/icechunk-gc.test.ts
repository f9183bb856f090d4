/**
 * What killed writers leave behind stops no one: a lock whose holder has exited (kill -9)
 * is broken at once instead of making the next writer wait and fail; `vzarr repo gc`
 * removes unreferenced snapshots, manifests, chunks, temporary files and dead locks, keeps
 * everything the history refers to, and the repository still opens in Python icechunk.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { listSnapshots } from "../ts/src/formats/icechunk/index.js";
import { readArray } from "../ts/src/store/read-array.js";
import { core } from "./helpers/backend.js";
import { fixtures, repoRoot } from "./helpers/paths.js";
import { hasPython, runPythonJson, vzarr } from "./helpers/python.js";

const env = { VZARR_BACKEND: core.kind };
const cli = join(repoRoot, "dist", "cli", "main.js");

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
  return Number(r.stdout.trim());
}

const old = (path: string) => utimesSync(path, new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));

describe(`Icechunk locks and garbage collection (${core.kind} backend)`, () => {
  it("breaks a lock left by a writer that was killed, at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vzarr-lock-"));
    const repo = join(dir, "repo");
    expect((await vzarr(["refs", join(fixtures, "netcdf3", "classic.nc"), "-o", repo, "--format", "icechunk", "-q"], env)).code).toBe(0);
    writeFileSync(join(repo, "repo.lock"), `${deadPid()} ${hostname()} 0123456789abcdef`);
    const started = Date.now();
    const r = await vzarr(["refs", join(fixtures, "netcdf3", "classic.nc"), "-o", repo, "--format", "icechunk", "-q", "--overwrite"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await listSnapshots(repo)).toHaveLength(3);
  });

  it("gc removes what no snapshot refers to, keeps the history, and the repository still opens", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vzarr-gc-"));
    const repo = join(dir, "repo");
    const input = join(fixtures, "hdf5", "nc4_basic.nc");
    expect(
      (
        await vzarr(
          ["refs", input, "-o", repo, "--format", "icechunk", "-q", "--on-unsupported", "skip", "--container", `${fixtures}/`],
          env,
        )
      ).code,
    ).toBe(0);
    // Writers killed at random moments during commits over the same repository.
    for (let k = 0; k < 4; k++) {
      const child = spawn(
        process.execPath,
        [cli, "refs", input, "-o", repo, "--format", "icechunk", "-q", "--on-unsupported", "skip", "--overwrite"],
        {
          env: { ...process.env, ...env },
          stdio: "ignore",
        },
      );
      const exited = new Promise((r) => child.once("exit", r));
      await new Promise((r) => setTimeout(r, 150 + 120 * k));
      child.kill("SIGKILL");
      await exited;
    }
    // And orphans of every kind, made old enough for gc.
    const orphans = [
      "snapshots/AAAAAAAAAAAAAAAAAAAA",
      "manifests/BBBBBBBBBBBBBBBBBBBB",
      "chunks/CCCCCCCCCCCCCCCCCCCC",
      "repo.tmp-0badc0de",
    ];
    for (const key of orphans) {
      mkdirSync(dirname(join(repo, key)), { recursive: true });
      writeFileSync(join(repo, key), "left behind");
      old(join(repo, key));
    }
    writeFileSync(join(repo, "repo.lock"), `${deadPid()} ${hostname()} fedcba9876543210`);
    const history = await listSnapshots(repo);
    const before = await readArray(repo, "temp", undefined, { core });

    const dry = await vzarr(["repo", "gc", repo, "--dry-run", "--grace", "0"], env);
    expect(dry.code, dry.stderr).toBe(0);
    for (const key of [...orphans, "repo.lock"]) expect(dry.stdout).toContain(`would remove ${key}`);
    expect(readdirSync(join(repo, "chunks"))).toContain("CCCCCCCCCCCCCCCCCCCC");

    const r = await vzarr(["repo", "gc", repo, "--grace", "0"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(repo)).not.toContain("repo.lock");
    for (const key of orphans) expect(r.stdout).toContain(`removed ${key}`);
    expect(await listSnapshots(repo)).toEqual(history);
    expect((await readArray(repo, "temp", undefined, { core })).data).toEqual(before.data);
    // A later writer works, and a second gc finds nothing.
    expect(
      (await vzarr(["refs", input, "-o", repo, "--format", "icechunk", "-q", "--on-unsupported", "skip", "--overwrite"], env)).code,
    ).toBe(0);
    expect((await vzarr(["repo", "gc", repo, "--grace", "0"], env)).stdout).toMatch(/removed 0 objects/);
    if (hasPython) {
      const shape = await runPythonJson<number[]>(
        {
          code: `import json, sys, icechunk as ic, zarr
repo = ic.Repository.open(ic.local_filesystem_storage(sys.argv[1]), authorize_virtual_chunk_access=ic.containers_credentials({sys.argv[2]: None}))
print(json.dumps(list(zarr.open_group(repo.readonly_session("main").store, mode="r")["temp"].shape)))`,
        },
        [repo, `file://${fixtures}/`],
      );
      expect(shape).toEqual(before.shape);
    }
  }, 120_000);
});
