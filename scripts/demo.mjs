// The main job on bundled sample data. Until the scanners land this exercises the manifest
// layer only: per-file manifests → concatenated along time → inspected → Arrow.
import { ChunkManifest, currentBackend } from "../dist/index.js";

const core = currentBackend();
const files = Array.from({ length: 12 }, (_, m) => `s3://example-archive/air/2024-${String(m + 1).padStart(2, "0")}.nc`);
const monthly = files.map((path) =>
  ChunkManifest.fromArrays({
    shape: [30, 1, 1],
    paths: Array(30).fill(path),
    offsets: Array.from({ length: 30 }, (_, d) => 8192 + d * 42048),
    lengths: Array(30).fill(42048),
  }),
);
const year = ChunkManifest.concat(monthly, 0);
const stats = year.stats();
console.log(`backend: ${core.kind} (vzarr-core ${core.version()})`);
console.log(
  `combined ${files.length} files → chunk grid ${JSON.stringify(year.shape)}, ${stats.present} chunks, ${stats.referencedBytes} referenced bytes, ${(stats.nbytes / stats.chunks).toFixed(1)} bytes/chunk`,
);
console.log("day 45 →", year.entry([45, 0, 0]));
const table = year.toArrow();
console.log(`as Arrow: ${table.numRows} rows, columns ${table.schema.fields.map((f) => f.name).join(", ")}`);
for (const m of [...monthly, year]) m.free();
