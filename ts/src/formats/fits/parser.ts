/** FITS images (primary, IMAGE extensions, tile-compressed): the core's FITS scanner (`crates/vzarr-core/src/fits`). */
import { coreScannedParser } from "../../parsers/core-scanned.js";

/** Every FITS file starts with the card `SIMPLE  =` (keyword padded to 8 columns). */
const SIMPLE = new TextEncoder().encode("SIMPLE  =");

export const fitsParser = coreScannedParser({
  name: "fits",
  aliases: ["fit", "fts"],
  coreFormat: "fits",
  sniff: ({ head }) => SIMPLE.every((b, i) => head[i] === b),
});
