/**
 * The native addon tunes mimalloc at load (crates/vzarr-node): freed memory stays warm for a
 * second, and no transparent huge pages (their zeroing and compaction made the same work take
 * 4 ms in one process and 140 ms in the next).
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { nativeAddonPath } from "../ts/src/backend/artifacts.js";

const addon = () => createRequire(import.meta.url)(nativeAddonPath()) as { allocatorPurgeDelayMs(): number; allocatorAllowThp(): number };

describe("native addon allocator", () => {
  it("delays purging freed memory by a second", () => {
    expect(addon().allocatorPurgeDelayMs()).toBe(1000);
  });

  it("turns transparent huge pages off for the process, unless MIMALLOC_ALLOW_THP=1 says otherwise", () => {
    const script = `require(${JSON.stringify(nativeAddonPath())}); const a = require(${JSON.stringify(nativeAddonPath())}).allocatorAllowThp();
      console.log(a, /THP_enabled:\\s*(\\d)/.exec(require("fs").readFileSync("/proc/self/status", "utf8"))?.[1] ?? "?")`;
    const run = (env: Record<string, string>) =>
      execFileSync(process.execPath, ["-e", script], { env: { ...process.env, ...env }, encoding: "utf8" }).trim();
    const { MIMALLOC_ALLOW_THP: _, ...rest } = process.env;
    expect(execFileSync(process.execPath, ["-e", script], { env: rest, encoding: "utf8" }).trim()).toBe("0 0");
    // The option reads back through mimalloc's own environment variable (which proves its
    // index); the process setting is inherited from this test's process, so not checked.
    expect(run({ MIMALLOC_ALLOW_THP: "1" })).toMatch(/^1 /);
    expect(addon().allocatorAllowThp()).toBe(process.env.MIMALLOC_ALLOW_THP === "1" ? 1 : 0);
  });

  it("reads the option it sets from mimalloc's own MIMALLOC_PURGE_DELAY slot, which still wins", () => {
    // The option is addressed by index; the environment variable reaching it proves the index.
    const script = `console.log(require(${JSON.stringify(nativeAddonPath())}).allocatorPurgeDelayMs())`;
    const out = execFileSync(process.execPath, ["-e", script], { env: { ...process.env, MIMALLOC_PURGE_DELAY: "123" }, encoding: "utf8" });
    expect(out.trim()).toBe("123");
  });
});
