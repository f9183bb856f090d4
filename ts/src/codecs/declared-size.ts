/**
 * The decoded size a compressed chunk's own header declares, checked before numcodecs' wasm
 * decoders see it: they allocate what the header says (blosc's `nbytes`, zstd's frame content
 * size and window, lz4's size prefix), so a flipped bit in a 2 KiB chunk made them take a
 * gigabyte and seconds before failing or returning garbage. A chunk may decode to at most
 * what its chunk shape and dtype hold (`limitOf`); variable-length dtypes, whose decoded size
 * is not known beforehand, to at most `UNKNOWN_SIZE_LIMIT`.
 */
import { CorruptFileError } from "../errors/vzarr-error.js";
import type { ChunkContext } from "./codec.js";

const UNKNOWN_SIZE_LIMIT = 256 * 1024 * 1024;
/** zstd's window may exceed a small chunk's size (an encoder that did not know the size). */
const ZSTD_WINDOW_FLOOR = 8 * 1024 * 1024;

/** Bytes a decoded chunk may take: its elements, plus room for a checksum codec's few bytes. */
export function limitOf(ctx: ChunkContext): number {
  const m = /^[<>|=]?([biufcmMSUV])(\d+)$/.exec(ctx.dtype);
  if (m === null) return UNKNOWN_SIZE_LIMIT;
  const item = Number(m[2]) * (m[1] === "U" ? 4 : 1);
  return ctx.chunkShape.reduce((a, b) => a * b, 1) * item + 64;
}

function corrupt(codec: string, why: string, ctx: ChunkContext): never {
  throw new CorruptFileError(`${codec}: ${why}`, { variable: ctx.variable });
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16)) + (b[at + 3] as number) * 0x1000000;
}

/** Blosc 1 header: version, versionlz, flags, typesize, nbytes, blocksize, cbytes (LE u32). */
export function checkBlosc(b: Uint8Array, ctx: ChunkContext): void {
  if (b.length < 16) corrupt("blosc", `a ${b.length}-byte chunk is shorter than its header`, ctx);
  const nbytes = u32(b, 4);
  const blocksize = u32(b, 8);
  const cbytes = u32(b, 12);
  const limit = limitOf(ctx);
  if (cbytes > b.length) corrupt("blosc", `the header claims ${cbytes} stored bytes, the chunk has ${b.length}`, ctx);
  if (nbytes > limit) corrupt("blosc", `the header claims ${nbytes} decoded bytes, the chunk holds at most ${limit}`, ctx);
  if (blocksize > Math.max(nbytes, 1)) corrupt("blosc", `block size ${blocksize} exceeds the ${nbytes} decoded bytes`, ctx);
}

/** Every zstd frame: its content size (when stated) and window within the chunk's limit. */
export function checkZstd(b: Uint8Array, ctx: ChunkContext): void {
  const limit = limitOf(ctx);
  let at = 0;
  // frames follow each other; skippable frames (0x184D2A5?) carry their own length
  for (let frames = 0; at < b.length && frames < 4096; frames++) {
    if (b.length - at < 6) corrupt("zstd", "a frame shorter than its header", ctx);
    const magic = u32(b, at);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      at += 8 + u32(b, at + 4);
      continue;
    }
    if (magic !== 0xfd2fb528) corrupt("zstd", `no frame at byte ${at}`, ctx);
    const fhd = b[at + 4] as number;
    const single = (fhd >> 5) & 1;
    const fcsFlag = fhd >> 6;
    let p = at + 5;
    if (!single) {
      const wd = b[p++] as number;
      const log = 10 + (wd >> 3);
      const window = 2 ** log + (2 ** log / 8) * (wd & 7);
      if (window > Math.max(ZSTD_WINDOW_FLOOR, 2 * limit))
        corrupt("zstd", `a window of ${window} bytes for a chunk of at most ${limit}`, ctx);
    }
    p += [0, 1, 2, 4][fhd & 3] as number;
    const fcsBytes = fcsFlag === 0 ? single : ([1, 2, 4, 8][fcsFlag] as number);
    if (p + fcsBytes > b.length) corrupt("zstd", "a frame header past the end of the chunk", ctx);
    let size = 0;
    for (let i = fcsBytes - 1; i >= 0; i--) size = size * 256 + (b[p + i] as number);
    if (fcsBytes === 2) size += 256;
    if (fcsBytes > 0 && size > limit) corrupt("zstd", `a frame claims ${size} decoded bytes, the chunk holds at most ${limit}`, ctx);
    // only the first frame's header is cheap to find; later frames are bounded by the window
    return;
  }
}

/** numcodecs' LZ4: a little-endian u32 decoded size, then one LZ4 block. */
export function checkLz4(b: Uint8Array, ctx: ChunkContext): void {
  if (b.length < 4) corrupt("lz4", `a ${b.length}-byte chunk is shorter than its size prefix`, ctx);
  const size = u32(b, 0);
  const limit = limitOf(ctx);
  if (size > limit) corrupt("lz4", `the chunk claims ${size} decoded bytes, it holds at most ${limit}`, ctx);
}
