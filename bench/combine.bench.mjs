// Combine benchmark (issue #7): 10,000 single-file datasets of 100 chunks each (time × lat ×
// lon, loaded time/lat/lon coordinates, a packed data variable) joined along time by
// `concat` and ordered by `combineByCoords`; target < 0.5 s on the native backend.
// Run after the build:  node bench/combine.bench.mjs   (VZARR_BENCH_SCALE=0.1 for a quick run)
import os from "node:os";
import { measureCombineFigures } from "./lib/combine-figures.mjs";

const scale = Number(process.env.VZARR_BENCH_SCALE ?? 1);
const { rows } = await measureCombineFigures(scale);
console.log(`# Combine benchmark (${new Date().toISOString().slice(0, 10)}, scale ${scale})\n`);
console.log(
  `Machine: ${os.cpus()[0]?.model ?? "?"} × ${os.cpus().length}, Node ${process.version}; target: native concat of 10,000 files < 500 ms\n`,
);
console.log("| task | median ms | min ms | max ms |\n|---|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.task} | ${r.median.toFixed(1)} | ${r.min.toFixed(1)} | ${r.max.toFixed(1)} |`);
