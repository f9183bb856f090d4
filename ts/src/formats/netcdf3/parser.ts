/** netCDF-3 classic, 64-bit offset and CDF5 files: the core's netCDF-3 scanner. */
import { coreScannedParser } from "../../parsers/core-scanned.js";

export const netcdf3Parser = coreScannedParser({
  name: "netcdf3",
  aliases: ["nc3"],
  coreFormat: "netcdf3",
  // "CDF" and the version byte: 1 classic, 2 64-bit offset, 5 CDF5.
  sniff: ({ head }) => head[0] === 0x43 && head[1] === 0x44 && head[2] === 0x46 && [1, 2, 5].includes(head[3] ?? 0),
});
