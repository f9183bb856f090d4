/**
 * The built-in parsers, in the order inputs are offered to them: directories and prefixes
 * (Icechunk repositories, kerchunk Parquet sets, Zarr stores), then files by their first
 * bytes (kerchunk JSON, zipped Zarr, then the core's scanners: HDF5, netCDF-3, GRIB, TIFF, HDF4, FITS), then DMR++
 * sidecars (XML).
 */
import { dmrppParser } from "../formats/dmrpp/parser.js";
import { fitsParser } from "../formats/fits/parser.js";
import { gribParser } from "../formats/grib/parser.js";
import { hdf4Parser } from "../formats/hdf4/parser.js";
import { hdf5Parser } from "../formats/hdf5/parser.js";
import { icechunkParser } from "../formats/icechunk/parser.js";
import { kerchunkJsonParser, kerchunkParquetParser } from "../formats/kerchunk/parser.js";
import { netcdf3Parser } from "../formats/netcdf3/parser.js";
import { tiffParser } from "../formats/tiff/parser.js";
import { zarrParser, zarrZipParser } from "../formats/zarr/parser.js";
import { registerBuiltinParsers } from "./registry.js";

registerBuiltinParsers([
  icechunkParser,
  kerchunkParquetParser,
  zarrParser,
  kerchunkJsonParser,
  zarrZipParser,
  hdf5Parser,
  netcdf3Parser,
  gribParser,
  tiffParser,
  hdf4Parser,
  fitsParser,
  dmrppParser,
]);
