/** The JSON a scanner returns (`vzarr-core/src/scan.rs`), as TypeScript types. */
import type { CodecSpec, FillValue } from "../metadata/array-metadata.js";

export interface ScannedVariableJson {
  dims: string[];
  shape: number[];
  chunks: number[];
  dtype: string;
  codecs: CodecSpec[];
  fill_value: FillValue;
  attrs: Record<string, unknown>;
  /** Index into the scan's manifest list, for variables whose chunks live in the file. */
  manifest?: number;
  /** Values decoded during the scan (variable-length strings, GRIB coordinates). */
  values?: unknown[];
  /**
   * Values the scan loaded (`ScanOptions.load`): `length` bytes at `offset` of the scan's
   * `loaded` buffer, C order, in `dtype` (little-endian).
   */
  loaded?: { dtype: string; offset: number; length: number };
}

export interface ScannedGroupJson {
  attrs: Record<string, unknown>;
  dims: Record<string, number>;
  variables: Record<string, ScannedVariableJson>;
  groups: Record<string, ScannedGroupJson>;
  /** Variables the scanner could not represent, with the reason (tagged error JSON). */
  skipped?: Record<string, { kind: string; message: string }>;
}

export interface ScannedFileJson {
  format: string;
  root: ScannedGroupJson;
}
