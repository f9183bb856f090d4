/**
 * `npm run bench:compare`: vzarr side by side with kerchunk and VirtualiZarr, in one run on
 * the same files. Generates (or reuses) the datasets, runs every task (verification first,
 * then timed runs in fresh processes), judges the issues' targets, writes
 * bench/results/<date>.md and .svg, and prints the report. Settings: see config.mjs.
 *   VZARR_BENCH_ONLY=id,id   run only these tasks (development; ids in tasks.mjs)
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { renderChart } from "./chart-svg.mjs";
import { loadConfig } from "./config.mjs";
import { browserScan, singleToolFigures } from "./figures.mjs";
import { machineInfo } from "./machine.mjs";
import { renderReport } from "./report-md.mjs";
import { runTask } from "./run-task.mjs";
import { writeDailyOutputs } from "./setup-outputs.mjs";
import { judgeTargets } from "./targets.mjs";
import { buildTasks } from "./tasks.mjs";

const log = (/** @type {string} */ line) => process.stderr.write(`${line}\n`);
const started = performance.now();
const cfg = loadConfig();
const machine = machineInfo(cfg);
log(`bench:compare — scale ${cfg.scale}, ${machine.cpu} × ${machine.cores}, load ${machine.loadStart[0].toFixed(2)}`);

log("datasets: bench/make_data.py (cached per scale)");
const datasetsFile = execFileSync(cfg.python, [join(cfg.repo, "bench/make_data.py"), "--scale", String(cfg.scale)], {
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
})
  .trim()
  .split("\n")
  .pop();
const datasets = JSON.parse(readFileSync(/** @type {string} */ (datasetsFile), "utf8"));
const work = join(datasets.root, "work");
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const only = process.env.VZARR_BENCH_ONLY?.split(",").filter(Boolean);
const tasks = buildTasks(datasets.datasets, work).filter((t) => !only || only.includes(t.id));
/** @type {import("./run-task.mjs").TaskResult[]} */
const results = [];
let outputsWritten = false;
for (const task of tasks) {
  log(`\n${task.group} — ${task.title}`);
  if (task.setup === "write-daily-outputs" && !outputsWritten) {
    log("  (setup: vzarr refs → kerchunk JSON, Parquet, Icechunk)");
    writeDailyOutputs(cfg, datasets.datasets.daily, work);
    outputsWritten = true;
  }
  results.push(await runTask(cfg, task, work, log));
}

/** @type {{ manifest?: any; combine?: any; browser?: any }} */
const figures = {};
if (!only) {
  log("\nsingle-tool figures: manifests, combine, browser scan");
  figures.manifest = singleToolFigures(cfg, "manifest");
  figures.combine = singleToolFigures(cfg, "combine");
  figures.browser = browserScan(cfg, datasets.datasets.nc4_1m.path);
}

const date = new Date().toISOString().slice(0, 10);
const stem = cfg.scale === 1 ? date : `${date}-scale-${cfg.scale}`;
const resultsDir = join(cfg.repo, "bench", "results");
mkdirSync(resultsDir, { recursive: true });
const chart = `${stem}.svg`;
writeFileSync(join(resultsDir, chart), renderChart(results, `vzarr vs kerchunk vs VirtualiZarr (${date}, scale ${cfg.scale})`));
const report = renderReport({
  date,
  cfg,
  machine,
  loadEnd: os.loadavg(),
  minutes: (performance.now() - started) / 60_000,
  results,
  targets: judgeTargets(results, figures),
  figures,
  chart,
});
writeFileSync(join(resultsDir, `${stem}.md`), report);
process.stdout.write(report);
log(`\nwrote bench/results/${stem}.md and ${chart}`);
