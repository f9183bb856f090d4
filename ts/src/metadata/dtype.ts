/**
 * NumPy-style dtypes (`<f4`, `>i2`, `|u1`, `|b1`, `|S8`) — what scanners report and Zarr v2
 * stores — and their Zarr v3 `data_type` names.
 */
import { makeError } from "../errors/vzarr-error.js";

export interface DType {
  /** `<` little, `>` big, `|` not applicable (1-byte and byte-string types). */
  byteOrder: "<" | ">" | "|";
  /** NumPy kind: b bool, i int, u uint, f float, c complex, S bytes, U unicode, O object. */
  kind: "b" | "i" | "u" | "f" | "c" | "S" | "U" | "O" | "M" | "m" | "V";
  itemSize: number;
  /** The normalised text form. */
  text: string;
}

const PATTERN = /^([<>|=]?)([biufcSUOMmV])(\d*)(\[[A-Za-z0-9]+\])?$/;

export function parseDType(text: string): DType {
  const m = PATTERN.exec(text);
  if (m === null) throw makeError("UnsupportedFeature", `unsupported dtype ${JSON.stringify(text)}`);
  const kind = m[2] as DType["kind"];
  const size = m[3] === "" || m[3] === undefined ? (kind === "b" ? 1 : kind === "O" ? 8 : 0) : Number(m[3]);
  let order = (m[1] === "" || m[1] === "=" ? "<" : m[1]) as DType["byteOrder"];
  if (size === 1 || kind === "S" || kind === "V" || kind === "O" || kind === "b") order = "|";
  return { byteOrder: order, kind, itemSize: size, text: `${order}${kind}${size}${m[4] ?? ""}` };
}

/** Zarr v3 `data_type` for a dtype; byte order is a codec concern in v3. */
export function zarrV3DataType(dtype: DType): string | Record<string, unknown> {
  switch (dtype.kind) {
    case "b":
      return "bool";
    case "i":
      return `int${dtype.itemSize * 8}`;
    case "u":
      return `uint${dtype.itemSize * 8}`;
    case "f":
      return `float${dtype.itemSize * 8}`;
    case "c":
      return `complex${dtype.itemSize * 8}`;
    case "S":
      return { name: "null_terminated_bytes", configuration: { length_bytes: dtype.itemSize } };
    case "U":
      return { name: "fixed_length_utf32", configuration: { length_bytes: dtype.itemSize } };
    case "O":
      return "string";
    default:
      throw makeError("UnsupportedFeature", `no Zarr v3 data type for dtype ${dtype.text}`);
  }
}

/** The dtype (little-endian where it matters) for a Zarr v3 `data_type`. */
export function dtypeFromZarrV3(dataType: unknown, endian: "little" | "big" = "little"): DType {
  const order = endian === "big" ? ">" : "<";
  if (typeof dataType === "string") {
    const m = /^(bool|int|uint|float|complex)(\d*)$/.exec(dataType);
    if (dataType === "string") return parseDType("|O");
    if (m !== null) {
      const bits = m[2] === "" ? 8 : Number(m[2]);
      const kind = { bool: "b", int: "i", uint: "u", float: "f", complex: "c" }[m[1] as "bool"];
      return parseDType(`${order}${kind}${bits / 8}`);
    }
  } else if (typeof dataType === "object" && dataType !== null) {
    const dt = dataType as { name?: string; configuration?: { length_bytes?: number } };
    const n = dt.configuration?.length_bytes;
    if (dt.name === "null_terminated_bytes" && n !== undefined) return parseDType(`|S${n}`);
    if (dt.name === "fixed_length_utf32" && n !== undefined) return parseDType(`${order}U${n / 4}`);
  }
  throw makeError("UnsupportedFeature", `unsupported Zarr data type ${JSON.stringify(dataType)}`);
}

export type NumericArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** A typed array of the dtype's element type over `bytes` (which must be in native order). */
export function typedArrayFor(dtype: DType, buffer: ArrayBuffer, byteOffset = 0, length?: number): NumericArray | Uint8Array {
  const key = `${dtype.kind}${dtype.itemSize}`;
  const n = length ?? (buffer.byteLength - byteOffset) / Math.max(dtype.itemSize, 1);
  switch (key) {
    case "b1":
    case "u1":
      return new Uint8Array(buffer, byteOffset, n);
    case "i1":
      return new Int8Array(buffer, byteOffset, n);
    case "i2":
      return new Int16Array(buffer, byteOffset, n);
    case "u2":
      return new Uint16Array(buffer, byteOffset, n);
    case "i4":
      return new Int32Array(buffer, byteOffset, n);
    case "u4":
      return new Uint32Array(buffer, byteOffset, n);
    case "i8":
      return new BigInt64Array(buffer, byteOffset, n);
    case "u8":
      return new BigUint64Array(buffer, byteOffset, n);
    case "f4":
      return new Float32Array(buffer, byteOffset, n);
    case "f8":
      return new Float64Array(buffer, byteOffset, n);
    // Complex numbers as interleaved real and imaginary parts (NumPy's memory layout).
    case "c8":
      return new Float32Array(buffer, byteOffset, 2 * n);
    case "c16":
      return new Float64Array(buffer, byteOffset, 2 * n);
    default:
      // Byte strings and other fixed-size types are handed out as raw bytes.
      return new Uint8Array(buffer, byteOffset, n * dtype.itemSize);
  }
}
