/** Zarr v3 `zarr.json` documents from the internal model (Icechunk nodes, the virtual store). */

import { encodeBase64 } from "../io/base64.js";
import type { ArrayMetadata, ChunkGrid, FillValue } from "./array-metadata.js";
import { axisChunkLengths } from "./array-metadata.js";
import { parseDType, zarrV3DataType } from "./dtype.js";

export interface ZarrV3Array {
  zarr_format: 3;
  node_type: "array";
  shape: number[];
  data_type: string | Record<string, unknown>;
  chunk_grid: { name: string; configuration: Record<string, unknown> };
  chunk_key_encoding: { name: "default"; configuration: { separator: "/" } };
  fill_value: FillValue | string;
  codecs: { name: string; configuration?: Record<string, unknown> }[];
  attributes: Record<string, unknown>;
  dimension_names?: (string | null)[];
  storage_transformers?: unknown[];
}

/** Run-length pairs `[[length, count], …]` for explicit chunk lengths (Icechunk rejects bare ints). */
function runLengths(lengths: readonly number[]): (number | number[])[] {
  const out: [number, number][] = [];
  for (const l of lengths) {
    const last = out[out.length - 1];
    if (last !== undefined && last[0] === l) last[1]++;
    else out.push([l, 1]);
  }
  return out.map(([l, n]) => (n === 1 ? l : [l, n]));
}

export function v3ChunkGrid(shape: readonly number[], grid: ChunkGrid): ZarrV3Array["chunk_grid"] {
  if (grid.kind === "regular") return { name: "regular", configuration: { chunk_shape: [...grid.chunkShape] } };
  return {
    name: "rectilinear",
    configuration: { kind: "inline", chunk_shapes: shape.map((d, a) => runLengths(axisChunkLengths(d, grid, a))) },
  };
}

function v3FillValue(fill: FillValue, dtypeText: string): FillValue | string {
  const dtype = parseDType(dtypeText);
  if (dtype.kind === "S" || dtype.kind === "V") {
    const bytes = new Uint8Array(dtype.itemSize);
    if (typeof fill === "number") bytes[0] = fill;
    else if (typeof fill === "string") bytes.set(new TextEncoder().encode(fill).subarray(0, dtype.itemSize));
    return encodeBase64(bytes);
  }
  if (fill === null) {
    // v3 requires a fill value; zero is what readers assume for "none".
    return dtype.kind === "b" ? false : dtype.kind === "O" ? "" : 0;
  }
  if (typeof fill === "number" && !Number.isFinite(fill)) return Number.isNaN(fill) ? "NaN" : fill > 0 ? "Infinity" : "-Infinity";
  return fill;
}

/**
 * Codecs that are array→array in Zarr v3 (the TIFF predictors, as virtual-tiff registers
 * them with zarr-python). Internally they follow `bytes` as byte steps in encoding order; in
 * a `zarr.json` others read they come before `bytes`. They work on the chunk's raw sample
 * bytes either way: zarr-python's `bytes` codec views the bytes in the stored byte order
 * without swapping them, and the predictor's `dtype` names that order.
 */
const ARRAY_TO_ARRAY = new Set(["imagecodecs_delta", "imagecodecs_floatpred", "virtual_tiff.HorizontalDeltaCodec"]);

/**
 * virtual-tiff's horizontal differencing of the samples' bit patterns along the last axis.
 * imagecodecs' delta codec, wrapped for Zarr v3, returns the integers it summed and zarr-python
 * then converts them to the array's floats by value; so floats under TIFF's Predictor 2
 * (GDAL writes them) are written with this codec, which views the floats as integers. It
 * reinterprets native-order (little-endian) samples along the last axis only.
 */
const HORIZONTAL_DELTA = "virtual_tiff.HorizontalDeltaCodec";

type V3Codec = { name: string; configuration?: Record<string, unknown> };

function isFloatDelta(c: V3Codec, arrayDtype: string): boolean {
  const d = String(c.configuration?.dtype ?? "");
  return (
    c.name === "imagecodecs_delta" &&
    /^<f/.test(arrayDtype) &&
    d === `<u${arrayDtype.slice(2)}` &&
    c.configuration?.axis === -1 &&
    (c.configuration?.dist ?? 1) === 1
  );
}

/**
 * HDF5 filters under the names imagecodecs gives them, which zarr-python resolves once
 * `imagecodecs-zarr` is installed (its entry points register them): the same byte formats
 * (HDF5's LZ4 framing; szip with HDF5's 4-byte size header; LZF without a header).
 */
function hdf5FilterToImagecodecs(c: V3Codec): V3Codec {
  switch (c.name) {
    case "vzarr.hdf5_lz4":
      return { name: "imagecodecs_lz4h5" };
    case "vzarr.szip":
      return { name: "imagecodecs_szip", configuration: { ...c.configuration, header: true } };
    case "vzarr.lzf":
      return { name: "imagecodecs_lzf", configuration: { header: false } };
    default:
      return c;
  }
}

function hdf5FilterFromImagecodecs(c: V3Codec): V3Codec {
  const cfg = c.configuration ?? {};
  if (c.name === "imagecodecs_lz4h5" && cfg.level === undefined) return { name: "vzarr.hdf5_lz4" };
  if (c.name === "imagecodecs_szip" && cfg.header === true) {
    const { header: _, ...rest } = cfg;
    return { name: "vzarr.szip", configuration: rest };
  }
  if (c.name === "imagecodecs_lzf" && cfg.header === false) return { name: "vzarr.lzf" };
  return c;
}

/**
 * FITS RICE_1: internally `bytes` then `imagecodecs_rcomp` with the tile's shape and dtype (the
 * core's decoder needs them); in Zarr v3 imagecodecs' Rcomp is the array→bytes codec itself
 * (imagecodecs-zarr), which takes shape and dtype from the chunk, so only `nblock` remains.
 */
function riceToV3(codecs: readonly V3Codec[]): readonly V3Codec[] {
  const [first, second, ...rest] = codecs;
  if (first?.name !== "bytes" || second?.name !== "imagecodecs_rcomp") return codecs;
  return [{ name: "imagecodecs_rcomp", configuration: { nblock: second.configuration?.nblock ?? 32 } }, ...rest];
}

function riceFromV3<C extends V3Codec>(codecs: readonly C[], arrayDtype: string, chunkShape: readonly number[]): readonly C[] {
  const [first, ...rest] = codecs;
  if (first?.name !== "imagecodecs_rcomp") return codecs;
  const nblock = first.configuration?.nblock ?? 32;
  return [
    { name: "bytes", configuration: { endian: "little" } } as unknown as C,
    { name: "imagecodecs_rcomp", configuration: { shape: [...chunkShape], dtype: arrayDtype, nblock } } as unknown as C,
    ...rest,
  ];
}

/** The internal codec list in Zarr v3 order (array→array codecs first), under ecosystem names. */
export function codecsToV3(internal: readonly V3Codec[], arrayDtype = ""): V3Codec[] {
  const codecs = riceToV3(internal);
  const mapped = codecs.map((c) => (isFloatDelta(c, arrayDtype) ? { name: HORIZONTAL_DELTA } : hdf5FilterToImagecodecs(c)));
  const before = mapped.filter((c) => ARRAY_TO_ARRAY.has(c.name));
  return [...before, ...mapped.filter((c) => !ARRAY_TO_ARRAY.has(c.name))];
}

/**
 * The inverse of `codecsToV3`: array→array codecs move back behind `bytes`, virtual-tiff's
 * horizontal delta becomes imagecodecs' (integers of the array's sample size, last axis).
 */
export function codecsFromV3<C extends V3Codec>(stored: readonly C[], arrayDtype = "", chunkShape: readonly number[] = []): C[] {
  const codecs = riceFromV3(stored, arrayDtype, chunkShape);
  const mapped = codecs.map((c) =>
    c.name === HORIZONTAL_DELTA
      ? ({
          name: "imagecodecs_delta",
          configuration: { axis: -1, dist: 1, shape: [...chunkShape], dtype: `<u${arrayDtype.slice(2)}` },
        } as unknown as C)
      : (hdf5FilterFromImagecodecs(c) as C),
  );
  const moved = mapped.filter((c) => ARRAY_TO_ARRAY.has(c.name) || c.name === "imagecodecs_delta");
  if (moved.length === 0) return [...mapped];
  const rest = mapped.filter((c) => !moved.includes(c));
  return rest.length === 0 ? [...moved] : [rest[0] as C, ...moved, ...rest.slice(1)];
}

export function toZarrV3Array(meta: ArrayMetadata, attributes: Record<string, unknown>, dimensionNames?: readonly string[]): ZarrV3Array {
  const dtype = parseDType(meta.dtype);
  return {
    zarr_format: 3,
    node_type: "array",
    shape: [...meta.shape],
    data_type: zarrV3DataType(dtype),
    chunk_grid: v3ChunkGrid(meta.shape, meta.chunkGrid),
    chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
    fill_value: v3FillValue(meta.fillValue, meta.dtype),
    codecs: meta.codecs.map((c) => (c.configuration === undefined ? { name: c.name } : { name: c.name, configuration: c.configuration })),
    attributes,
    ...(dimensionNames === undefined ? {} : { dimension_names: [...dimensionNames] }),
    storage_transformers: [],
  };
}

export function toZarrV3Group(attributes: Record<string, unknown>): {
  zarr_format: 3;
  node_type: "group";
  attributes: Record<string, unknown>;
} {
  return { zarr_format: 3, node_type: "group", attributes };
}
