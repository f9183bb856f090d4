/**
 * Hostile kerchunk Parquet record files (issue 26, item 6; test/fixtures/gen_parquet_hostile.mjs):
 * each one, put in place of a variable's record file, makes `info` and `cat` fail with a
 * CorruptFile error naming that record file, in a child process that must finish in time —
 * before the bounded check, one kind aborted the process (V8 "invalid size") and the
 * decoder could loop forever. The untouched base file still reads.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { core } from "./helpers/backend.js";

const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "main.js");
const fixtures = join(root, "test", "fixtures", "kerchunk-parquet");
const hostile = readdirSync(fixtures).filter((f) => f.endsWith(".parq") && f !== "base.parq");
let dir: string;

function vzarr(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, VZARR_BACKEND: core.kind },
  });
}

/** A fresh reference set of nc4_basic.nc with `temp`'s record file replaced by `file`. */
function setWith(file: string): string {
  const set = join(dir, file.replace(/\.parq$/, ""));
  cpSync(join(dir, "original"), set, { recursive: true });
  cpSync(join(fixtures, file), join(set, "temp", "refs.0.parq"));
  return set;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vzarr-parq-hostile-"));
  const made = vzarr([
    "refs",
    join(root, "test", "fixtures", "hdf5", "nc4_basic.nc"),
    "-o",
    join(dir, "original"),
    "--format",
    "kerchunk-parquet",
    "--loadable",
    "none",
    "--on-unsupported",
    "skip",
    "--quiet",
  ]);
  expect(made.status, made.stderr).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`hostile kerchunk Parquet record files (${core.kind} backend)`, () => {
  it("has the regression inputs", () => {
    expect(hostile.length).toBeGreaterThanOrEqual(3);
  });

  it("reads the base record file the hostile ones were made from", () => {
    // Its references name the fixture file where it was generated: check it, then read
    // through the record file made here (same layout, this checkout's path).
    const set = setWith("base.parq");
    expect(vzarr(["info", set]).status).toBe(0);
    const here = join(dir, "original");
    const r = vzarr(["cat", here, "temp", "-o", join(dir, "temp.npy")]);
    expect(r.status, r.stderr).toBe(0);
  });

  it("a .zmetadata declaring a grid its record files do not cover is LimitExceeded, before any allocation", () => {
    const set = join(dir, "huge-grid");
    cpSync(join(dir, "original"), set, { recursive: true });
    const zmeta = JSON.parse(readFileSync(join(set, ".zmetadata"), "utf8"));
    const raw = zmeta.metadata["temp/.zarray"];
    const zarray = typeof raw === "string" ? JSON.parse(raw) : raw;
    // 2^25 chunks in all (below the 2^28 grid limit), one small record file present.
    const rest = (zarray.shape as number[]).slice(1).reduce((a, d, i) => a * Math.ceil(d / zarray.chunks[i + 1]), 1);
    zarray.shape[0] = zarray.chunks[0] * Math.floor(2 ** 25 / rest);
    zmeta.metadata["temp/.zarray"] = typeof raw === "string" ? JSON.stringify(zarray) : zarray;
    writeFileSync(join(set, ".zmetadata"), JSON.stringify(zmeta));
    const r = vzarr(["info", set]);
    expect(r.error, "info did not finish").toBeUndefined();
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/LimitExceeded: temp declares a grid of \d+ chunks .* but its record files cover at most \d+/);
  });

  for (const file of hostile) {
    it(`${file}: info and cat fail with CorruptFile naming the record file, in time`, () => {
      const set = setWith(file);
      for (const args of [
        ["info", set],
        ["cat", set, "temp", "-o", join(set, "temp.npy")],
      ]) {
        const r = vzarr(args);
        expect(r.signal, `${args[0]}: ${r.stderr}`).toBeNull();
        expect(r.error, `${args[0]} did not finish`).toBeUndefined();
        expect(r.status, r.stderr).toBe(1);
        expect(r.stderr).toMatch(/CorruptFile: unreadable Parquet reference file/);
        expect(r.stderr).toContain(`${set}/temp/refs.0.parq`);
      }
    });
  }
});
