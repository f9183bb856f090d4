/** The results as Markdown: machine, targets, one table per task, the single-tool figures. */
import { formatRate, formatRatio, formatSeconds } from "./format.mjs";
import { median } from "./stats.mjs";

/**
 * @typedef {{ date: string; cfg: import("./config.mjs").Config; machine: ReturnType<typeof import("./machine.mjs").machineInfo>;
 *   loadEnd: number[]; minutes: number; results: import("./run-task.mjs").TaskResult[];
 *   targets: import("./targets.mjs").TargetResult[]; figures: { manifest?: any; combine?: any; browser?: any }; chart: string }} Report
 */

/** @param {import("./run-task.mjs").TaskResult} r */
export function taskTable(r) {
  const ref = r.entries.find((e) => e.key === r.task.reference);
  const refMedian = ref?.runs.length ? median(ref.runs.map((m) => m.seconds)) : NaN;
  const requests = r.task.metric === "requests";
  const lines = [
    `| tool | runs | median | min – max | ${requests ? "HTTP requests" : "rate"} | peak RSS | time ÷ ${ref?.label ?? r.task.reference} | equivalent |`,
    "|---|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const e of r.entries) {
    if (e.runs.length === 0) {
      lines.push(`| ${e.label} | 0 | failed | | | | | ${e.errors[0]?.split("\n")[0]?.slice(0, 120) ?? ""} |`);
      continue;
    }
    const xs = e.runs.map((m) => m.seconds);
    const med = median(xs);
    const rate = requests
      ? String(e.runs[0]?.info?.requests ?? "–")
      : r.task.count
        ? formatRate(r.task.count.n / med, r.task.count.unit)
        : "";
    const peak = Math.max(...e.runs.map((m) => m.peak_rss_mb));
    const equivalent = e.verdict.valid ? "yes" : `**NO** — ${e.verdict.problems[0] ?? ""}`;
    const runs = e.errors.length ? `${e.runs.length} (+${e.errors.length} failed)` : String(e.runs.length);
    lines.push(
      `| ${e.label} | ${runs} | ${formatSeconds(med)} | ${formatSeconds(Math.min(...xs))} – ${formatSeconds(Math.max(...xs))} | ${rate} | ${peak.toFixed(0)} MB | ${
        e.key === r.task.reference ? "1" : formatRatio(med / refMedian)
      } | ${equivalent} |`,
    );
  }
  return lines.join("\n");
}

/** @param {Report} rep */
export function renderReport(rep) {
  const { machine: m, cfg } = rep;
  const out = [
    `# vzarr side by side with kerchunk and VirtualiZarr — ${rep.date}`,
    "",
    `\`npm run bench:compare\` at scale ${cfg.scale} (\`VZARR_BENCH_SCALE\`); up to ${cfg.reps} runs per tool and task, each in a fresh process, ` +
      `fewer where the first run's process showed that ${cfg.reps} would not fit in ${cfg.budgetSeconds} s (column "runs": the slowest Python cases ran once or twice); ` +
      `the whole run took ${rep.minutes.toFixed(0)} minutes.`,
    "Times are the operation alone, measured inside the process (interpreter start-up, imports, backend loading and building inputs excluded); " +
      "peak RSS is the process's maximum resident set right after the operation (interpreter included). Every comparison was checked for equivalent " +
      'chunk references or identical values before its times were compared (column "equivalent").',
    "",
    `![chart](${rep.chart})`,
    "",
    "## Machine",
    "",
    "| CPU | cores | RAM | load average at start (1, 5, 15 min) | at the end |",
    "|---|---:|---:|---|---|",
    `| ${m.cpu} | ${m.cores} | ${m.ramGiB.toFixed(0)} GiB | ${m.loadStart.map((v) => v.toFixed(2)).join(", ")} | ${rep.loadEnd.map((v) => v.toFixed(2)).join(", ")} |`,
    "",
    `${m.kernel}; vzarr ${m.vzarr} (commit ${m.commit}), Node ${m.node}; Python ${m.python}: ` +
      Object.entries(m.packages)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") +
      ".",
    "",
    m.loadStart[0] > m.cores * 0.5
      ? `The machine is shared: the load average was ${m.loadStart[0].toFixed(1)} on ${m.cores} cores when the run started, so absolute times are pessimistic and noisy; ratios within a task are measured under the same conditions (runs interleaved round-robin).`
      : "",
    "",
    "## Targets (issues 2–7, 9)",
    "",
    "| issue | target | measured | status |",
    "|---:|---|---|---|",
    ...rep.targets.map((t) => `| ${t.issue} | ${t.target} | ${t.measured} | ${t.status === "met" ? "met" : `**${t.status}**`} |`),
    "",
    "## Results",
  ];
  let group = "";
  for (const r of rep.results) {
    if (r.task.group !== group) {
      group = r.task.group;
      out.push("", `### ${group}`);
    }
    out.push("", `#### ${r.task.title}`, "", taskTable(r));
    const extra = [...(r.task.notes ?? [])];
    for (const e of r.entries) {
      for (const note of e.verdict.notes ?? []) if (!/^(reference for|oracle)/.test(note)) extra.push(`${e.label}: ${note}`);
      if (!e.verdict.valid) extra.push(`**${e.label}: not equivalent** — ${e.verdict.problems.join("; ")}`);
      const warm = e.runs.map((m) => m.warm_seconds).filter((w) => w !== undefined);
      if (warm.length) extra.push(`${e.label}, repeat calls in the same process (median): ${formatSeconds(median(warm))}`);
      const parts = e.runs[0]?.parts ?? {};
      if (Object.keys(parts).length) {
        extra.push(
          `${e.label}, medians of its parts: ${Object.keys(parts)
            .map((k) => `${k} ${formatSeconds(median(e.runs.map((m) => m.parts[k] ?? NaN)))}`)
            .join(", ")}`,
        );
      }
    }
    extra.push(
      `Load average ${r.load.map((v) => v.toFixed(1)).join(" → ")} during this task; it took ${formatSeconds(r.wallSeconds)} of wall-clock time (verification ${formatSeconds(r.verifySeconds)}).`,
    );
    out.push("", ...extra.map((n) => `* ${n}`));
  }
  out.push("", "## Single-tool figures", "");
  const { manifest, combine, browser } = rep.figures;
  if (manifest && !manifest.error) {
    out.push(
      "Manifests (same code as `npm run bench`, both backends in one process):",
      "",
      "| task | median | min – max |",
      "|---|---:|---:|",
    );
    for (const row of manifest.rows)
      out.push(
        `| ${row.task} | ${formatSeconds(row.median_ms / 1000)} | ${formatSeconds(row.min_ms / 1000)} – ${formatSeconds(row.max_ms / 1000)} |`,
      );
    out.push("");
  }
  if (combine && !combine.error) {
    out.push(
      "Combining in-memory single-file datasets of 100 chunks (same code as `bench/combine.bench.mjs`):",
      "",
      "| task | median | min – max |",
      "|---|---:|---:|",
    );
    for (const row of combine.rows)
      out.push(
        `| ${row.task} | ${formatSeconds(row.median / 1000)} | ${formatSeconds(row.min / 1000)} – ${formatSeconds(row.max / 1000)} |`,
      );
    out.push("");
  }
  out.push(
    browser?.present
      ? `Browser scanning (\`node bench/browser-scan.mjs <1M-chunk netCDF-4 file> --runs 3\`)${browser.ok ? "" : " — failed"}:\n\n${browser.output
          .split("\n")
          .filter((/** @type {string} */ line) => !line.startsWith("# "))
          .join("\n")
          .slice(-3000)}`
      : `Browser scanning: ${browser?.reason ?? "not run"}.`,
    "",
  );
  return out.join("\n");
}
