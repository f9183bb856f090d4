/** The native addon tunes mimalloc at load: freed memory stays warm for a second (crates/vzarr-node). */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { nativeAddonPath } from "../ts/src/backend/artifacts.js";

const addon = () => createRequire(import.meta.url)(nativeAddonPath()) as { allocatorPurgeDelayMs(): number };

describe("native addon allocator", () => {
  it("delays purging freed memory by a second", () => {
    expect(addon().allocatorPurgeDelayMs()).toBe(1000);
  });

  it("reads the option it sets from mimalloc's own MIMALLOC_PURGE_DELAY slot, which still wins", () => {
    // The option is addressed by index; the environment variable reaching it proves the index.
    const script = `console.log(require(${JSON.stringify(nativeAddonPath())}).allocatorPurgeDelayMs())`;
    const out = execFileSync(process.execPath, ["-e", script], { env: { ...process.env, MIMALLOC_PURGE_DELAY: "123" }, encoding: "utf8" });
    expect(out.trim()).toBe("123");
  });
});
