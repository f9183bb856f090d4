/**
 * The binary envelope of every Icechunk metadata file: 12-byte magic `ICE🧊CHUNK`, 24-byte
 * implementation name (space padded), spec version, file type, compression (always 1 =
 * zstd), then the zstd-compressed FlatBuffer.
 *
 * We write zstd frames made of *raw* (stored) blocks: valid zstd that every decoder
 * accepts, produced at memory speed (a 10M-ref commit must not wait on a compressor).
 * Files are therefore larger than the Rust writer's level-3 output; readers don't care.
 */
import { decompress } from "fzstd";
import { CorruptFileError, UnsupportedFeatureError } from "../../errors/vzarr-error.js";

export const MAGIC = new Uint8Array([0x49, 0x43, 0x45, 0xf0, 0x9f, 0xa7, 0x8a, 0x43, 0x48, 0x55, 0x4e, 0x4b]);
export const HEADER_SIZE = 39;

export enum FileType {
  Snapshot = 1,
  Manifest = 2,
  TransactionLog = 4,
  RepoInfo = 6,
}

const FILE_TYPE_NAMES: Record<number, string> = { 1: "snapshot", 2: "manifest", 4: "transaction log", 6: "repo info" };

/** What we write as the implementation name (readers only display it). */
export const IMPLEMENTATION_NAME = "vzarr-0.1";

export interface FileHeader {
  implementation: string;
  specVersion: number;
  fileType: FileType;
  compression: number;
}

export function encodeHeader(specVersion: number, fileType: FileType): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  out.set(MAGIC, 0);
  const name = new TextEncoder().encode(IMPLEMENTATION_NAME.padEnd(24, " ").slice(0, 24));
  out.set(name, 12);
  out[36] = specVersion;
  out[37] = fileType;
  out[38] = 1;
  return out;
}

const RAW_BLOCK_MAX = 128 * 1024;

/** A zstd frame of raw blocks holding `data` (single segment, exact content size). */
export function zstdStoredFrame(data: Uint8Array): Uint8Array {
  return storedFrameAfter(new Uint8Array(0), data);
}

/** `prefix` followed by a stored zstd frame of `data`, built in one allocation. */
function storedFrameAfter(prefix: Uint8Array, data: Uint8Array): Uint8Array {
  const n = data.length;
  const fcsSize = n < 256 ? 1 : n < 65792 ? 2 : n <= 0xffffffff ? 4 : 8;
  const fcsFlag = fcsSize === 1 ? 0 : fcsSize === 2 ? 1 : fcsSize === 4 ? 2 : 3;
  const blocks = Math.max(1, Math.ceil(n / RAW_BLOCK_MAX));
  const p = prefix.length;
  const out = new Uint8Array(p + 4 + 1 + fcsSize + blocks * 3 + n);
  out.set(prefix, 0);
  const view = new DataView(out.buffer, p);
  view.setUint32(0, 0xfd2fb528, true);
  // Frame header descriptor: FCS flag (bits 7-6), single segment (bit 5).
  out[p + 4] = (fcsFlag << 6) | 0x20;
  let at = 5;
  if (fcsSize === 1) view.setUint8(at, n);
  else if (fcsSize === 2) view.setUint16(at, n - 256, true);
  else if (fcsSize === 4) view.setUint32(at, n, true);
  else view.setBigUint64(at, BigInt(n), true);
  at += fcsSize;
  for (let b = 0; b < blocks; b++) {
    const start = b * RAW_BLOCK_MAX;
    const size = Math.min(RAW_BLOCK_MAX, n - start);
    const last = b === blocks - 1 ? 1 : 0;
    const header = (size << 3) | last; // block type 0 = raw
    out[p + at] = header & 0xff;
    out[p + at + 1] = (header >>> 8) & 0xff;
    out[p + at + 2] = (header >>> 16) & 0xff;
    at += 3;
    out.set(data.subarray(start, start + size), p + at);
    at += size;
  }
  return out;
}

/** Header + stored zstd frame of `payload`. */
export function encodeFile(specVersion: number, fileType: FileType, payload: Uint8Array): Uint8Array {
  return storedFrameAfter(encodeHeader(specVersion, fileType), payload);
}

export function parseHeader(bytes: Uint8Array, file: string): FileHeader {
  if (bytes.length < HEADER_SIZE) throw new CorruptFileError(`Icechunk file is truncated (${bytes.length} bytes)`, { file });
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new CorruptFileError("not an Icechunk file (bad magic bytes)", { file });
  }
  const implementation = new TextDecoder().decode(bytes.subarray(12, 36)).trimEnd();
  return { implementation, specVersion: bytes[36] as number, fileType: bytes[37] as number, compression: bytes[38] as number };
}

/** Checks the header and returns the decompressed FlatBuffer. */
export function decodeFile(bytes: Uint8Array, expected: FileType, file: string): { header: FileHeader; payload: Uint8Array } {
  const header = parseHeader(bytes, file);
  if (header.fileType !== expected) {
    throw new CorruptFileError(
      `expected an Icechunk ${FILE_TYPE_NAMES[expected]} file, found file type ${FILE_TYPE_NAMES[header.fileType] ?? header.fileType}`,
      { file },
    );
  }
  if (header.specVersion !== 1 && header.specVersion !== 2) {
    throw new UnsupportedFeatureError(`Icechunk spec version ${header.specVersion} is not supported (only 1 and 2)`, { file });
  }
  const body = bytes.subarray(HEADER_SIZE);
  if (header.compression === 0) return { header, payload: body };
  if (header.compression !== 1) throw new CorruptFileError(`unknown Icechunk compression algorithm ${header.compression}`, { file });
  let payload: Uint8Array;
  try {
    payload = decompress(body);
  } catch (e) {
    throw new CorruptFileError(`cannot decompress Icechunk file: ${(e as Error).message}`, { file, cause: e });
  }
  return { header, payload };
}
