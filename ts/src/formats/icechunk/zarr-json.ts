/**
 * Zarr v3 `zarr.json` documents (a node's `user_data`) from the internal model and back.
 * Icechunk only understands the `default` chunk-key encoding with `/`, and rejects the bare
 * integer shorthand of rectilinear grids, so rectilinear axes always list their edges.
 */
import { CorruptFileError, UnsupportedFeatureError } from "../../errors/vzarr-error.js";
import { decodeBase64, encodeBase64 } from "../../io/base64.js";
import type { ArrayMetadata, ChunkGrid, CodecSpec, FillValue } from "../../metadata/array-metadata.js";
import { gridShape } from "../../metadata/array-metadata.js";
import { dtypeFromZarrV3, parseDType, zarrV3DataType } from "../../metadata/dtype.js";
import { codecsFromV3, codecsToV3 } from "../../metadata/zarr-v3.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function groupZarrJson(attrs: Readonly<Record<string, unknown>>): Uint8Array {
  return encoder.encode(JSON.stringify({ zarr_format: 3, node_type: "group", attributes: jsonSafe(attrs) }));
}

/** Attributes as strict JSON (non-finite numbers become the strings zarr-python writes). */
function jsonSafe(value: unknown): unknown {
  if (typeof value === "number") return Number.isFinite(value) ? value : Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, (x) => jsonSafe(x));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, jsonSafe(v)]));
  }
  return value;
}

/** `chunk_grid` for a grid: regular as is; rectilinear with every axis as explicit edges (RLE). */
export function chunkGridJson(shape: readonly number[], grid: ChunkGrid): Record<string, unknown> {
  if (grid.kind === "regular") return { name: "regular", configuration: { chunk_shape: [...grid.chunkShape] } };
  const counts = gridShape(shape, grid);
  const chunkShapes = grid.chunkShapes.map((s, a) => {
    // A regular axis inside a rectilinear grid: every chunk (the last one too) is stored
    // full size, so list the nominal size `count` times.
    const edges = typeof s === "number" ? new Array<number>(counts[a] as number).fill(s) : s;
    return runLength(edges);
  });
  return { name: "rectilinear", configuration: { kind: "inline", chunk_shapes: chunkShapes } };
}

function runLength(edges: readonly number[]): (number | [number, number])[] {
  const out: (number | [number, number])[] = [];
  for (let i = 0; i < edges.length; ) {
    let j = i;
    while (j < edges.length && edges[j] === edges[i]) j++;
    const n = j - i;
    if (n >= 3) out.push([edges[i] as number, n]);
    else for (let k = i; k < j; k++) out.push(edges[k] as number);
    i = j;
  }
  return out;
}

/** A valid v3 fill value for the dtype (zarr v3 requires one; `null` → the type's zero). */
export function v3FillValue(fill: FillValue, dtypeText: string): unknown {
  const dtype = parseDType(dtypeText);
  const nonFinite = (v: number) => (Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
  switch (dtype.kind) {
    case "b":
      return fill === null ? false : Boolean(fill);
    case "i":
    case "u":
      return typeof fill === "number" && Number.isFinite(fill) ? fill : typeof fill === "boolean" ? Number(fill) : 0;
    case "f":
      if (typeof fill === "number") return Number.isFinite(fill) ? fill : nonFinite(fill);
      if (typeof fill === "string") return fill;
      return 0;
    case "c":
      if (Array.isArray(fill)) return fill.map((v) => (typeof v === "string" || Number.isFinite(v) ? v : nonFinite(v)));
      return [typeof fill === "number" && Number.isFinite(fill) ? fill : 0, 0];
    case "S": {
      const bytes = new Uint8Array(dtype.itemSize);
      if (typeof fill === "string") bytes.set(encoder.encode(fill).subarray(0, dtype.itemSize));
      return encodeBase64(bytes);
    }
    case "U":
    case "O":
      return typeof fill === "string" ? fill : "";
    default:
      throw new UnsupportedFeatureError(`no Zarr v3 fill value for dtype ${dtypeText}`);
  }
}

export function arrayZarrJson(
  metadata: ArrayMetadata,
  dims: readonly string[],
  attrs: Readonly<Record<string, unknown>>,
  variable: string,
): Uint8Array {
  if (dims.length !== metadata.shape.length) {
    throw new UnsupportedFeatureError(`${variable} has ${dims.length} dimension names for ${metadata.shape.length} dimensions`);
  }
  const dtype = parseDType(metadata.dtype);
  const doc = {
    shape: metadata.shape,
    data_type: zarrV3DataType(dtype),
    chunk_grid: chunkGridJson(metadata.shape, metadata.chunkGrid),
    chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
    fill_value: v3FillValue(metadata.fillValue, metadata.dtype),
    codecs: codecsToV3(metadata.codecs, metadata.dtype),
    attributes: jsonSafe(attrs),
    dimension_names: [...dims],
    zarr_format: 3,
    node_type: "array",
    storage_transformers: [],
  };
  return encoder.encode(JSON.stringify(doc));
}

export interface ParsedArrayJson {
  metadata: ArrayMetadata;
  dims: (string | null)[] | null;
  attrs: Record<string, unknown>;
}

export function parseNodeJson(bytes: Uint8Array, path: string): Record<string, unknown> {
  try {
    const doc = JSON.parse(decoder.decode(bytes)) as unknown;
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new Error("not an object");
    return doc as Record<string, unknown>;
  } catch (e) {
    throw new CorruptFileError(`zarr.json of ${path} is not valid JSON: ${(e as Error).message}`, { variable: path });
  }
}

/**
 * The internal fill value of a v3 one: fixed-size byte strings store theirs as base64 of the
 * bytes (what `v3FillValue` writes); internally a byte string's fill is its first byte, as
 * netCDF char variables give it, when the rest is zero, and its text otherwise.
 */
function fillFromV3(fill: unknown, kind: string): FillValue {
  if (kind !== "S" || typeof fill !== "string") return fill as FillValue;
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(fill);
  } catch {
    return fill;
  }
  if (bytes.subarray(1).every((b) => b === 0)) return bytes[0] ?? 0;
  return new TextDecoder().decode(bytes).replace(/\0+$/, "");
}

export function parseArrayJson(doc: Record<string, unknown>, path: string): ParsedArrayJson {
  const fail = (what: string): never => {
    throw new CorruptFileError(`zarr.json of ${path}: ${what}`, { variable: path });
  };
  const shape = doc.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail("bad shape");
  const v3Codecs = (Array.isArray(doc.codecs) ? doc.codecs : fail("no codecs")) as CodecSpec[];
  const bytesCodec = v3Codecs.find((c) => c?.name === "bytes");
  const endian = bytesCodec?.configuration?.endian === "big" ? "big" : "little";
  const dtype = dtypeFromZarrV3(doc.data_type, endian);
  const grid = doc.chunk_grid as { name?: string; configuration?: Record<string, unknown> } | undefined;
  let chunkGrid: ChunkGrid;
  if (grid?.name === "regular") {
    const cs = grid.configuration?.chunk_shape;
    if (!Array.isArray(cs) || cs.length !== (shape as number[]).length) fail("bad chunk_shape");
    chunkGrid = { kind: "regular", chunkShape: cs as number[] };
  } else if (grid?.name === "rectilinear" || grid?.name === "rectangular") {
    const cs = grid.configuration?.chunk_shapes ?? grid.configuration?.chunk_shape;
    if (!Array.isArray(cs) || cs.length !== (shape as number[]).length) fail("bad chunk_shapes");
    chunkGrid = {
      kind: "rectilinear",
      chunkShapes: (cs as unknown[]).map((s) => {
        if (typeof s === "number") return s;
        if (!Array.isArray(s)) return fail("bad chunk_shapes entry");
        const edges: number[] = [];
        for (const e of s) {
          if (typeof e === "number") edges.push(e);
          else if (Array.isArray(e) && e.length === 2 && Number.isSafeInteger(e[1]) && e[1] >= 0 && e[1] <= 1e8) {
            for (let k = 0; k < e[1]; k++) edges.push(e[0] as number);
          } else fail("bad run-length entry in chunk_shapes");
        }
        return edges;
      }),
    };
  } else {
    throw new UnsupportedFeatureError(`chunk grid ${JSON.stringify(grid?.name)} of ${path} is not supported`, { variable: path });
  }
  const key = doc.chunk_key_encoding as { name?: string; configuration?: { separator?: string } } | undefined;
  if (key !== undefined && !(key.name === "default" && (key.configuration?.separator ?? "/") === "/")) {
    throw new UnsupportedFeatureError(`chunk key encoding ${JSON.stringify(key)} of ${path} cannot be stored in Icechunk`, {
      variable: path,
    });
  }
  const dims = Array.isArray(doc.dimension_names) ? (doc.dimension_names as (string | null)[]) : null;
  const attrs = (typeof doc.attributes === "object" && doc.attributes !== null ? doc.attributes : {}) as Record<string, unknown>;
  const chunkShape = chunkGrid.kind === "regular" ? chunkGrid.chunkShape : [];
  const codecs = codecsFromV3(v3Codecs, dtype.text, chunkShape);
  return {
    metadata: { shape: shape as number[], chunkGrid, dtype: dtype.text, codecs, fillValue: fillFromV3(doc.fill_value, dtype.kind) },
    dims,
    attrs,
  };
}
