/**
 * Settings of a comparison run, all from the environment:
 *
 *   VZARR_BENCH_SCALE   dataset sizes (1 = the sizes: 1M-chunk files, 1,000 files,
 *                       ~1 GB GRIB, 10M references; 0.05 = smoke run). Default 1.
 *   VZARR_BENCH_REPS    runs per tool and task (default 3), each in a fresh process …
 *   VZARR_BENCH_BUDGET  … but no more runs than fit in this many seconds of wall-clock time
 *                       per tool and task (default 30), judged by the first run's process
 *                       (start-up and input building included): the slowest Python cases get
 *                       fewer runs (down to 1), and the report says how many.
 * The Python side runs in .venv (scripts/setup-python.sh; VZARR_PYTHON picks the interpreter it is made from).
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** @typedef {{ scale: number; reps: number; budgetSeconds: number; python: string; repo: string;
 *   childTimeoutSeconds: number }} Config */

/** @returns {Config} */
export function loadConfig() {
  const number = (name, fallback) => {
    const raw = process.env[name];
    const value = raw === undefined || raw === "" ? fallback : Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
    return value;
  };
  const python = join(REPO, ".venv", "bin", "python");
  if (!existsSync(python)) {
    throw new Error(`no Python reference stack at ${python}: run \`bash scripts/setup-python.sh\``);
  }
  if (!existsSync(join(REPO, "dist", "index.js"))) throw new Error("dist/ is missing: run `npm run build`");
  return {
    scale: number("VZARR_BENCH_SCALE", 1),
    reps: Math.round(number("VZARR_BENCH_REPS", 3)),
    budgetSeconds: number("VZARR_BENCH_BUDGET", 30),
    childTimeoutSeconds: number("VZARR_BENCH_TIMEOUT", 1800),
    python,
    repo: REPO,
  };
}

/** How many runs a tool gets on a task, given the wall-clock seconds of its first run's process. */
export function plannedRuns(/** @type {Config} */ cfg, /** @type {number} */ firstWallSeconds) {
  return Math.max(1, Math.min(cfg.reps, Math.floor(cfg.budgetSeconds / Math.max(firstWallSeconds, 1e-3))));
}
