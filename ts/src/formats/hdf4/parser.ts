/** HDF4 files (scientific data sets, as NASA's MODIS archives hold them): the core's HDF4 scanner (`crates/vzarr-core/src/hdf4`). */
import { coreScannedParser } from "../../parsers/core-scanned.js";

/** Every HDF4 file starts with the magic number `0e 03 13 01`. */
function isHdf4(head: Uint8Array): boolean {
  return head[0] === 0x0e && head[1] === 0x03 && head[2] === 0x13 && head[3] === 0x01;
}

export const hdf4Parser = coreScannedParser({
  name: "hdf4",
  aliases: ["hdf", "h4"],
  coreFormat: "hdf4",
  sniff: ({ head }) => isHdf4(head),
});
