/**
 * Every finding of the fuzz harnesses (docs/fuzzing.md) stays fixed: the saved inputs in
 * test/fixtures/fuzz run through scripts/fuzz-node.mjs (openVirtualDataset + readArray of
 * every variable, in a child process with time and memory limits) on this backend, and each
 * must end as `ok` or a tagged error — no untagged error, crash, hang or allocation beyond
 * 4x its size plus its declared output.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { core } from "./helpers/backend.js";

const root = join(import.meta.dirname, "..");
const inputs = join(root, "test", "fixtures", "fuzz");

it(`the saved fuzz findings end tagged or ok (${core.kind} backend)`, () => {
  expect(readdirSync(inputs).filter((f) => f.endsWith(".bin")).length).toBeGreaterThan(0);
  const out = mkdtempSync(join(tmpdir(), "vzarr-fuzz-regressions-"));
  try {
    const r = spawnSync(
      process.execPath,
      [join(root, "scripts", "fuzz-node.mjs"), "--inputs", inputs, "--backends", core.kind, "--out", out, "--quiet"],
      {
        encoding: "utf8",
        timeout: 120_000,
      },
    );
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/untagged\tcrash\thang\talloc/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 150_000);
