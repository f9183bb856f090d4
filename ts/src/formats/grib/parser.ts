/** GRIB1 and GRIB2 files: the core's GRIB scanner, grouping messages into variables as cfgrib. */
import { coreScannedParser } from "../../parsers/core-scanned.js";

export const gribParser = coreScannedParser({
  name: "grib",
  aliases: ["grib1", "grib2"],
  coreFormat: "grib",
  sniff: ({ head }) => head[0] === 0x47 && head[1] === 0x52 && head[2] === 0x49 && head[3] === 0x42,
});
