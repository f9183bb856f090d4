/**
 * In-memory counterparts of the manifest operations for loaded variables: concat along an
 * axis, slicing, broadcasting to new leading axes, equality. Values are C-order typed arrays,
 * strings, or raw bytes (byte-string dtypes, `itemSize` bytes per element).
 */
import { InvalidArgumentError } from "../errors/vzarr-error.js";
import { regularGrid } from "../metadata/array-metadata.js";
import { type NumericArray, parseDType, typedArrayFor } from "../metadata/dtype.js";
import { LoadedArray, type LoadedValues } from "./loaded-array.js";

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Values per element in the flat storage: the item size for raw byte strings, else 1. */
function unitsPerElement(array: LoadedArray): number {
  if (Array.isArray(array.values)) return 1;
  const d = parseDType(array.dtype);
  const typed = typedArrayFor(d, new ArrayBuffer(0), 0, 0);
  return typed instanceof Uint8Array && d.itemSize > 1 ? d.itemSize : 1;
}

function allocLike(values: LoadedValues, n: number): LoadedValues {
  if (Array.isArray(values)) return new Array<string>(n).fill("");
  const Ctor = (values as NumericArray).constructor as new (n: number) => NumericArray;
  return new Ctor(n);
}

function copyRange(src: LoadedValues, from: number, to: number, dst: LoadedValues, at: number): void {
  if (Array.isArray(src)) {
    for (let i = from; i < to; i++) (dst as string[])[at + i - from] = src[i] as string;
  } else {
    (dst as Uint8Array).set((src as Uint8Array).subarray(from, to), at);
  }
}

function withShape(first: LoadedArray, shape: number[], values: LoadedValues): LoadedArray {
  return new LoadedArray({ ...first.metadata, shape, chunkGrid: regularGrid(shape.map((d) => Math.max(d, 1))) }, values);
}

/** Joins loaded arrays along an existing axis. */
export function concatLoaded(list: readonly LoadedArray[], axis: number): LoadedArray {
  const first = list[0];
  if (first === undefined) throw new InvalidArgumentError("concat needs at least one array");
  const unit = unitsPerElement(first);
  const outer = prod(first.shape.slice(0, axis));
  const inner = prod(first.shape.slice(axis + 1)) * unit;
  const shape = first.shape;
  shape[axis] = list.reduce((s, a) => s + (a.metadata.shape[axis] as number), 0);
  const out = allocLike(first.values, prod(shape) * unit);
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const a of list) {
      const block = (a.metadata.shape[axis] as number) * inner;
      copyRange(a.values, o * block, (o + 1) * block, out, at);
      at += block;
    }
  }
  return withShape(first, shape, out);
}

/** New leading axes of the given lengths (values repeated). */
export function broadcastLoaded(array: LoadedArray, lead: readonly number[]): LoadedArray {
  const reps = prod(lead);
  const n = array.values.length;
  const out = allocLike(array.values, n * reps);
  for (let r = 0; r < reps; r++) copyRange(array.values, 0, n, out, r * n);
  return withShape(array, [...lead, ...array.shape], out);
}

/** The sub-array `[start, stop)` per axis. */
export function sliceLoaded(array: LoadedArray, ranges: ReadonlyArray<readonly [number, number]>): LoadedArray {
  const shape = array.shape;
  const unit = unitsPerElement(array);
  const outShape = ranges.map(([s, e]) => e - s);
  const out = allocLike(array.values, prod(outShape) * unit);
  const strides = shape.map((_, a) => prod(shape.slice(a + 1)) * unit);
  const ndim = shape.length;
  if (ndim === 0 || prod(outShape) === 0) return withShape(array, outShape, out);
  const [lastStart, lastStop] = ranges[ndim - 1] as readonly [number, number];
  const run = (lastStop - lastStart) * unit;
  const counter = new Array<number>(ndim - 1).fill(0);
  let at = 0;
  for (;;) {
    let src = lastStart * unit;
    for (let a = 0; a < ndim - 1; a++)
      src += (((ranges[a] as readonly [number, number])[0] as number) + (counter[a] as number)) * (strides[a] as number);
    copyRange(array.values, src, src + run, out, at);
    at += run;
    let a = ndim - 2;
    while (a >= 0) {
      counter[a] = (counter[a] as number) + 1;
      if ((counter[a] as number) < (outShape[a] as number)) break;
      counter[a] = 0;
      a--;
    }
    if (a < 0) break;
  }
  return withShape(array, outShape, out);
}

/** Same shape, dtype and values (NaN equals NaN, as xarray's `equals`). */
export function loadedEqual(a: LoadedArray, b: LoadedArray): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const x = a.values;
  const y = b.values;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const p = x[i];
    const q = y[i];
    if (p !== q && !(typeof p === "number" && typeof q === "number" && Number.isNaN(p) && Number.isNaN(q))) return false;
  }
  return true;
}

/** Values as numbers (for ordering by coordinates); undefined for strings and byte strings. */
export function loadedNumbers(array: LoadedArray): ArrayLike<number | bigint> | undefined {
  if (Array.isArray(array.values)) return undefined;
  return unitsPerElement(array) === 1 ? (array.values as ArrayLike<number | bigint>) : undefined;
}
