/**
 * Runs one task: a first run of every tool (with the dumps verification needs, taken after
 * the measured part), the verification, then the remaining runs round-robin (so drifting
 * machine load spreads over all tools), each in a fresh process.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runChild } from "./child.mjs";
import { plannedRuns } from "./config.mjs";
import { TOOLS } from "./tools.mjs";
import { laterRunProblem, verifyTask } from "./verify.mjs";

/**
 * @typedef {{ key: string; tool: string; label: string; runs: import("./child.mjs").Measurement[];
 *   errors: string[]; planned: number; verdict: import("./verify.mjs").Verdict }} EntryResult
 * @typedef {{ task: import("./tasks.mjs").Task; entries: EntryResult[]; load: number[]; wallSeconds: number;
 *   verifySeconds: number }} TaskResult
 */

/**
 * @param {import("./config.mjs").Config} cfg
 * @param {import("./tasks.mjs").Task} task
 * @param {string} work
 * @param {(line: string) => void} log
 * @returns {Promise<TaskResult>}
 */
export async function runTask(cfg, task, work, log) {
  const dirs = { dumps: join(work, "dumps", task.id), npy: join(work, "npy", task.id), work };
  mkdirSync(dirs.dumps, { recursive: true });
  mkdirSync(dirs.npy, { recursive: true });
  const { loadavg } = await import("node:os");
  const load = [loadavg()[0]];
  const started = performance.now();

  /** @param {import("./tasks.mjs").Entry} entry @param {boolean} first */
  const once = async (entry, first) => {
    const args = { ...entry.args };
    if (first && task.verify.kind === "refs") args.dump = join(dirs.dumps, entry.key);
    if (first && task.verify.kind === "values") args.npy = join(dirs.npy, `${entry.key}.npy`);
    if (typeof args.out === "string") {
      rmSync(args.out, { recursive: true, force: true });
      mkdirSync(join(args.out, ".."), { recursive: true });
    }
    return runChild(cfg, work, entry.tool, entry.op, args);
  };

  /** @type {EntryResult[]} */
  const results = task.entries.map((e) => ({
    key: e.key,
    tool: e.tool,
    label: e.label ?? TOOLS[e.tool]?.label ?? e.tool,
    runs: [],
    errors: [],
    planned: 1,
    verdict: { valid: false, problems: [], notes: [] },
  }));
  /** @type {Map<string, import("./child.mjs").Measurement>} */
  const first = new Map();
  for (const [i, entry] of task.entries.entries()) {
    const r = /** @type {EntryResult} */ (results[i]);
    const got = await once(entry, true);
    if (got.ok) {
      r.runs.push(got.value);
      first.set(entry.key, got.value);
      log(`  ${r.label}: ${describe(task, got.value)} (verification run)`);
    } else {
      r.errors.push(got.error);
      log(`  ${r.label}: FAILED ${got.error}`);
    }
  }
  const verifyStart = performance.now();
  const verdicts = await verifyTask(cfg, task, first, dirs);
  const verifySeconds = (performance.now() - verifyStart) / 1000;
  for (const r of results) {
    r.verdict = /** @type {import("./verify.mjs").Verdict} */ (verdicts.get(r.key));
    if (!r.verdict.valid) log(`  !! ${r.label}: NOT EQUIVALENT — ${r.verdict.problems.join("; ")}`);
    const firstRun = r.runs[0];
    r.planned = firstRun ? plannedRuns(cfg, firstRun.wall_seconds) : 0;
  }
  const rounds = Math.max(0, ...results.map((r) => r.planned));
  for (let round = 1; round < rounds; round++) {
    for (const [i, entry] of task.entries.entries()) {
      const r = /** @type {EntryResult} */ (results[i]);
      if (round >= r.planned) continue;
      const got = await once(entry, false);
      if (!got.ok) {
        r.errors.push(got.error);
        log(`  ${r.label}: run ${round + 1} FAILED ${got.error}`);
        continue;
      }
      const problem = laterRunProblem(task, got.value);
      if (problem) r.verdict = { valid: false, problems: [...r.verdict.problems, problem], notes: r.verdict.notes };
      r.runs.push(got.value);
      log(`  ${r.label}: ${describe(task, got.value)} (run ${round + 1}/${r.planned})`);
    }
  }
  load.push(loadavg()[0]);
  return { task, entries: results, load, wallSeconds: (performance.now() - started) / 1000, verifySeconds };
}

/** @param {import("./tasks.mjs").Task} task @param {import("./child.mjs").Measurement} m */
function describe(task, m) {
  const requests = task.metric === "requests" ? `, ${m.info?.requests} requests` : "";
  return `${m.seconds.toFixed(3)} s (process ${m.wall_seconds.toFixed(1)} s), peak ${m.peak_rss_mb.toFixed(0)} MB${requests}`;
}
