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
 * Runs bench/browser-scan.mjs (added by the browser work) if this checkout has it.
 * @param {import("./config.mjs").Config} cfg
 * @returns {{ present: false } | { present: true; ok: boolean; output: string; figures?: Record<string, any> }}
 */
export function browserScan(cfg) {
  const script = join(cfg.repo, "bench/browser-scan.mjs");
  if (!existsSync(script)) return { present: false };
  const r = spawnSync(process.execPath, [script], {
    cwd: cfg.repo,
    encoding: "utf8",
    env: { ...process.env, VZARR_BENCH_JSON: "1" },
    timeout: 900_000,
  });
  const output = `${r.stdout}`.trim();
  const last = output.split("\n").pop() ?? "";
  let figures;
  try {
    figures = last.startsWith("{") ? JSON.parse(last) : undefined;
  } catch {
    figures = undefined;
  }
  return { present: true, ok: r.status === 0, output: output || `${r.stderr}`.trim(), figures };
}
