/** `scripts/demo.mjs`, the README's main job on the bundled sample archive, runs and its numbers match. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { core } from "./helpers/backend.js";
import { repoRoot } from "./helpers/paths.js";

describe(`demo (${core.kind} backend)`, () => {
  it("combines the sample archive, writes kerchunk and Icechunk, appends a month, and reads back the values of the original files", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(repoRoot, "scripts", "demo.mjs")], {
      env: { ...process.env, VZARR_BACKEND: core.kind },
      timeout: 60_000,
    });
    expect(stdout).toContain(`(${core.kind} backend)`);
    expect(stdout).toMatch(/combined 24 files along time in \d+ ms: dims \{"time":731,"lat":12,"lon":24\}, 1462 chunk references/);
    expect(stdout).toMatch(/wrote .*sample-archive\.json/);
    expect(stdout).toMatch(
      /wrote .*sample-archive\.icechunk: snapshot [0-9A-Z]{20}, then appended .*air_2025-01\.nc as snapshot [0-9A-Z]{20}/,
    );
    const rows = stdout.split("\n").filter((l) => /^ {2}\d{4}-\d\d-\d\d lat/.test(l));
    expect(rows.length).toBe(24);
    expect(rows[0]).toMatch(/^ {2}2023-02-27 /);
    expect(rows[11]).toMatch(/^ {2}2023-03-02 /);
    expect(rows[12]).toMatch(/^ {2}2024-12-30 /);
    expect(rows[23]).toMatch(/^ {2}2025-01-02 /);
    for (const row of rows) {
      const [left, right] = row.split("|").map((s) => s.trim().split(/\s+/).pop());
      expect(left).toBe(right);
    }
    expect(stdout).toContain("all values match");
  });
});
