/**
 * `scanLocalFile` for the wasm core in Node: the addon's loop (`api::scan_with_reader`) on the
 * calling thread — the core says which reads to make (its needed ranges, those close together
 * as one) and each is a positioned read straight into wasm memory. The read loop (`parsers/scan.ts`) serves every source; for
 * a local file it costs a promise per round, a JavaScript buffer per range and a copy into
 * the module, about a third of a million-chunk netCDF-4 scan.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { Core, LocalScanOutput } from "../backend/core.js";
import { makeError } from "../errors/vzarr-error.js";
import { freeUnfinishedScan } from "../parsers/scan.js";

interface HostReads {
  feedInto: NonNullable<Core["scanFeedInto"]>;
  advanceReads: NonNullable<Core["scanAdvanceReads"]>;
}

export function withLocalScan(core: Core): Core {
  const feedInto = core.scanFeedInto?.bind(core);
  const advanceReads = core.scanAdvanceReads?.bind(core);
  if (feedInto === undefined || advanceReads === undefined) return core;
  const host = { feedInto, advanceReads };
  return { ...core, scanLocalFile: async (path, url, format, options) => scanLocalFileHere(core, host, path, url, format, options) };
}

function scanLocalFileHere(core: Core, host: HostReads, path: string, url: string, format: string, options: string): LocalScanOutput {
  const fd = openSync(path, "r");
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw makeError("Io", `cannot scan ${path}: not a regular file`, { file: path });
    const handle = core.scanOpen(url, stat.size, format, options);
    let finished = false;
    try {
      // The core coalesces the needed ranges into reads, as the addon's loop does.
      for (let reads = host.advanceReads(handle); reads.length > 0; reads = host.advanceReads(handle)) {
        for (let i = 0; i < reads.length; i += 2) {
          const offset = reads[i] as number;
          const length = reads[i + 1] as number;
          // Checked before the core allocates room for it (the read loop fails the same way).
          if (offset + length > stat.size) {
            throw makeError("Io", `unexpected end of file reading ${length} bytes at ${offset}`, { file: path, offset });
          }
          host.feedInto(handle, offset, length, (dest) => readExactly(fd, dest, offset, path));
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
