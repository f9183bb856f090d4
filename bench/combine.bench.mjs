// Combine benchmark (issue #7): 10,000 single-file datasets of 100 chunks each (time × lat ×
// lon, loaded time/lat/lon coordinates, a packed data variable) joined along time by
// `concat` and ordered by `combineByCoords`; target < 0.5 s on the native backend.
// Run after the build:  node bench/combine.bench.mjs   (VZARR_BENCH_SCALE=0.1 for a quick run)
import os from "node:os";
import { Bench } from "tinybench";
import {
  ChunkManifest,
  combineByCoords,
  concat,
  LoadedArray,
  loadBackend,
  ManifestArray,
  VirtualDataset,
  VirtualVariable,
} from "../dist/index.js";

const scale = Number(process.env.VZARR_BENCH_SCALE ?? 1);
const FILES = Math.round(10_000 * scale);
const T = 100;
const regular = (chunkShape) => ({ kind: "regular", chunkShape });
const codecs = [
  { name: "bytes", configuration: { endian: "little" } },
  { name: "zlib", configuration: { level: 4 } },
];

function fileDataset(core, i) {
  const file = `s3://era5-archive/single-levels/2m_temperature/file_${i}.nc`;
  const manifest = ChunkManifest.fromArrays(
    {
      shape: [T, 1, 1],
      paths: { table: [file], ids: new Uint32Array(T) },
      offsets: BigUint64Array.from({ length: T }, (_, k) => BigInt(4096 + k * 41_000)),
      lengths: new BigUint64Array(T).fill(41_000n),
    },
    core,
  );
  const air = new ManifestArray(
    { shape: [T, 73, 144], chunkGrid: regular([1, 73, 144]), dtype: "<i2", codecs, fillValue: -32767 },
    manifest,
  );
  const loaded = (values, dtype) =>
    new LoadedArray({ shape: [values.length], chunkGrid: regular([values.length]), dtype, codecs: [], fillValue: "NaN" }, values);
  return new VirtualDataset({
    variables: [
      [
        "time",
        new VirtualVariable(
          ["time"],
          loaded(
            Float64Array.from({ length: T }, (_, k) => i * T + k),
            "<f8",
          ),
          { units: "hours since 1940-01-01" },
        ),
      ],
      [
        "lat",
        new VirtualVariable(
          ["lat"],
          loaded(
            Float32Array.from({ length: 73 }, (_, k) => 90 - 2.5 * k),
            "<f4",
          ),
        ),
      ],
      [
        "lon",
        new VirtualVariable(
          ["lon"],
          loaded(
            Float32Array.from({ length: 144 }, (_, k) => 2.5 * k),
            "<f4",
          ),
        ),
      ],
      ["t2m", new VirtualVariable(["time", "lat", "lon"], air, { scale_factor: 0.002, add_offset: 260, _FillValue: -32767 })],
    ],
    sources: [[file, { size: 4096 + T * 41_000 }]],
  });
}

const rows = [];
for (const kind of ["native", "wasm"]) {
  const core = await loadBackend(kind);
  const datasets = Array.from({ length: FILES }, (_, i) => fileDataset(core, i));
  const bench = new Bench({ iterations: 5, warmupIterations: 1, time: 0 });
  bench.add(`${kind}: concat ${FILES} files`, () => concat(datasets, "time").variable("t2m").data.free());
  bench.add(`${kind}: combineByCoords ${FILES} files (shuffled)`, () =>
    combineByCoords([...datasets].reverse())
      .variable("t2m")
      .data.free(),
  );
  await bench.run();
  for (const t of bench.tasks)
    rows.push({ task: t.name, median: t.result.latency.p50, min: t.result.latency.min, max: t.result.latency.max });
  for (const ds of datasets) ds.free();
}
console.log(`# Combine benchmark (${new Date().toISOString().slice(0, 10)}, scale ${scale})\n`);
console.log(
  `Machine: ${os.cpus()[0]?.model ?? "?"} × ${os.cpus().length}, Node ${process.version}; target: native concat of 10,000 files < 500 ms\n`,
);
console.log("| task | median ms | min ms | max ms |\n|---|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.task} | ${r.median.toFixed(1)} | ${r.min.toFixed(1)} | ${r.max.toFixed(1)} |`);
