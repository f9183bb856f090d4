#!/usr/bin/env node
/**
 * Seed corpora for the cargo-fuzz targets (fuzz/), from test/fixtures: every scanner gets the
 * fixtures of its format (scan_auto all of them), scan_session each with a format byte and
 * scan options, codec_decode each case of test/fixtures/codecs (header + stored bytes),
 * json_parse the fixtures' JSON. Writes fuzz/corpus/<target>/ (not committed).
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { ROOT } from "./inputs.mjs";

const fixtures = join(ROOT, "test", "fixtures");
const corpus = join(ROOT, "fuzz", "corpus");
const MAX = 1 << 20;
const files = (dir, re) =>
  readdirSync(join(fixtures, dir))
    .filter((f) => re.test(f))
    .map((f) => join(fixtures, dir, f))
    .filter((f) => statSync(f).isFile() && statSync(f).size <= MAX);
const put = (target, name, bytes) => {
  mkdirSync(join(corpus, target), { recursive: true });
  writeFileSync(join(corpus, target, name), bytes);
};

const byFormat = {
  netcdf3: files("netcdf3", /\.nc$/),
  hdf5: files("hdf5", /\.(h5|nc)$/),
  grib: files("grib", /\.grib[12]$/),
  tiff: files("tiff", /\.tif$/),
};
const formatByte = { auto: 0, hdf5: 1, netcdf3: 2, grib: 3, tiff: 4 };
for (const [format, list] of Object.entries(byFormat)) {
  for (const f of list) {
    const bytes = readFileSync(f);
    put(`scan_${format}`, basename(f), bytes);
    put("scan_auto", basename(f), bytes);
    for (const options of ["{}", '{"load":"dimension-coordinates"}', '{"load":[]}']) {
      const head = Buffer.alloc(3);
      head[0] = formatByte[format];
      head.writeUInt16LE(options.length, 1);
      put("scan_session", `${basename(f)}.${options.length}`, Buffer.concat([head, Buffer.from(options), bytes]));
    }
  }
}
for (const f of files("codecs", /\.json$/)) {
  for (const c of JSON.parse(readFileSync(f, "utf8")).cases) {
    const stored = Buffer.from(c.raw, "base64");
    // the outermost bytes codec of the chain gets the stored bytes; the whole chain's JSON is fuzzed in json_parse
    const codec = c.codecs[c.codecs.length - 1];
    const header = Buffer.from(JSON.stringify({ codec, dtype: c.dtype, chunk_shape: c.chunk_shape }));
    const len = Buffer.alloc(2);
    len.writeUInt16LE(header.length);
    put("codec_decode", c.name, Buffer.concat([len, header, stored]));
    put("json_parse", `${c.name}.json`, JSON.stringify(c.codecs));
  }
}
for (const f of [...files("hdf5", /\.json$/), ...files("grib", /\.json$/), ...files("netcdf3", /\.json$/)])
  put("json_parse", basename(f), readFileSync(f));
put("manifest_ops", "zero", Buffer.alloc(64));
put("manifest_ops", "ramp", Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
console.log(
  `seed corpora in ${corpus}: ${readdirSync(corpus)
    .map((t) => `${t} ${readdirSync(join(corpus, t)).length}`)
    .join(", ")}`,
);
