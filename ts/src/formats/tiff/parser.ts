/** TIFF, BigTIFF, GeoTIFF and COG files: the core's TIFF scanner (`crates/vzarr-core/src/tiff`). */
import { coreScannedParser } from "../../parsers/core-scanned.js";

/** `II*\0`, `MM\0*` (classic) and `II+\0`, `MM\0+` (BigTIFF). */
function isTiff(head: Uint8Array): boolean {
  const [a, b, c, d] = [head[0], head[1], head[2], head[3]];
  if (a === 0x49 && b === 0x49) return (c === 0x2a || c === 0x2b) && d === 0;
  if (a === 0x4d && b === 0x4d) return c === 0 && (d === 0x2a || d === 0x2b);
  return false;
}

export const tiffParser = coreScannedParser({
  name: "tiff",
  aliases: ["geotiff", "cog", "tif"],
  coreFormat: "tiff",
  sniff: ({ head }) => isTiff(head),
});
