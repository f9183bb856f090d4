/**
 * Untimed setup of the read-back tasks: the daily archive combined along time and written as
 * kerchunk JSON, kerchunk Parquet and an Icechunk repository by the `vzarr refs` CLI — the
 * outputs every reader then reads one variable back through.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * @param {import("./config.mjs").Config} cfg
 * @param {Record<string, any>} daily datasets.json's "daily"
 * @param {string} work
 */
export function writeDailyOutputs(cfg, daily, work) {
  const folder = join(work, "read");
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const cli = join(cfg.repo, "dist/cli/main.js");
  const common = ["refs", daily.glob, "--concat-dim", daily.concat_dim];
  const outputs = [
    ["daily.json", ["--format", "kerchunk-json"]],
    ["daily.parquet", ["--format", "kerchunk-parquet", "--record-size", "100000"]],
    ["daily.icechunk", ["--format", "icechunk", "--container", `file://${dirname(daily.glob)}/`]],
  ];
  for (const [name, extra] of outputs) {
    execFileSync(process.execPath, [cli, ...common, "-o", join(folder, /** @type {string} */ (name)), .../** @type {string[]} */ (extra)], {
      env: { ...process.env, VZARR_BACKEND: "native" },
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
}
