/**
 * The side-by-side tasks: for each, which tool runs which operation on which data, and how
 * their outputs are proven equivalent before their times are compared.
 */
import { join } from "node:path";

/**
 * @typedef {{ key: string; tool: string; label?: string; op: string; args: Record<string, unknown> }} Entry
 * @typedef {{ kind: "refs"; mode: "grid" | "multiset"; variables?: string[] }
 *   | { kind: "outputs"; format: "json" | "parquet" | "icechunk" }
 *   | { kind: "digest"; expected: string }
 *   | { kind: "values"; oracle: string; tolerance: number }} Verification
 * @typedef {{ id: string; group: string; title: string; reference: string; entries: Entry[];
 *   verify: Verification; count?: { n: number; unit: string }; metric?: "seconds" | "requests";
 *   setup?: "write-daily-outputs"; notes?: string[] }} Task
 */

const vz = (/** @type {string} */ op, /** @type {Record<string, unknown>} */ args, label = "") => [
  { key: "vzarr-native", tool: "vzarr-native", op, args, ...(label ? { label: `vzarr (native${label})` } : {}) },
  { key: "vzarr-wasm", tool: "vzarr-wasm", op, args, ...(label ? { label: `vzarr (wasm${label})` } : {}) },
];

/**
 * @param {Record<string, any>} d datasets.json's "datasets"
 * @param {string} work folder for outputs of this run
 * @returns {Task[]}
 */
export function buildTasks(d, work) {
  /** @type {Task[]} */
  const tasks = [];
  const hdf5 = [
    ["index-nc4", d.nc4_1m, "netCDF-4 (netCDF-C), v1 B-tree"],
    ["index-h5-ea", d.h5_ea_1m, "h5py libver='latest', extensible array"],
    ["index-h5-bt2", d.h5_bt2_1m, "h5py libver='latest', v2 B-tree"],
  ];
  for (const [id, data, what] of hdf5) {
    tasks.push({
      id,
      group: "Single-file indexing",
      title: `Index ${what}: ${data.chunks.toLocaleString("en")} chunks`,
      reference: "vzarr-native",
      count: { n: data.chunks, unit: "chunks" },
      entries: [
        // Five more opens after the measured one: the repeat-call time of the wasm/native target.
        ...vz("vzarr.index", { path: data.path, repeat: 5 }),
        { key: "kerchunk", tool: "kerchunk", label: "kerchunk SingleHdf5ToZarr", op: "kerchunk.hdf5_index", args: { path: data.path } },
        {
          key: "virtualizarr",
          tool: "virtualizarr",
          label: "VirtualiZarr HDFParser",
          op: "virtualizarr.hdf5_index",
          args: { path: data.path },
        },
      ],
      verify: { kind: "refs", mode: "grid" },
    });
  }
  const nc3 = d.netcdf3;
  tasks.push({
    id: "index-netcdf3",
    group: "Single-file indexing",
    title: `Index netCDF-3: ${nc3.records.toLocaleString("en")} records × ${nc3.variables.length} record variables`,
    reference: "vzarr-native",
    count: { n: nc3.records * nc3.variables.length, unit: "chunks" },
    entries: [
      ...vz("vzarr.index", { path: nc3.path }),
      { key: "kerchunk", tool: "kerchunk", label: "kerchunk NetCDF3ToZarr", op: "kerchunk.netcdf3_index", args: { path: nc3.path } },
      {
        key: "virtualizarr",
        tool: "virtualizarr",
        label: "VirtualiZarr NetCDF3Parser",
        op: "virtualizarr.netcdf3_index",
        args: { path: nc3.path },
      },
    ],
    verify: { kind: "refs", mode: "grid" },
  });
  const grib = d.grib_big;
  tasks.push({
    id: "scan-grib",
    group: "Single-file indexing",
    title: `Scan GRIB2: ${(grib.bytes / 1e9).toFixed(2)} GB, ${grib.messages} messages`,
    reference: "vzarr-native",
    count: { n: grib.messages, unit: "messages" },
    entries: [
      ...vz("vzarr.index", { path: grib.path }),
      { key: "kerchunk", tool: "kerchunk", label: "kerchunk scan_grib", op: "kerchunk.grib_scan", args: { path: grib.path } },
    ],
    verify: { kind: "refs", mode: "multiset" },
    notes: ["VirtualiZarr 2.5.1 has no GRIB parser; messages are compared as a set (the tools group them differently)."],
  });

  const daily = d.daily;
  const mf = { files: daily.files, concat_dim: daily.concat_dim, variable: daily.variable };
  tasks.push({
    id: "mf-daily",
    group: "Multi-file index + combine",
    title: `Index + combine ${daily.files.length.toLocaleString("en")} daily netCDF-4 files along time`,
    reference: "vzarr-native",
    count: { n: daily.files.length, unit: "files" },
    entries: [
      ...vz("vzarr.mf", { ...mf, parallel: false }, ", one thread"),
      {
        key: "vzarr-native-jobs1",
        tool: "vzarr-native",
        label: "vzarr (native, --jobs 1: one file at a time)",
        op: "vzarr.mf",
        args: { ...mf, parallel: true, jobs: 1 },
      },
      {
        key: "vzarr-native-jobs2",
        tool: "vzarr-native",
        label: "vzarr (native, --jobs 2: two files scanned at once on the addon's threads)",
        op: "vzarr.mf",
        args: { ...mf, parallel: true, jobs: 2 },
      },
      { key: "vzarr-native-parts", tool: "vzarr-native", label: "vzarr (native): open loop, then concat", op: "vzarr.mf_parts", args: mf },
      {
        key: "kerchunk",
        tool: "kerchunk",
        label: "kerchunk SingleHdf5ToZarr loop + MultiZarrToZarr",
        op: "kerchunk.mf_combine",
        args: { ...mf, identical_dims: ["lat", "lon"] },
      },
      { key: "virtualizarr", tool: "virtualizarr", label: "VirtualiZarr open_virtual_mfdataset", op: "virtualizarr.mf_combine", args: mf },
    ],
    verify: { kind: "refs", mode: "grid", variables: [daily.variable] },
    notes: [
      "VirtualiZarr with parallel=False (one process; dask is not installed), kerchunk in one process, vzarr in one thread unless --jobs says otherwise.",
    ],
  });

  const syn = d.synthetic;
  const write = (/** @type {"json" | "parquet" | "icechunk"} */ format, /** @type {string} */ title, /** @type {Entry[]} */ python) => ({
    id: `write-${format}`,
    group: `Writing ${syn.chunks.toLocaleString("en")} references`,
    title,
    reference: "vzarr-native",
    count: { n: syn.chunks, unit: "refs" },
    entries: [
      ...vz("vzarr.write", { synthetic: syn, format, record_size: 100_000, out: join(work, "write", `vzarr.${format}`) }),
      ...python,
    ],
    verify: /** @type {Verification} */ ({ kind: "outputs", format }),
  });
  const out = (/** @type {string} */ name) => join(work, "write", name);
  tasks.push(
    write("json", "kerchunk JSON", [
      {
        key: "kerchunk",
        tool: "kerchunk",
        label: "kerchunk refs dict → ujson.dump",
        op: "kerchunk.write_json",
        args: { synthetic: syn, out: out("kerchunk.json") },
      },
      {
        key: "virtualizarr",
        tool: "virtualizarr",
        label: "VirtualiZarr .vz.to_kerchunk(format='json')",
        op: "virtualizarr.write_kerchunk_json",
        args: { synthetic: syn, out: out("virtualizarr.json") },
      },
    ]),
    write("parquet", "kerchunk Parquet (record size 100,000)", [
      {
        key: "kerchunk",
        tool: "kerchunk",
        label: "kerchunk refs_to_dataframe",
        op: "kerchunk.write_parquet",
        args: { synthetic: syn, out: out("kerchunk.parquet"), record_size: 100_000 },
      },
      {
        key: "virtualizarr",
        tool: "virtualizarr",
        label: "VirtualiZarr .vz.to_kerchunk(format='parquet')",
        op: "virtualizarr.write_kerchunk_parquet",
        args: { synthetic: syn, out: out("virtualizarr.parquet"), record_size: 100_000 },
      },
    ]),
    write("icechunk", "Icechunk commit", [
      {
        key: "virtualizarr",
        tool: "virtualizarr",
        label: "VirtualiZarr .vz.to_icechunk + commit",
        op: "virtualizarr.write_icechunk",
        args: { synthetic: syn, out: out("virtualizarr.icechunk") },
      },
    ]),
  );
  for (const t of tasks.slice(-3)) {
    t.notes = [
      "Input: the same synthetic manifest (built untimed: vzarr ChunkManifest, VirtualiZarr ManifestArray, kerchunk reference dict); the time is the write alone.",
    ];
  }

  const decodedBytes = daily.shape.reduce((/** @type {number} */ p, /** @type {number} */ n) => p * n, 4);
  const formats = [
    ["json", "kerchunk JSON", "daily.json"],
    ["parquet", "kerchunk Parquet", "daily.parquet"],
    ["icechunk", "Icechunk", "daily.icechunk"],
  ];
  for (const [format, name, file] of formats) {
    const path = join(work, "read", /** @type {string} */ (file));
    tasks.push({
      id: `read-${format}`,
      group: "Reading a variable back",
      title: `Read ${daily.variable} (${(decodedBytes / 1e9).toFixed(2)} GB decoded) through ${name}`,
      reference: "vzarr-native",
      count: { n: decodedBytes / 1e6, unit: "MB" },
      setup: "write-daily-outputs",
      entries: [
        ...vz("vzarr.read", { path, variable: daily.variable }),
        {
          key: "xarray",
          tool: "xarray",
          label: format === "icechunk" ? "xarray + icechunk" : "xarray + fsspec ReferenceFileSystem",
          op: "python.read",
          args: { path, variable: daily.variable, format, container: `file://${join(daily.glob, "..")}/` },
        },
      ],
      verify: { kind: "digest", expected: daily.digest },
      notes: ["The reference sets and the repository are written by `vzarr refs` (untimed) from the daily archive combined along time."],
    });
  }

  const local = d.read_local;
  const localBytes = local.shape.reduce((/** @type {number} */ p, /** @type {number} */ n) => p * n, 4);
  tasks.push({
    id: "read-local",
    group: "Read path",
    title: `Whole variable from a local netCDF-4 file (zlib + shuffle, ${(localBytes / 1e6).toFixed(0)} MB decoded)`,
    reference: "baseline",
    count: { n: localBytes / 1e6, unit: "MB" },
    entries: [
      ...vz("vzarr.read", { path: local.path, variable: local.variable }),
      { key: "baseline", tool: "baseline", op: "baseline.read_decode", args: { path: local.path, variable: local.variable } },
    ],
    verify: { kind: "digest", expected: local.digest },
    notes: ["vzarr's time includes scanning the file; the baseline gets the chunk list for free."],
  });
  const small = d.small_chunks;
  const http = { files: small.files, variable: small.variable, concat_dim: small.concat_dim };
  tasks.push({
    id: "http-requests",
    group: "Read path",
    title: `HTTP requests to read ${small.chunks.toLocaleString("en")} chunks of ${small.chunk_bytes} bytes in ${small.files.length} files`,
    reference: "vzarr-native",
    metric: "requests",
    entries: [
      { key: "vzarr-native", tool: "vzarr-native", label: "vzarr readArray", op: "http.read", args: { ...http, client: "vzarr" } },
      { key: "zarrita", tool: "zarrita", op: "http.read", args: { ...http, client: "zarrita" } },
    ],
    verify: { kind: "digest", expected: small.digest },
    notes: ["Both read the same kerchunk JSON (written by vzarr) from a local range server that counts requests."],
  });

  for (const [id, data] of [
    ["decode-simple", d.grib_decode_simple],
    ["decode-complex", d.grib_decode_complex],
  ]) {
    tasks.push({
      id,
      group: "GRIB decoding",
      title: `Decode ${data.messages} GRIB2 messages of 1,038,240 points, ${data.packing}`,
      reference: "vzarr-native",
      count: { n: (data.messages * 1_038_240) / 1e6, unit: "M values" },
      entries: [
        ...vz("vzarr.grib_decode", { path: data.path }),
        { key: "eccodes", tool: "eccodes", label: "ecCodes codes_get_values", op: "eccodes.grib_decode", args: { path: data.path } },
      ],
      verify: { kind: "values", oracle: "eccodes", tolerance: 1e-3 },
      notes: ["Both read the file and decode every message; vzarr's time includes scanning it."],
    });
  }
  return tasks;
}
