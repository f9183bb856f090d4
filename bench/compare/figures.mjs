/**
 * Figures beside the tool-vs-tool tasks: the manifest and combine benchmarks (issues 2 and 7,
 * same code as their own bench scripts) and, when present, the browser scanning benchmark
 * (issue 9, bench/browser-scan.mjs).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** @param {import("./config.mjs").Config} cfg @param {"manifest" | "combine"} which */
export function singleToolFigures(cfg, which) {
  const r = spawnSync(process.execPath, ["--expose-gc", join(cfg.repo, "bench/compare/node/figures.mjs"), which, String(cfg.scale)], {
    cwd: cfg.repo,
    encoding: "utf8",
    maxBuffer: 64 * 2 ** 20,
  });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !last.startsWith("{"))
    return { error: `${which} figures failed: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}` };
  return JSON.parse(last);
}

/**
 * Runs bench/browser-scan.mjs (the browser work's benchmark: the same file scanned in headless
 * Chromium and in Node) on the 1M-chunk netCDF-4 file, if this checkout has it. Only at
 * scale 1: it writes its own bench/results/browser-scan-<file>-<date>.md, which a smoke run
 * must not overwrite.
 * @param {import("./config.mjs").Config} cfg
 * @param {string} file
 * @returns {{ present: false; reason: string } | { present: true; ok: boolean; output: string; ratio?: number }}
 */
export function browserScan(cfg, file) {
  const script = join(cfg.repo, "bench/browser-scan.mjs");
  if (!existsSync(script)) return { present: false, reason: "bench/browser-scan.mjs is not in this checkout" };
  if (cfg.scale !== 1) return { present: false, reason: "bench/browser-scan.mjs runs at scale 1 only (it writes its own results file)" };
  const r = spawnSync(process.execPath, [script, file, "--runs", "3"], { cwd: cfg.repo, encoding: "utf8", timeout: 900_000 });
  const output = `${r.stdout}`.trim();
  const m = /within 2× of native: (?:met|NOT met) \(([\d.]+)×\)/.exec(output);
  return { present: true, ok: r.status === 0, output: output || `${r.stderr}`.trim(), ratio: m ? Number(m[1]) : undefined };
}
