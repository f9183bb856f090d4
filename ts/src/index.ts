/**
 * vzarr: virtual Zarr stores from netCDF, HDF5 and GRIB files.
 */
export type { BackendKind, Core } from "./backend/core.js";
export { currentBackend, loadBackend } from "./backend/load.js";
export * from "./errors/vzarr-error.js";
export * from "./icechunk/index.js";
export { ChunkManifest, type ChunkRef, type ManifestArrays, type PathsInput } from "./manifest/chunk-manifest.js";
