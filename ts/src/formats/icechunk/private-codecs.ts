/**
 * Icechunk repositories are read by zarr-python, which resolves codecs by name: an array
 * whose codec it has no implementation for makes the whole group fail to open. HDF5's
 * LZ4, szip and LZF are written under imagecodecs' names (`metadata/zarr-v3.ts`); the HDF5
 * filters no package implements for Zarr (bitshuffle's HDF5 framing, scale-offset, N-bit)
 * are decoded now and stored as values when small, and refused with the reason otherwise.
 */
import type { VirtualDataset } from "../../dataset/virtual-dataset.js";
import { UnsupportedFeatureError, type VzarrError } from "../../errors/vzarr-error.js";
import type { ManifestArray } from "../../manifest/manifest-array.js";
import { codecsToV3 } from "../../metadata/zarr-v3.js";
import { DEFAULT_INLINE_DECODED_LIMIT, decodeUndecodable } from "../kerchunk/decode-undecodable.js";

/** GRIB's codec is vzarr's own by design (no Zarr v3 GRIB codec exists); see docs/formats/grib.md. */
const KEPT = new Set(["vzarr.grib"]);

function privateCodecs(array: ManifestArray): string[] {
  return codecsToV3(array.metadata.codecs, array.metadata.dtype)
    .map((c) => c.name)
    .filter((name) => name.startsWith("vzarr.") && !KEPT.has(name));
}

export async function decodeWhatPythonCannot(ds: VirtualDataset, warn?: (message: string) => void): Promise<VirtualDataset> {
  const failures = new Map<string, VzarrError>();
  const decoded = await decodeUndecodable(ds, {
    undecodable: (a) => privateCodecs(a).length > 0,
    warn,
    failed: (path, e) => failures.set(path, e),
  });
  for (const [path, v] of decoded.walkVariables()) {
    if (!v.virtual) continue;
    const names = privateCodecs(v.data as ManifestArray);
    if (names.length > 0) {
      const failure = failures.get(path);
      const why =
        failure === undefined
          ? `the variable is too large (over ${DEFAULT_INLINE_DECODED_LIMIT} bytes decoded) to store as values`
          : `decoding it to store as values failed (${failure.kind}: ${failure.message})`;
      throw new UnsupportedFeatureError(
        `${names.map((n) => n.slice("vzarr.".length)).join(", ")} has no codec zarr-python can load, and ${why}; leave it out with --drop ${path}`,
        { variable: path, ...(failure?.file === undefined ? {} : { file: failure.file }) },
      );
    }
  }
  return decoded;
}
