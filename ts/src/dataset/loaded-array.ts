/**
 * Values held in memory instead of referenced: variable-length strings, small coordinates
 * loaded with `loadableVariables`, GRIB coordinates computed by the scanner. The values are
 * the *stored* values (no CF decoding); `metadata` says how they are to be encoded.
 */
import type { ArrayMetadata } from "../metadata/array-metadata.js";
import type { NumericArray } from "../metadata/dtype.js";

export type LoadedValues = NumericArray | string[] | Uint8Array;

export class LoadedArray {
  constructor(
    /** How the values are stored (dtype, fill value); codecs/chunk grid describe the source. */
    readonly metadata: ArrayMetadata,
    /** C-order values: a typed array, strings (dtype `|O`), or raw bytes for byte-string types. */
    readonly values: LoadedValues,
  ) {}

  get shape(): number[] {
    return [...this.metadata.shape];
  }

  get dtype(): string {
    return this.metadata.dtype;
  }

  get size(): number {
    return this.metadata.shape.reduce((a, b) => a * b, 1);
  }
}
