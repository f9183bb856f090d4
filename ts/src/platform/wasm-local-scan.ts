/**
 * `scanLocalFile` for the wasm core in Node: the addon's loop (`api::scan_with_reader`) on the
 * calling thread — the core says which ranges it needs and each is read with a positioned
 * read straight into wasm memory. The read loop (`parsers/scan.ts`) serves every source; for
 * a local file it costs a promise per round, a JavaScript buffer per range and a copy into
 * the module, about a third of a million-chunk netCDF-4 scan.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { Core, LocalScanOutput } from "../backend/core.js";
import { makeError } from "../errors/vzarr-error.js";
import type { ByteRange } from "../io/byte-source.js";
import { coalesce } from "../io/coalesce.js";
import { LOCAL_COALESCE } from "../io/local-file.js";
import { freeUnfinishedScan } from "../parsers/scan.js";

type FeedInto = NonNullable<Core["scanFeedInto"]>;

export function withLocalScan(core: Core): Core {
  const feedInto = core.scanFeedInto?.bind(core);
  if (feedInto === undefined) return core;
  return { ...core, scanLocalFile: async (path, url, format, options) => scanLocalFileHere(core, feedInto, path, url, format, options) };
}

function scanLocalFileHere(core: Core, feedInto: FeedInto, path: string, url: string, format: string, options: string): LocalScanOutput {
  const fd = openSync(path, "r");
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw makeError("Io", `cannot scan ${path}: not a regular file`, { file: path });
    const handle = core.scanOpen(url, stat.size, format, options);
    let finished = false;
    try {
      for (let needs = core.scanAdvance(handle); needs.length > 0; needs = core.scanAdvance(handle)) {
        const ranges: ByteRange[] = [];
        for (let i = 0; i < needs.length; i += 2) ranges.push({ offset: needs[i] as number, length: needs[i + 1] as number });
        for (const { offset, length } of coalesce(ranges, LOCAL_COALESCE)) {
          // Checked before the core allocates room for it (the read loop fails the same way).
          if (offset + length > stat.size) {
            throw makeError("Io", `unexpected end of file reading ${length} bytes at ${offset}`, { file: path, offset });
          }
          feedInto(handle, offset, length, (dest) => readExactly(fd, dest, offset, path));
        }
      }
      const out = core.scanFinish(handle);
      finished = true;
      return { ...out, size: stat.size, mtimeMs: stat.mtimeMs };
    } finally {
      if (!finished) freeUnfinishedScan(core, handle);
    }
  } finally {
    closeSync(fd);
  }
}

function readExactly(fd: number, dest: Uint8Array, offset: number, path: string): void {
  for (let done = 0; done < dest.length; ) {
    const n = readSync(fd, dest, done, dest.length - done, offset + done);
    if (n === 0) throw makeError("Io", `unexpected end of file reading ${dest.length} bytes at ${offset}`, { file: path, offset });
    done += n;
  }
}
