// Native allocation predictability: the addon's large allocations in fresh processes, with
// transparent huge pages off (the addon's default, crates/vzarr-node tune_allocator) and on
// (MIMALLOC_ALLOW_THP=1), interleaved in one run. Reports median and p90 of each: the
// slow mode THP brings on this kernel's `madvise` setting shows in the p90 (and max), not in
// the median of a warm process.
//
//   node bench/native-allocation.bench.mjs [processes]      (after `npm run build`)
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const RUNS = Number(process.argv[2] ?? 15);

const child = `
(async () => {
  const { createNativeCore } = await import(${JSON.stringify(join(REPO, "dist/backend/native.js"))});
  const { nativeAddonPath } = await import(${JSON.stringify(join(REPO, "dist/backend/artifacts.js"))});
  const { ChunkManifest } = await import(${JSON.stringify(join(REPO, "dist/index.js"))});
  const core = createNativeCore(require(nativeAddonPath()));
  const parts = [];
  for (let p = 0; p < 200; p++) {
    const n = 10000, ids = new Uint32Array(n), offsets = new BigUint64Array(n), lengths = new BigUint64Array(n);
    for (let i = 0; i < n; i++) { offsets[i] = BigInt(i * 4096); lengths[i] = 4096n; }
    parts.push(ChunkManifest.fromArrays({ shape: [n], paths: { table: ["s3://b/f" + p + ".nc"], ids }, offsets, lengths }, core));
  }
  let t = performance.now();
  const c = ChunkManifest.concat(parts, 0);
  const concat = performance.now() - t;
  c.free();
  const big = new Uint8Array(8 << 20).fill(1);
  t = performance.now();
  for (let r = 0; r < 10; r++) core.codecDecode(JSON.stringify({ name: "numcodecs.shuffle", configuration: { elementsize: 4 } }), big, "<f4", Float64Array.from([2 << 20]));
  const decode = performance.now() - t;
  console.log(JSON.stringify({ concat, decode }));
})();`;

const modes = { "THP off (default)": {}, "THP on (MIMALLOC_ALLOW_THP=1)": { MIMALLOC_ALLOW_THP: "1" } };
const samples = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
for (let r = 0; r < RUNS; r++) {
  for (const [mode, env] of Object.entries(modes)) {
    const out = execFileSync(process.execPath, ["-e", child], { env: { ...process.env, ...env }, encoding: "utf8" });
    samples[mode].push(JSON.parse(out.trim().split("\n").pop()));
  }
}
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
};
const lines = [
  `# Native allocations in fresh processes (${new Date().toISOString().slice(0, 10)})`,
  "",
  `Machine: ${os.cpus()[0]?.model ?? "?"} × ${os.cpus().length}, Node ${process.version}; ${RUNS} processes per mode, interleaved. THP setting of the kernel: ${(() => {
    try {
      return execFileSync("cat", ["/sys/kernel/mm/transparent_hugepage/enabled"], { encoding: "utf8" }).trim();
    } catch {
      return "unknown";
    }
  })()}.`,
  "",
  "| mode | task | median ms | p90 ms | max ms |",
  "|---|---|---:|---:|---:|",
];
for (const [mode, list] of Object.entries(samples)) {
  for (const [task, key] of [
    ["concat 200 × 10,000-chunk manifests", "concat"],
    ["10 × unshuffle 8 MiB", "decode"],
  ]) {
    const xs = list.map((s) => s[key]);
    lines.push(`| ${mode} | ${task} | ${pct(xs, 0.5).toFixed(1)} | ${pct(xs, 0.9).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |`);
  }
}
const text = `${lines.join("\n")}\n`;
process.stdout.write(text);
writeFileSync(join(REPO, "bench", "results", `native-allocation-${new Date().toISOString().slice(0, 10)}.md`), text);
