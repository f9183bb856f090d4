/**
 * The one interface over the Rust core. `native.ts` (N-API addon) and `wasm.ts`
 * (WebAssembly) each implement it with `satisfies Core`; everything above `backend/` talks
 * only to this. Objects owned by the core are named by numeric handles and must be freed.
 */

export type Handle = number;

export type BackendKind = "native" | "wasm";

/** A manifest's columns, copied out of the core. */
export interface ManifestColumns {
  /** Deduplicated paths; `ids` index into this. */
  table: string[];
  /** One per chunk in C order; `MISSING_ID` or `INLINED_ID` for chunks without a path. */
  ids: Uint32Array;
  offsets: BigUint64Array;
  lengths: BigUint64Array;
}

/** One chunk: kind 0 = missing, 1 = inlined (`data`), 2 = reference (`path`, `offset`, `length`). */
export interface RawEntry {
  kind: number;
  path: string;
  offset: number;
  length: number;
  data: Uint8Array;
}

/** Inlined chunks: flat chunk indices, their bytes concatenated, and each one's length. */
export interface InlinedChunks {
  indices: Float64Array;
  data: Uint8Array;
  lengths: Uint32Array;
}

export interface ScanOutput {
  /** The scanned file's metadata (see `parsers/scanned-file.ts`). */
  json: string;
  /** Manifest handles, numbered as the JSON's `"manifest": i` fields. */
  manifests: Uint32Array;
  /** Values loaded during the scan, at the JSON's `"loaded": { offset, length }` positions. */
  loaded: Uint8Array;
}

/** A local file's scan with the file's identity (as `fs.statSync` gives it). */
export interface LocalScanOutput extends ScanOutput {
  size: number;
  mtimeMs: number;
}

/** Path id of a chunk that has no bytes (reads give the fill value). */
export const MISSING_ID = 0xffffffff;
/** Path id of a chunk whose bytes the manifest holds. */
export const INLINED_ID = 0xfffffffe;

export interface Core {
  readonly kind: BackendKind;
  version(): string;

  manifestFromColumns(shape: Float64Array, table: string[], ids: Uint32Array, offsets: BigUint64Array, lengths: BigUint64Array): Handle;
  manifestEmpty(shape: Float64Array): Handle;
  manifestFree(handle: Handle): void;
  manifestLiveCount(): number;
  manifestShape(handle: Handle): number[];
  manifestEntry(handle: Handle, index: number): RawEntry;
  manifestColumns(handle: Handle): ManifestColumns;
  /** The manifest's distinct paths (its path table), without the columns. */
  manifestPaths(handle: Handle): string[];
  manifestInlined(handle: Handle): InlinedChunks;
  manifestSetInlined(handle: Handle, index: number, bytes: Uint8Array): void;
  manifestConcat(handles: Uint32Array, axis: number): Handle;
  manifestStack(handles: Uint32Array, axis: number): Handle;
  manifestBroadcast(handle: Handle, shape: Float64Array): Handle;
  manifestSlice(handle: Handle, starts: Float64Array, stops: Float64Array): Handle;
  manifestMapPaths(handle: Handle, table: string[]): Handle;
  manifestEquals(a: Handle, b: Handle): boolean;
  /** `[nbytes, chunks, present chunks, referenced bytes]`. */
  manifestStats(handle: Handle): number[];

  scanOpen(url: string, fileSize: number, format: string, optionsJson: string): Handle;
  /** Needed ranges as `[offset0, length0, offset1, length1, ...]`; empty when done. */
  scanAdvance(handle: Handle): Float64Array;
  scanFeed(handle: Handle, offset: number, bytes: Uint8Array): void;
  /**
   * The wasm module only: feeds `length` bytes at `offset` that `fill` writes straight into
   * the core's memory (a local file's positioned read), instead of copying a buffer in. The
   * view is valid only during `fill`, which must not call the core.
   */
  scanFeedInto?(handle: Handle, offset: number, length: number, fill: (dest: Uint8Array) => void): void;
  /**
   * The wasm module only: `scanAdvance`'s ranges as a host reading the file itself reads
   * them (ranges close together as one read, the addon's figures), `[offset0, length0, ...]`.
   */
  scanAdvanceReads?(handle: Handle): Float64Array;
  /** Finishes (and frees) the scan. */
  scanFinish(handle: Handle): ScanOutput;
  scanFree(handle: Handle): void;
  /**
   * A whole scan of a local file with the reads done by the core's host, not the read loop:
   * the native addon runs it on one of libuv's threads (the calling thread is free until the
   * result; `offThread`); the wasm module in Node runs it on the calling thread with reads
   * straight into its memory (`platform/wasm-local-scan.ts`). `optionsJson` as for `scanOpen`.
   */
  scanLocalFile?(path: string, url: string, format: string, optionsJson: string): Promise<LocalScanOutput>;

  codecDecode(codecJson: string, input: Uint8Array, dtype: string, chunkShape: Float64Array): Uint8Array;
  codecSupported(): string[];
  /** `[offset, length, samples]` of a GRIB2 JPEG 2000 field's codestream; empty otherwise. */
  gribJpeg2000Codestream(message: Uint8Array): Float64Array | number[];
  /** The `vzarr.grib` codec's output for a JPEG 2000 field, from the decoded samples. */
  gribDecodeSamples(message: Uint8Array, samples: Uint32Array, dtype: string, chunkShape: Float64Array): Uint8Array;
}
