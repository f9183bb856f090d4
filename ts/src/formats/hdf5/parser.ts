/** HDF5 and netCDF-4 files: the core's HDF5 scanner (`crates/vzarr-core/src/hdf5`). */
import { coreScannedParser } from "../../parsers/core-scanned.js";

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function signatureAt(head: Uint8Array, at: number): boolean {
  return SIGNATURE.every((b, i) => head[at + i] === b);
}

/**
 * The superblock is at 0 or, behind a user block, at 512, 1024, 2048, … bytes; one beyond
 * the sniffed bytes is still found by the core when the format is not given (`auto`).
 */
export const hdf5Parser = coreScannedParser({
  name: "hdf5",
  aliases: ["netcdf4", "nc4", "h5"],
  coreFormat: "hdf5",
  sniff: ({ head }) => {
    for (let at = 0; at + SIGNATURE.length <= head.length; at = at === 0 ? 512 : at * 2) {
      if (signatureAt(head, at)) return true;
    }
    return false;
  },
});
