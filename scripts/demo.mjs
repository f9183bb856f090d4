// The main job on the bundled sample archive (examples/sample-archive/, 24 monthly netCDF-4
// files): open every file on the worker pool, combine along time into one virtual dataset,
// write kerchunk references and an Icechunk repository, append one more month to the
// repository, then read slices back through both and compare them with the same slices read
// from the original files one by one. Run after the build.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  currentBackend,
  decodeTimes,
  formatInstant,
  kerchunkJsonPieces,
  openVirtualDataset,
  openVirtualMfdatasetWithReport,
  parseTimeUnits,
  readArray,
  writeIcechunk,
} from "../dist/index.js";
import { writeTextPieces } from "../dist/io/write-text.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const archive = join(root, "examples", "sample-archive");
const out = mkdtempSync(join(tmpdir(), "vzarr-demo-"));
const core = currentBackend();
console.log(`vzarr-core ${core.version()} (${core.kind} backend)\n`);

// 1. Many files in, one virtual dataset out.
const report = await openVirtualMfdatasetWithReport(join(archive, "air_*.nc"), { concatDim: "time" });
const ds = report.dataset;
console.log(
  `combined ${report.files.length} files along time in ${report.elapsedMs.toFixed(0)} ms: dims ${JSON.stringify(ds.dims)}, ` +
    `${report.chunks} chunk references to ${(report.bytesReferenced / 1e6).toFixed(2)} MB`,
);
for (const [name, v] of ds.variables) console.log(`  ${name}(${v.dims.join(", ")}) ${v.dtype} ${v.virtual ? "virtual" : "loaded"}`);

// 2. Written as kerchunk references (fsspec / xarray / VirtualiZarr read them).
const refs = join(out, "sample-archive.json");
const bytes = await writeTextPieces(refs, kerchunkJsonPieces(ds));
console.log(`\nwrote ${refs} (${bytes} bytes)`);

// 3. Written as an Icechunk repository, then one more month appended as a new commit.
const repo = join(out, "sample-archive.icechunk");
const first = await writeIcechunk(ds, repo, { message: "24 months of the sample archive" });
const extraFile = join(archive, "extra", "air_2025-01.nc");
const extra = await openVirtualDataset(extraFile);
const second = await writeIcechunk(extra, repo, { appendDim: "time", message: "append January 2025" });
extra.free();
console.log(`wrote ${repo}: snapshot ${first}, then appended ${extraFile} as snapshot ${second}`);

// 4. Slices across month boundaries read back through the references, next to the same
//    values read from the original files one by one.
const files = [...report.files, extraFile];
const lengths = [];
for (const file of files) {
  const one = await openVirtualDataset(file, { loadableVariables: [] });
  lengths.push(one.dims.time);
  one.free();
}

/** The selection read from the original files: each file's part of the time range, joined. */
async function fromOriginals(selection) {
  const values = [];
  let start = 0;
  for (const [k, file] of files.entries()) {
    const lo = Math.max(selection[0].start, start);
    const hi = Math.min(selection[0].stop, start + lengths[k]);
    if (lo < hi) values.push(...(await readArray(file, "air", [{ start: lo - start, stop: hi - start }, selection[1], selection[2]])).data);
    start += lengths[k];
  }
  return values;
}

let allSame = true;
async function compare(store, label, selection) {
  const opened = await openVirtualDataset(store, { loadableVariables: ["time", "lat", "lon"] });
  const got = Array.from((await readArray(opened, "air", selection)).data);
  const want = await fromOriginals(selection);
  const time = opened.variable("time");
  const units = parseTimeUnits(time.attrs.units, time.attrs.calendar);
  const day = (t) => formatInstant(units.calendar, decodeTimes([time.data.values[t]], units)[0]).slice(0, 10);
  const lat = opened.variable("lat").data.values;
  const lon = opened.variable("lon").data.values;
  const [t0, y0, x0] = selection.map((s) => s.start);
  const [ny, nx] = [selection[1].stop - y0, selection[2].stop - x0];
  console.log(`\nair (K) read back from ${label} | read from the original files`);
  got.forEach((v, i) => {
    const [t, y, x] = [t0 + Math.floor(i / (ny * nx)), y0 + (Math.floor(i / nx) % ny), x0 + (i % nx)];
    const where = `${day(t)} lat ${lat[y].toFixed(1).padStart(5)} lon ${lon[x].toFixed(1).padStart(5)}`;
    console.log(`  ${where}  ${v.toFixed(3).padStart(9)}  |  ${want[i]?.toFixed(3).padStart(9)}`);
  });
  const same = got.length === want.length && got.every((v, i) => v === want[i]);
  console.log(same ? "  the values match" : "  MISMATCH between the store and the original files");
  allSame &&= same;
  opened.free();
}

await compare(refs, "the kerchunk references (Feb → Mar 2023)", [
  { start: 57, stop: 61 },
  { start: 6, stop: 7 },
  { start: 0, stop: 3 },
]);
await compare(repo, "the Icechunk repository (Dec 2024 → appended Jan 2025)", [
  { start: 729, stop: 733 },
  { start: 6, stop: 7 },
  { start: 0, stop: 3 },
]);
ds.free();
console.log(allSame ? "\nall values match" : "\nMISMATCH");
process.exitCode = allSame ? 0 : 1;
