/**
 * Commit/snapshot metadata values: FlexBuffers in spec-2 files (what Rust's serde
 * flexbuffers writes for a JSON value), MessagePack in spec-1 snapshots.
 */
import { encode as flexEncode, toObject as flexToObject } from "flatbuffers/js/flexbuffers.js";
import { CorruptFileError } from "../../errors/vzarr-error.js";

export function encodeFlex(value: unknown): Uint8Array {
  return flexEncode(value);
}

export function decodeFlex(bytes: Uint8Array, file: string): unknown {
  try {
    return flexToObject(bytes.slice().buffer);
  } catch (e) {
    throw new CorruptFileError(`unreadable FlexBuffers value: ${(e as Error).message}`, { file, cause: e });
  }
}

/** A MessagePack value (spec-1 metadata); bounded by the input, never reads past it. */
export function decodeMsgpack(bytes: Uint8Array, file: string): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const fail = (): never => {
    throw new CorruptFileError("unreadable MessagePack value", { file, offset: at });
  };
  const need = (n: number) => {
    if (at + n > bytes.length) fail();
  };
  const utf8 = new TextDecoder();
  const str = (n: number) => {
    need(n);
    const s = utf8.decode(bytes.subarray(at, at + n));
    at += n;
    return s;
  };
  const read = (depth: number): unknown => {
    if (depth > 64) fail();
    need(1);
    const t = bytes[at++] as number;
    if (t <= 0x7f) return t;
    if (t >= 0xe0) return t - 256;
    if ((t & 0xf0) === 0x80) return map(t & 0x0f, depth);
    if ((t & 0xf0) === 0x90) return arr(t & 0x0f, depth);
    if ((t & 0xe0) === 0xa0) return str(t & 0x1f);
    const u = (n: 1 | 2 | 4) => {
      need(n);
      const v = n === 1 ? view.getUint8(at) : n === 2 ? view.getUint16(at) : view.getUint32(at);
      at += n;
      return v;
    };
    switch (t) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
      case 0xc5:
      case 0xc6: {
        const n = u(t === 0xc4 ? 1 : t === 0xc5 ? 2 : 4);
        need(n);
        at += n;
        return bytes.slice(at - n, at);
      }
      case 0xca:
        need(4);
        at += 4;
        return view.getFloat32(at - 4);
      case 0xcb:
        need(8);
        at += 8;
        return view.getFloat64(at - 8);
      case 0xcc:
        return u(1);
      case 0xcd:
        return u(2);
      case 0xce:
        return u(4);
      case 0xcf:
        need(8);
        at += 8;
        return Number(view.getBigUint64(at - 8));
      case 0xd0:
        need(1);
        return view.getInt8(at++);
      case 0xd1:
        need(2);
        at += 2;
        return view.getInt16(at - 2);
      case 0xd2:
        need(4);
        at += 4;
        return view.getInt32(at - 4);
      case 0xd3:
        need(8);
        at += 8;
        return Number(view.getBigInt64(at - 8));
      case 0xd9:
        return str(u(1));
      case 0xda:
        return str(u(2));
      case 0xdb:
        return str(u(4));
      case 0xdc:
        return arr(u(2), depth);
      case 0xdd:
        return arr(u(4), depth);
      case 0xde:
        return map(u(2), depth);
      case 0xdf:
        return map(u(4), depth);
      default:
        return fail();
    }
  };
  const arr = (n: number, depth: number) => {
    if (n > bytes.length - at) fail();
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(read(depth + 1));
    return out;
  };
  const map = (n: number, depth: number) => {
    if (n > bytes.length - at) fail();
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const k = read(depth + 1);
      out[String(k)] = read(depth + 1);
    }
    return out;
  };
  return read(0);
}
