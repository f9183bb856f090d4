/**
 * JPEG tiles and strips of TIFF files (compression 7), as imagecodecs' numcodecs codec
 * `imagecodecs_jpeg` is configured by tifffile's `write_fsspec` and by vzarr's TIFF scanner:
 * `tables` (the TIFF's JPEGTables, base64) are merged into each abbreviated stream;
 * `colorspace_jpeg` 2 says the stream holds RGB (no colour transform); `colorspace_data` 6
 * keeps YCbCr; otherwise three components are converted from YCbCr to RGB as libjpeg does.
 *
 * Decoded by jpeg-js (pure JavaScript, loaded on first use) rather than a Rust crate in the
 * core: zune-jpeg added 132 KB to the wasm module, past its 1.5 MiB budget
 * (docs/formats/tiff.md). The output is bounded by the chunk size; a shorter image is padded
 * with zeros to the chunk.
 */
import { CorruptFileError, UnsupportedFeatureError } from "../errors/vzarr-error.js";
import { decodeBase64 } from "../io/base64.js";
import type { BytesDecoder, ChunkContext } from "./codec.js";

type JpegJsDecode = (
  data: Uint8Array,
  opts: {
    useTArray: boolean;
    formatAsRGBA: boolean;
    colorTransform?: boolean;
    tolerantDecoding: boolean;
    maxResolutionInMP: number;
    maxMemoryUsageInMB: number;
  },
) => { width: number; height: number; data: Uint8Array };

let jpegJs: Promise<JpegJsDecode> | undefined;

function loadJpegJs(): Promise<JpegJsDecode> {
  jpegJs ??= import("jpeg-js/lib/decoder.js").then((m) => ((m as { default?: JpegJsDecode }).default ?? m) as JpegJsDecode);
  return jpegJs;
}

function colorspace(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v !== "string") return undefined;
  return { RGB: 2, YCBCR: 6, GRAY: 1, GREY: 1, MINISBLACK: 1 }[v.toUpperCase()] ?? 0;
}

/** The stream with the tables' markers in front (TIFF's abbreviated JPEG streams). */
export function withTables(stream: Uint8Array, tables: Uint8Array): Uint8Array {
  const soi = (b: Uint8Array) => b[0] === 0xff && b[1] === 0xd8;
  if (tables.length < 4 || !soi(tables) || stream.length < 2 || !soi(stream)) {
    throw new CorruptFileError("jpeg: the JPEGTables or the stream do not start with SOI");
  }
  const eoi = tables[tables.length - 2] === 0xff && tables[tables.length - 1] === 0xd9;
  const body = eoi ? tables.subarray(0, tables.length - 2) : tables;
  const out = new Uint8Array(body.length + stream.length - 2);
  out.set(body);
  out.set(stream.subarray(2), body.length);
  return out;
}

export async function jpegDecoder(config: Record<string, unknown>): Promise<BytesDecoder> {
  if (config.header !== undefined && config.header !== null) {
    throw new UnsupportedFeatureError("jpeg: a codec `header` (tifffile's JPEG headers of NDPI files)");
  }
  const tables = typeof config.tables === "string" ? decodeBase64(config.tables) : undefined;
  const streamIsRgb = colorspace(config.colorspace_jpeg) === 2;
  const keepYcbcr = colorspace(config.colorspace_data) === 6;
  const decode = await loadJpegJs();
  return {
    name: "imagecodecs_jpeg",
    decode(input: Uint8Array, ctx: ChunkContext): Uint8Array {
      const expected = ctx.chunkShape.reduce((a, b) => a * b, 1);
      const stream = tables === undefined ? input : withTables(input, tables);
      let image: { width: number; height: number; data: Uint8Array };
      try {
        image = decode(stream, {
          useTArray: true,
          formatAsRGBA: false,
          ...(streamIsRgb || keepYcbcr ? { colorTransform: false } : {}),
          tolerantDecoding: true,
          maxResolutionInMP: Math.max(1, expected / 1e6),
          maxMemoryUsageInMB: Math.max(16, (expected * 8) / 2 ** 20),
        });
      } catch (e) {
        throw new CorruptFileError(`jpeg: ${(e as Error).message}`, { variable: ctx.variable });
      }
      const pixels = image.width * image.height;
      // jpeg-js writes three channels. Interleaved chunks are (rows, columns, 3) — the scanner
      // refuses other sample counts; grey images (rows, columns) and separate planes
      // (1, rows, columns; colorspace_data 1) keep the first channel.
      const samples = ctx.chunkShape.length === 3 && colorspace(config.colorspace_data) !== 1 ? 3 : 1;
      if (pixels * samples > expected) {
        throw new CorruptFileError(`jpeg: a ${image.width} x ${image.height} image does not fit the chunk`, { variable: ctx.variable });
      }
      const out = new Uint8Array(expected);
      if (samples === 3) out.set(image.data.subarray(0, pixels * 3));
      else for (let i = 0; i < pixels; i++) out[i] = image.data[i * 3] as number;
      return out;
    },
  };
}
