/**
 * Icechunk object ids: 12 random bytes for snapshots, manifests and chunks, 8 for nodes.
 * In object keys they are Crockford base32 (uppercase, no padding, MSB-first, last group
 * zero-filled on the right): 12 bytes → 20 characters, 8 bytes → 13.
 */
import { CorruptFileError } from "../../errors/vzarr-error.js";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) {
  DECODE[ALPHABET.charCodeAt(i)] = i;
  DECODE[ALPHABET.toLowerCase().charCodeAt(i)] = i;
}
// Crockford's decoding aliases: O → 0, I/L → 1.
for (const [alias, to] of [
  ["O", 0],
  ["o", 0],
  ["I", 1],
  ["i", 1],
  ["L", 1],
  ["l", 1],
] as const) {
  DECODE[alias.charCodeAt(0)] = to;
}

export function encodeBase32(bytes: Uint8Array): string {
  let out = "";
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >>> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

export function decodeBase32(text: string, byteLength: number): Uint8Array {
  if (text.length !== Math.ceil((byteLength * 8) / 5)) {
    throw new CorruptFileError(`object id ${JSON.stringify(text)} should have ${Math.ceil((byteLength * 8) / 5)} characters`);
  }
  const out = new Uint8Array(byteLength);
  let acc = 0;
  let bits = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? (DECODE[c] as number) : -1;
    if (v < 0) throw new CorruptFileError(`object id ${JSON.stringify(text)} is not Crockford base32`);
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (at < byteLength) out[at++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}

/** A 12-byte id (snapshot, manifest, chunk). */
export type ObjectId12 = Uint8Array;
/** An 8-byte id (node). */
export type ObjectId8 = Uint8Array;

export function randomId(byteLength: 8 | 12): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(byteLength));
}

/** The well-known id of every repository's initial snapshot (since mid-2025). */
export const INITIAL_SNAPSHOT_ID = "1CECHNKREP0F1RSTCMT0";

export function snapshotIdFromString(text: string): ObjectId12 {
  return decodeBase32(text, 12);
}

/** Unsigned lexicographic comparison (how Icechunk sorts ids, paths and coordinates). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && compareBytes(a, b) === 0;
}
