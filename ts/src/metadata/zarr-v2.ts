/**
 * Zarr v2 metadata (`.zarray`, numcodecs configs) from the internal model, and back. Used by
 * the kerchunk writers and readers.
 */
import { UnsupportedFeatureError } from "../errors/vzarr-error.js";
import { encodeBase64 } from "../io/base64.js";
import type { ArrayMetadata, CodecSpec, FillValue } from "./array-metadata.js";
import { regularGrid } from "./array-metadata.js";
import { type DType, parseDType } from "./dtype.js";

export interface NumcodecsConfig {
  id: string;
  [key: string]: unknown;
}

export interface Zarray {
  zarr_format: 2;
  shape: number[];
  chunks: number[];
  dtype: string;
  compressor: NumcodecsConfig | null;
  fill_value: FillValue;
  order: "C" | "F";
  filters: NumcodecsConfig[] | null;
  dimension_separator?: "." | "/";
}

/** numcodecs ids that are compressors (go in `compressor` when last in the chain). */
const COMPRESSORS = new Set([
  "zlib",
  "gzip",
  "zstd",
  "blosc",
  "lz4",
  "bz2",
  "lzma",
  "grib",
  "imagecodecs_lzw",
  "imagecodecs_packbits",
  "imagecodecs_jpeg",
  "imagecodecs_webp",
]);

/** imagecodecs' numcodecs ids (TIFF codecs) keep their name and configuration in both forms. */
const IMAGECODECS = "imagecodecs_";

const BLOSC_SHUFFLE: Record<string, number> = { noshuffle: 0, shuffle: 1, bitshuffle: 2 };
const BLOSC_SHUFFLE_NAMES = ["noshuffle", "shuffle", "bitshuffle"];

/** The numcodecs config of one bytes→bytes (or GRIB) codec. */
export function toNumcodecs(codec: CodecSpec, variable: string): NumcodecsConfig {
  const cfg = codec.configuration ?? {};
  if (codec.name.startsWith("numcodecs.")) return { id: codec.name.slice("numcodecs.".length), ...cfg };
  if (codec.name.startsWith(IMAGECODECS)) return { id: codec.name, ...cfg };
  switch (codec.name) {
    case "zstd":
      return { id: "zstd", level: cfg.level ?? 0, checksum: cfg.checksum ?? false };
    case "gzip":
      return { id: "gzip", level: cfg.level ?? 1 };
    case "crc32c":
      // Zarr v3's checksum follows the data, as numcodecs' CRC32C places it by default.
      return { id: "crc32c", location: "end" };
    case "blosc":
      return {
        id: "blosc",
        cname: cfg.cname,
        clevel: cfg.clevel,
        shuffle: BLOSC_SHUFFLE[String(cfg.shuffle)] ?? 0,
        blocksize: cfg.blocksize ?? 0,
      };
    default:
      throw new UnsupportedFeatureError(`codec ${codec.name} has no numcodecs equivalent that kerchunk readers can decode`, {
        variable,
      });
  }
}

/** `.zarray` for an array; fails for what Zarr v2 cannot express (rectilinear grids, …). */
export function toZarray(meta: ArrayMetadata, variable: string): Zarray {
  if (meta.chunkGrid.kind !== "regular") {
    throw new UnsupportedFeatureError(
      "variable-length (rectilinear) chunks cannot be written as Zarr v2 / kerchunk; write Icechunk instead (--format icechunk on the command line, toIcechunk in the library)",
      {
        variable,
      },
    );
  }
  const [arrayToBytes, ...rest] = meta.codecs;
  const encoded: NumcodecsConfig[] = [];
  let dtype = meta.dtype;
  if (arrayToBytes === undefined || arrayToBytes.name !== "bytes") {
    // A format codec (GRIB) turns bytes into values: it is the v2 compressor.
    if (arrayToBytes !== undefined && arrayToBytes.name === "vzarr.grib") {
      encoded.push({ id: "grib", var: variable.split("/").pop(), dtype: parseDType(dtype).text.replace(/^[<>|]/, "<") });
    } else if (arrayToBytes !== undefined && (arrayToBytes.name === "vlen-utf8" || arrayToBytes.name === "vlen-bytes")) {
      // Variable-length items: an object array whose first v2 filter encodes them.
      encoded.push({ id: arrayToBytes.name });
      dtype = "|O";
    } else if (arrayToBytes !== undefined) {
      encoded.push(toNumcodecs(arrayToBytes, variable));
    }
  } else {
    const endian = arrayToBytes.configuration?.endian;
    const d = parseDType(dtype);
    if (d.byteOrder !== "|" && (endian === "big" || endian === "little")) dtype = `${endian === "big" ? ">" : "<"}${d.kind}${d.itemSize}`;
  }
  for (const c of rest) encoded.push(toNumcodecs(c, variable));
  const last = encoded[encoded.length - 1];
  const compressor = last !== undefined && COMPRESSORS.has(last.id) ? (encoded.pop() as NumcodecsConfig) : null;
  return {
    zarr_format: 2,
    shape: [...meta.shape],
    chunks: [...meta.chunkGrid.chunkShape],
    dtype,
    compressor,
    fill_value: v2FillValue(meta.fillValue, parseDType(dtype)),
    order: "C",
    filters: encoded.length > 0 ? encoded : null,
  };
}

function v2FillValue(fill: FillValue, dtype: DType): FillValue {
  // Zarr v2 stores byte-string fill values base64-encoded.
  if ((dtype.kind === "S" || dtype.kind === "V") && fill !== null) {
    const bytes = new Uint8Array(dtype.itemSize);
    if (typeof fill === "number") bytes[0] = fill;
    else if (typeof fill === "string") bytes.set(new TextEncoder().encode(fill).subarray(0, dtype.itemSize));
    return encodeBase64(bytes);
  }
  const spelled = (v: number) => (Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
  if (typeof fill === "number" && !Number.isFinite(fill)) return spelled(fill);
  if (Array.isArray(fill)) return fill.map((v) => (typeof v === "number" && !Number.isFinite(v) ? spelled(v) : v));
  return fill;
}

/** The internal codec list for a `.zarray` (inverse of `toZarray`). */
export function fromZarray(z: Zarray): ArrayMetadata {
  if (z.order === "F" && z.shape.length > 1) {
    throw new UnsupportedFeatureError("Fortran-order Zarr v2 arrays are not supported");
  }
  const d = parseDType(z.dtype);
  const codecs: CodecSpec[] = [];
  const chain = [...(z.filters ?? []), ...(z.compressor === null ? [] : [z.compressor])];
  const first = chain[0]?.id;
  if (first === "vlen-utf8" || first === "vlen-bytes") {
    codecs.push({ name: first, configuration: {} });
    chain.shift();
  } else if (chain[chain.length - 1]?.id === "grib") {
    codecs.push({ name: "vzarr.grib", configuration: {} });
    chain.pop();
  } else {
    codecs.push(
      d.byteOrder === "|" ? { name: "bytes" } : { name: "bytes", configuration: { endian: d.byteOrder === ">" ? "big" : "little" } },
    );
  }
  for (const c of chain) codecs.push(fromNumcodecs(c));
  let fillValue: FillValue = z.fill_value;
  if (fillValue === "NaN") fillValue = "NaN";
  return { shape: [...z.shape], chunkGrid: regularGrid(z.chunks), dtype: d.text, codecs, fillValue };
}

export function fromNumcodecs(c: NumcodecsConfig): CodecSpec {
  const { id, ...cfg } = c;
  if (id.startsWith(IMAGECODECS)) return Object.keys(cfg).length === 0 ? { name: id } : { name: id, configuration: cfg };
  switch (id) {
    case "zstd":
      return { name: "zstd", configuration: { level: cfg.level ?? 0, checksum: cfg.checksum ?? false } };
    case "blosc":
      return {
        name: "blosc",
        configuration: { ...cfg, shuffle: BLOSC_SHUFFLE_NAMES[Number(cfg.shuffle ?? 0)] ?? "noshuffle" },
      };
    default:
      return { name: `numcodecs.${id}`, configuration: cfg };
  }
}
