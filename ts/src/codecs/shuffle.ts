/**
 * Byte (un)shuffle as HDF5's shuffle filter and numcodecs' Shuffle store it: all first bytes
 * of the elements, then all second bytes, … A trailing remainder is stored as is.
 */
export function unshuffle(input: Uint8Array, elementSize: number): Uint8Array {
  if (elementSize <= 1 || input.length < elementSize) return input;
  const n = Math.floor(input.length / elementSize);
  const out = new Uint8Array(input.length);
  for (let b = 0; b < elementSize; b++) {
    const src = b * n;
    for (let i = 0, dst = b; i < n; i++, dst += elementSize) out[dst] = input[src + i] as number;
  }
  out.set(input.subarray(n * elementSize), n * elementSize);
  return out;
}
