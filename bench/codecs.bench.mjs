// Codec benchmark: decoding one large chunk per codec the core decodes, on the native and the
// wasm backend, beside the JavaScript-side decoders for the same codec (Node's zlib, which
// vzarr uses in Node; fflate, the JavaScript inflater browsers used before the core's) and,
// when VZARR_BENCH_BASELINE names another checkout with its own built dist/, that
// checkout's core too — the before/after of a codec change in one run.
//
//   node bench/codecs.bench.mjs                 # after `npm run build` and setup-python.sh
//   VZARR_BENCH_BASELINE=/path/to/old-checkout node bench/codecs.bench.mjs
//
// Chunks come from bench/datagen/codec_chunks.py (written by each codec's reference
// implementation); every decoder's output is checked against the reference's decoded bytes.
// Timed: the outermost codec step alone (the compression), in interleaved rounds (each round
// runs every implementation once, in rotated order); reported as median and p90 MB/s of
// decoded output, and as ratios to the baseline. Writes bench/results/codecs-<date>.md.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { inflateSync } from "node:zlib";
import { unzlibSync } from "fflate";

const REPO = resolve(fileURLToPath(new URL("..", import.meta.url)));
const SCALE = Number(process.env.VZARR_BENCH_SCALE ?? 1);
const ROUNDS = Number(process.env.VZARR_BENCH_ROUNDS ?? 15);

function datasets() {
  const python = join(REPO, ".venv", "bin", "python");
  const out = execFileSync(python, [join(REPO, "bench", "make_data.py"), "--scale", String(SCALE)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(readFileSync(out.trim().split("\n").pop(), "utf8")).datasets.codec_chunks;
}

/** Both backends of the checkout at `root` (its dist/ must be built). */
async function coresOf(root, label) {
  const artifacts = await import(join(root, "dist", "backend", "artifacts.js"));
  const { createNativeCore } = await import(join(root, "dist", "backend", "native.js"));
  const { createWasmCore } = await import(join(root, "dist", "backend", "wasm.js"));
  const require = createRequire(import.meta.url);
  return [
    { label: `${label} native`, core: createNativeCore(require(artifacts.nativeAddonPath())) },
    { label: `${label} wasm`, core: createWasmCore(new WebAssembly.Module(readFileSync(artifacts.wasmModulePath()))) },
  ];
}

function coreDecoder(core, spec, c) {
  if (!core.codecSupported().includes(spec.name)) return null;
  const json = JSON.stringify(spec);
  const shape = Float64Array.from(c.chunk_shape);
  return (bytes) => core.codecDecode(json, bytes, c.dtype, shape);
}

/** The JavaScript decoders vzarr itself uses for a codec (not the core's). */
function javascriptDecoders(spec) {
  if (spec.name !== "numcodecs.zlib") return [];
  return [
    { label: "node:zlib", decode: (b) => inflateSync(b) },
    { label: "fflate (JavaScript)", decode: (b) => unzlibSync(b) },
  ];
}

function equalBytes(a, b) {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** Applies the remaining (inner) codec steps with the current core, for the output check. */
function finish(core, c, bytes) {
  let out = bytes;
  for (let i = c.codecs.length - 2; i >= 0; i--) {
    const spec = c.codecs[i];
    if (spec.name === "bytes") continue;
    out = coreDecoder(core, spec, c)(out);
  }
  return out;
}

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
};

const data = datasets();
const current = await coresOf(REPO, process.env.VZARR_BENCH_BASELINE ? "after" : "vzarr");
const baseline = process.env.VZARR_BENCH_BASELINE ? await coresOf(resolve(process.env.VZARR_BENCH_BASELINE), "before") : [];
const checker = current[0].core;
const rows = [];

for (const c of data.cases) {
  const raw = new Uint8Array(readFileSync(join(data.folder, `${c.name}.raw`)));
  const expected = new Uint8Array(readFileSync(join(data.folder, `${c.name}.expected`)));
  const spec = c.codecs[c.codecs.length - 1];
  const impls = [...baseline, ...current]
    .map(({ label, core }) => ({ label, decode: coreDecoder(core, spec, c) }))
    .concat(javascriptDecoders(spec))
    .filter((i) => i.decode !== null);
  for (const impl of impls) {
    const out = finish(checker, c, impl.decode(raw));
    if (!equalBytes(out, expected)) throw new Error(`${c.name}: ${impl.label} decoded other bytes than the reference`);
    impl.ms = [];
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < impls.length; k++) {
      const impl = impls[(k + round) % impls.length];
      const t0 = performance.now();
      impl.decode(raw);
      impl.ms.push(performance.now() - t0);
    }
  }
  for (const impl of impls) {
    const median = percentile(impl.ms, 0.5);
    rows.push({
      codec: c.name,
      step: spec.name,
      impl: impl.label,
      median,
      p90: percentile(impl.ms, 0.9),
      mbps: c.decoded_bytes / 1e6 / (median / 1e3),
    });
  }
  process.stderr.write(`${c.name}: ${impls.map((i) => i.label).join(", ")}\n`);
}

const ratioTo = (r) => {
  if (!r.impl.startsWith("after")) return "";
  const before = rows.find((b) => b.codec === r.codec && b.impl === r.impl.replace("after", "before"));
  return before ? `${(before.median / r.median).toFixed(2)}×` : "new";
};
const date = new Date().toISOString().slice(0, 10);
const lines = [
  `# Codec benchmark (${date}, scale ${SCALE})`,
  "",
  `Machine: ${os.cpus()[0]?.model ?? "?"} × ${os.cpus().length}, Node ${process.version}. One chunk per case (bench/datagen/codec_chunks.py), the outermost codec step timed alone, ${ROUNDS} interleaved rounds.${baseline.length ? ` Baseline: ${process.env.VZARR_BENCH_BASELINE}.` : ""}`,
  "",
  "| chunk | step | implementation | median ms | p90 ms | MB/s decoded | speed-up vs before |",
  "|---|---|---|---:|---:|---:|---:|",
  ...rows.map(
    (r) => `| ${r.codec} | ${r.step} | ${r.impl} | ${r.median.toFixed(2)} | ${r.p90.toFixed(2)} | ${r.mbps.toFixed(0)} | ${ratioTo(r)} |`,
  ),
];
const text = `${lines.join("\n")}\n`;
process.stdout.write(text);
if (SCALE === 1) writeFileSync(join(REPO, "bench", "results", `codecs-${date}.md`), text);
