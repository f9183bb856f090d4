/**
 * Seeded mutations of a fixture's bytes: the same (bytes, seed) always gives the same input,
 * so every finding is reproduced by its seed alone.
 *
 * Kinds: bit flips, byte sets, truncation, splices (a run of the file copied over another
 * place), and length-field inflation (a 1-8 byte field set to a huge or near-boundary value,
 * little- or big-endian, or a varint run of 0xff...0x7f). "legacy" is the first reproduction
 * run's mutator (flip / set / varint inflation), kept so its seeds still reproduce.
 */

/** xorshift32: small, fast, identical everywhere. */
export function random(seed) {
  let s = Math.imul(seed >>> 0 || 1, 2654435761) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

const BOUNDARY = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000, 0x40000000];

/** One mutated copy of `base` for `seed`. */
export function mutateBytes(base, seed, mode = "mixed") {
  const r = random(seed);
  const pick = (n) => Math.floor(r() * n);
  if (mode === "legacy") {
    const b = Uint8Array.from(base);
    const n = 1 + pick(5);
    for (let i = 0; i < n; i++) {
      const p = pick(b.length);
      const k = r();
      if (k < 0.4) b[p] ^= 1 << pick(8);
      else if (k < 0.7) b[p] = pick(256);
      else {
        const L = 1 + pick(4);
        for (let j = 0; j < L && p + j < b.length; j++) b[p + j] = j < L - 1 ? 0xff : 0x7f;
      }
    }
    return b;
  }
  let b = Uint8Array.from(base);
  const edits = 1 + pick(4);
  for (let e = 0; e < edits; e++) {
    const kind = r();
    if (b.length === 0) break;
    if (kind < 0.35) {
      // bit flips
      const n = 1 + pick(8);
      for (let i = 0; i < n; i++) b[pick(b.length)] ^= 1 << pick(8);
    } else if (kind < 0.5) {
      // bytes set
      const n = 1 + pick(4);
      for (let i = 0; i < n; i++) b[pick(b.length)] = pick(256);
    } else if (kind < 0.6) {
      // truncation (keeps at least one byte)
      b = b.slice(0, 1 + pick(b.length));
    } else if (kind < 0.75) {
      // splice: a run of the file copied over another place
      const len = 1 + pick(Math.min(64, b.length));
      const from = pick(b.length - len + 1);
      const to = pick(b.length - len + 1);
      b.copyWithin(to, from, from + len);
    } else {
      // length-field inflation: a 1/2/4/8-byte field or a varint set to a huge or boundary value
      const width = [1, 2, 4, 8][pick(4)];
      const at = pick(Math.max(1, b.length - width + 1));
      const v = r() < 0.5 ? BOUNDARY[pick(BOUNDARY.length)] : Math.floor(r() * 2 ** 32);
      if (r() < 0.2) {
        const n = 1 + pick(5);
        for (let j = 0; j < n && at + j < b.length; j++) b[at + j] = j < n - 1 ? 0xff : 0x7f;
      } else {
        const big = r() < 0.5;
        for (let j = 0; j < width && at + j < b.length; j++) {
          const shift = 8 * (big ? width - 1 - j : j);
          b[at + j] = shift >= 32 ? (v > 0x7fffffff ? 0xff : 0) : (v >>> shift) & 0xff;
        }
      }
    }
  }
  return b;
}
