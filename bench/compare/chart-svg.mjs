/**
 * A dependency-free SVG chart of the results: per task, one horizontal bar per tool (median
 * time, log scale, so a 100× gap and a 2× gap are both readable), whiskers for min–max.
 */
import { formatDecade, formatRatio, formatSeconds } from "./format.mjs";
import { median } from "./stats.mjs";

const COLORS = {
  "vzarr-native": "#1f5fa8",
  "vzarr-wasm": "#6fa8dc",
  kerchunk: "#e8871e",
  virtualizarr: "#3a9a48",
  xarray: "#8e6bbf",
  eccodes: "#a0522d",
  baseline: "#7a7a7a",
  zarrita: "#d0589e",
};

const escapeXml = (/** @type {string} */ s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * @param {import("./run-task.mjs").TaskResult[]} results
 * @param {string} title
 * @returns {string}
 */
export function renderChart(results, title) {
  const rows = results.map((r) => {
    const ref = r.entries.find((e) => e.key === r.task.reference);
    const refMedian = ref?.runs.length ? median(ref.runs.map((m) => m.seconds)) : NaN;
    return {
      title: r.task.title,
      bars: r.entries
        .filter((e) => e.runs.length > 0)
        .map((e) => {
          const xs = e.runs.map((m) => m.seconds);
          const med = median(xs);
          const ratio = e.key === r.task.reference || !Number.isFinite(refMedian) ? "" : ` (${formatRatio(med / refMedian)})`;
          return { label: e.label, tool: e.tool, median: med, ratio, min: Math.min(...xs), max: Math.max(...xs), valid: e.verdict.valid };
        }),
    };
  });
  const all = rows.flatMap((r) => r.bars.flatMap((b) => [b.min, b.max])).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
  const left = 330;
  const plot = 520;
  const width = left + plot + 90;
  const bar = 13;
  const gap = 4;
  const head = 22;
  const top = 64;
  const xOf = (/** @type {number} */ v) => left + (plot * Math.log10(Math.max(v, lo) / lo)) / Math.log10(hi / lo);
  let y = top;
  const parts = [];
  for (const row of rows) {
    parts.push(`<text x="8" y="${y + 15}" class="task">${escapeXml(row.title)}</text>`);
    y += head;
    for (const b of row.bars) {
      const color = COLORS[/** @type {keyof typeof COLORS} */ (b.tool)] ?? "#444";
      const x1 = xOf(b.median);
      parts.push(
        `<text x="${left - 8}" y="${y + bar - 3}" class="label" text-anchor="end">${escapeXml(b.label)}${b.valid ? "" : " (not equivalent!)"}</text>`,
        `<rect x="${left}" y="${y}" width="${Math.max(1, x1 - left).toFixed(1)}" height="${bar}" fill="${color}"${b.valid ? "" : ' fill-opacity="0.35"'}/>`,
        `<line x1="${xOf(b.min).toFixed(1)}" x2="${xOf(b.max).toFixed(1)}" y1="${y + bar / 2}" y2="${y + bar / 2}" stroke="#222" stroke-width="1"/>`,
        `<text x="${(Math.max(x1, xOf(b.max)) + 5).toFixed(1)}" y="${y + bar - 3}" class="value">${formatSeconds(b.median)}${b.ratio}</text>`,
      );
      y += bar + gap;
    }
    y += 8;
  }
  const grid = [];
  for (let v = lo; v <= hi * 1.0001; v *= 10) {
    const gx = xOf(v).toFixed(1);
    grid.push(
      `<line x1="${gx}" x2="${gx}" y1="${top - 6}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${gx}" y="${top - 10}" class="axis" text-anchor="middle">${formatDecade(v)}</text>`,
    );
  }
  const height = y + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    "<style>.task{font-size:13px;font-weight:bold;fill:#222}.label{font-size:11px;fill:#333}.value{font-size:10px;fill:#333}.axis{font-size:10px;fill:#666}.title{font-size:15px;font-weight:bold}.sub{font-size:11px;fill:#555}</style>",
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="8" y="20" class="title">${escapeXml(title)}</text>`,
    `<text x="8" y="36" class="sub">median time per run (log scale; whiskers: min–max; each run a fresh process). Shorter is faster; (×N) = time ÷ the task's reference (vzarr native, or the read baseline).</text>`,
    ...grid,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
