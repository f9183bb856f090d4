/**
 * Which backend runs is visible: without a loadable native addon vzarr says once that it
 * uses WebAssembly (a Node warning with code VZARR_WASM_FALLBACK; one stderr line in the
 * CLI) and works; asking for the native backend where it cannot load is an error naming the
 * platform. `VZARR_NATIVE_ADDON` stands in for a platform without the addon.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixtures, repoRoot } from "./helpers/paths.js";
import { vzarr } from "./helpers/python.js";

const input = join(fixtures, "netcdf3", "classic.nc");
const noAddon = { VZARR_NATIVE_ADDON: join(repoRoot, "no-such-addon.node"), VZARR_BACKEND: "" };

describe("backend visibility", () => {
  it("the CLI says once that it falls back to WebAssembly, and works", async () => {
    const r = await vzarr(["info", input, "--json"], noAddon);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/vzarr: warning: vzarr is using WebAssembly: the native addon does not load on /g)).toHaveLength(1);
    expect(r.stderr).toContain(`${process.platform}-${process.arch}`);
    expect(JSON.parse(r.stdout).variables).toBeDefined();
    const version = await vzarr(["--version"], noAddon);
    expect(version.stdout).toMatch(/wasm/);
  });

  it("VZARR_BACKEND=native without an addon is an error naming the platform", async () => {
    const r = await vzarr(["info", input], { ...noAddon, VZARR_BACKEND: "native" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/UnsupportedFeature: VZARR_BACKEND=native: the native addon does not load on linux-x64 .*linux-x64-gnu/);
  });

  it("the library's warning carries a code a program can listen for", () => {
    const script = `
      process.on("warning", (w) => { if (w.code === "VZARR_WASM_FALLBACK") console.log("warned " + w.code); });
      const { loadBackend } = await import(${JSON.stringify(join(repoRoot, "dist", "index.js"))});
      const core = await loadBackend();
      console.log("kind " + core.kind);`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, ...noAddon },
      encoding: "utf8",
    });
    expect(out).toMatch(/kind wasm/);
    expect(out).toMatch(/warned VZARR_WASM_FALLBACK/);
  });
});
