/**
 * The built-in parsers, in the order inputs are offered to them: directories (Icechunk
 * repositories, kerchunk Parquet sets), then files by their first bytes (kerchunk JSON, then
 * the core's scanners).
 */
import { gribParser } from "../formats/grib/parser.js";
import { hdf5Parser } from "../formats/hdf5/parser.js";
import { icechunkParser } from "../formats/icechunk/parser.js";
import { kerchunkJsonParser, kerchunkParquetParser } from "../formats/kerchunk/parser.js";
import { netcdf3Parser } from "../formats/netcdf3/parser.js";
import { registerBuiltinParsers } from "./registry.js";

registerBuiltinParsers([icechunkParser, kerchunkParquetParser, kerchunkJsonParser, hdf5Parser, netcdf3Parser, gribParser]);
