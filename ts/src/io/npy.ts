/** NumPy `.npy` (format 1.0/2.0) for `vzarr cat`: a header describing dtype and shape, then C-order data. */
import { makeError } from "../errors/vzarr-error.js";

export function npyBytes(data: ArrayBufferView, shape: readonly number[], dtype: string): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Version 1.0 headers are at most 65535 bytes; the total preamble is padded to 64 bytes.
  const version = header.length + 11 > 65535 ? 2 : 1;
  const pre = version === 1 ? 10 : 12;
  const pad = 64 - ((pre + header.length + 1) % 64);
  header = `${header}${" ".repeat(pad % 64)}\n`;
  const out = new Uint8Array(pre + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0], 0);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pre + header.length);
  return out;
}

/** Strings become a fixed-width UTF-32 (`<U n`) array, as NumPy stores them. */
export function stringsToNpy(values: readonly string[], shape: readonly number[]): Uint8Array {
  const width = Math.max(1, ...values.map((s) => [...s].length));
  const codes = new Uint32Array(values.length * width);
  values.forEach((s, i) => {
    let j = 0;
    for (const ch of s) codes[i * width + j++] = ch.codePointAt(0) ?? 0;
  });
  if (width > 1 << 20) throw makeError("LimitExceeded", "string values too long for .npy");
  return npyBytes(codes, shape, `<U${width}`);
}
