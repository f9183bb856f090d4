// Manifest benchmarks (issue #2): building a 10-million-chunk manifest, concatenating
// 10,000 manifests of 1,000 chunks, on the native and the wasm backend, beside a memcpy
// baseline (Buffer.concat of the same column bytes), all in one run. Run after the build:
//   npm run bench            (VZARR_BENCH_SCALE=0.1 for a quick run)
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { measureManifestFigures } from "./lib/manifest-figures.mjs";

const scale = Number(process.env.VZARR_BENCH_SCALE ?? 1);
const { rows, bytesPerChunk, ratios } = await measureManifestFigures(scale);

const lines = [
  `# Manifest benchmark (${new Date().toISOString().slice(0, 10)}, scale ${scale})`,
  "",
  `Machine: ${os.cpus()[0]?.model ?? "?"} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  "",
  "| task | median ms | min ms | max ms |",
  "|---|---:|---:|---:|",
  ...rows.map((r) => `| ${r.task} | ${r.median_ms.toFixed(1)} | ${r.min_ms.toFixed(1)} | ${r.max_ms.toFixed(1)} |`),
  "",
  "| figure | value | target |",
  "|---|---:|---|",
  `| bytes per chunk (native) | ${bytesPerChunk.native.toFixed(2)} | ≤ 24 |`,
  `| bytes per chunk (wasm) | ${bytesPerChunk.wasm.toFixed(2)} | ≤ 24 |`,
  `| native concat / memcpy | ${ratios["native concat / memcpy"].toFixed(2)}× | ≤ 3× |`,
  `| wasm concat / memcpy | ${ratios["wasm concat / memcpy"].toFixed(2)}× | ≤ 3× |`,
  `| native concat / warm memcpy | ${ratios["native concat / warm memcpy"].toFixed(2)}× | (lower bound) |`,
  `| wasm concat / warm memcpy | ${ratios["wasm concat / warm memcpy"].toFixed(2)}× | (lower bound) |`,
  `| wasm / native (build) | ${ratios["wasm / native (build)"].toFixed(2)}× | ≤ 2× |`,
  `| wasm / native (concat) | ${ratios["wasm / native (concat)"].toFixed(2)}× | ≤ 2× |`,
];
const report = lines.join("\n") + "\n";
console.log(report);
if (scale === 1) {
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  writeFileSync(new URL(`./results/manifest-${new Date().toISOString().slice(0, 10)}.md`, import.meta.url), report);
}
