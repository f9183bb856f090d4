/**
 * Runs one measurement in a fresh process (Node: bench/compare/node/run.mjs, Python:
 * bench/compare/py/run.py) and parses the JSON line it prints. Arguments go through a file
 * (a thousand file names do not fit the argument limit).
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TOOLS } from "./tools.mjs";

let sequence = 0;

/**
 * @typedef {{ seconds: number; peak_rss_mb: number; rss_start_mb: number; parts: Record<string, number>; warm_seconds?: number;
 *   variables?: string[]; info?: Record<string, any>; backend?: string; wall_seconds: number }} Measurement
 * @typedef {{ ok: true; value: Measurement } | { ok: false; error: string }} ChildResult
 */

/**
 * @param {import("./config.mjs").Config} cfg
 * @param {string} workDir
 * @param {string} tool key of TOOLS
 * @param {string} op
 * @param {Record<string, unknown>} args
 * @returns {Promise<ChildResult>}
 */
export function runChild(cfg, workDir, tool, op, args) {
  const spec = TOOLS[tool];
  if (spec === undefined) throw new Error(`unknown tool ${tool}`);
  mkdirSync(join(workDir, "args"), { recursive: true });
  const argsFile = join(workDir, "args", `${++sequence}.json`);
  writeFileSync(argsFile, JSON.stringify(args));
  const [command, script] =
    spec.runtime === "node"
      ? [process.execPath, join(cfg.repo, "bench/compare/node/run.mjs")]
      : [cfg.python, join(cfg.repo, "bench/compare/py/run.py")];
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, [script, op, `@${argsFile}`], {
      cwd: cfg.repo,
      env: { ...process.env, ...spec.env, RUST_LOG: "error", PYTHONWARNINGS: "ignore" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
      if (stderr.length > 1e6) stderr = stderr.slice(-5e5);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), cfg.childTimeoutSeconds * 1000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split("\n").pop() ?? "";
      if (code === 0 && last.startsWith("{")) {
        resolve({ ok: true, value: { ...JSON.parse(last), wall_seconds: (performance.now() - started) / 1000 } });
        return;
      }
      const why = signal ? `killed by ${signal}${signal === "SIGKILL" ? " (timeout?)" : ""}` : `exit code ${code}`;
      const tail = stderr.trim().split("\n").slice(-6).join("\n");
      resolve({ ok: false, error: `${why}: ${tail}` });
    });
  });
}
