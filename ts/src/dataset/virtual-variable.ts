/** One named variable of a dataset: dimensions, attributes, and virtual or loaded data. */
import type { ManifestArray } from "../manifest/manifest-array.js";
import type { ArrayMetadata } from "../metadata/array-metadata.js";
import { type CfEncoding, cfEncoding } from "./cf/encoding.js";
import { LoadedArray } from "./loaded-array.js";

export type VariableData = ManifestArray | LoadedArray;

export class VirtualVariable {
  constructor(
    readonly dims: readonly string[],
    readonly data: VariableData,
    readonly attrs: Readonly<Record<string, unknown>> = {},
  ) {}

  /** True when the chunks are referenced in files (not held in memory). */
  get virtual(): boolean {
    return !(this.data instanceof LoadedArray);
  }

  get shape(): number[] {
    return this.data.shape;
  }

  get dtype(): string {
    return this.data.dtype;
  }

  get metadata(): ArrayMetadata {
    return this.data.metadata;
  }

  /** CF encoding (packing attributes, time units, stored dtype); the attrs hold the same. */
  get encoding(): CfEncoding {
    return cfEncoding(this);
  }

  withData(data: VariableData): VirtualVariable {
    return new VirtualVariable(this.dims, data, this.attrs);
  }

  withAttrs(attrs: Record<string, unknown>): VirtualVariable {
    return new VirtualVariable(this.dims, this.data, attrs);
  }

  withDims(dims: readonly string[]): VirtualVariable {
    return new VirtualVariable(dims, this.data, this.attrs);
  }

  free(): void {
    if (!(this.data instanceof LoadedArray)) this.data.free();
  }
}
