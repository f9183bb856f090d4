/**
 * Which implementation decodes which codec. Portable, fast JS or the platform decompressor
 * where one exists (zlib, zstd, blosc, lz4); the Rust core for HDF5-specific filters and
 * GRIB (`vzarr.*`, fletcher32), shared by both backends.
 */
import type { Core } from "../backend/core.js";
import { UnsupportedFeatureError } from "../errors/vzarr-error.js";
import type { CodecSpec } from "../metadata/array-metadata.js";
import { stripCrc32c } from "./checksum.js";
import type { BytesDecoder } from "./codec.js";
import { checkBlosc, checkLz4, checkZstd } from "./declared-size.js";
import { gribDecoder } from "./grib.js";
import { inflate } from "./inflate.js";
import { jpegDecoder } from "./jpeg.js";
import { unshuffle } from "./shuffle.js";

type NumcodecsCodec = { decode(data: Uint8Array): Promise<Uint8Array> | Uint8Array };

type NumcodecsModule = { default: { fromConfig(c: Record<string, unknown>): NumcodecsCodec } };

// Literal specifiers, not a template: bundlers (the browser build) then split each codec into
// its own lazily loaded chunk instead of leaving an import no browser can resolve.
const numcodecsModules = {
  blosc: () => import("numcodecs/blosc") as Promise<NumcodecsModule>,
  lz4: () => import("numcodecs/lz4") as Promise<NumcodecsModule>,
  zstd: () => import("numcodecs/zstd") as Promise<NumcodecsModule>,
};

/** numcodecs' wasm codecs (blosc, lz4, zstd) are loaded on first use only. */
async function numcodecs(name: keyof typeof numcodecsModules, config: Record<string, unknown>): Promise<NumcodecsCodec> {
  const mod = await numcodecsModules[name]();
  return mod.default.fromConfig({ id: name, ...config });
}

function itemSizeOf(dtype: string): number {
  const n = Number(/\d+$/.exec(dtype)?.[0] ?? "1");
  return Number.isFinite(n) && n > 0 ? n : 1;
}

export async function bytesDecoder(spec: CodecSpec, core: Core): Promise<BytesDecoder> {
  const cfg = spec.configuration ?? {};
  switch (spec.name) {
    case "numcodecs.zlib":
    case "zlib":
      return { name: spec.name, decode: (b, ctx) => inflate(b, "zlib", core, ctx.dtype, ctx.chunkShape) };
    case "numcodecs.gzip":
    case "gzip":
      return { name: spec.name, decode: (b, ctx) => inflate(b, "gzip", core, ctx.dtype, ctx.chunkShape) };
    case "numcodecs.shuffle": {
      const size = Number(cfg.elementsize ?? 0);
      return { name: spec.name, decode: (b, ctx) => unshuffle(b, size > 0 ? size : itemSizeOf(ctx.dtype)) };
    }
    case "zstd":
    case "numcodecs.zstd": {
      const codec = await numcodecs("zstd", {});
      return {
        name: spec.name,
        decode: (b, ctx) => {
          checkZstd(b, ctx);
          return codec.decode(b);
        },
      };
    }
    case "blosc":
    case "numcodecs.blosc": {
      const codec = await numcodecs("blosc", {});
      return {
        name: spec.name,
        decode: (b, ctx) => {
          checkBlosc(b, ctx);
          return codec.decode(b);
        },
      };
    }
    case "numcodecs.lz4": {
      const codec = await numcodecs("lz4", {});
      return {
        name: spec.name,
        decode: (b, ctx) => {
          checkLz4(b, ctx);
          return codec.decode(b);
        },
      };
    }
    case "crc32c":
    case "numcodecs.crc32c":
      return { name: spec.name, decode: (b, ctx) => stripCrc32c(b, spec.configuration?.location === "start", ctx.variable) };
    case "vzarr.grib":
      return gribDecoder(core);
    case "imagecodecs_jpeg":
      return jpegDecoder(cfg);
    default:
      if (core.codecSupported().includes(spec.name)) {
        const json = JSON.stringify(spec);
        return {
          name: spec.name,
          decode: (b, ctx) => core.codecDecode(json, b, ctx.dtype, Float64Array.from(ctx.chunkShape)),
        };
      }
      throw new UnsupportedFeatureError(`no decoder for codec ${spec.name}`);
  }
}
