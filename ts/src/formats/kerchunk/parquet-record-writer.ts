/**
 * Encodes one `refs.<k>.parq` record file straight from manifest columns. The layout is
 * fixed (four columns, one row group, one data page per column), so pages are built
 * column-wise from the typed arrays: the path column's dictionary indices are our path ids
 * renumbered per file, the int64 columns are the offset/length columns' own bytes. Page
 * headers, Thrift footer, RLE/bit-packing and snappy come from `hyparquet-writer`.
 *
 * Pages are Data Page V1 (definition levels inside the compressed body), the variant
 * every reader handles, and the footer carries the `pandas` schema so fastparquet reads
 * `offset`/`size` as int64 rather than nullable Int64 (fsspec would then crash).
 */
import type { ColumnChunk, CompressionCodec, Encoding, FileMetaData, SchemaElement } from "hyparquet";
import { ByteWriter } from "hyparquet-writer/src/bytewriter.js";
import { writePageHeader } from "hyparquet-writer/src/datapage.js";
import { writeRleBitPackedHybrid } from "hyparquet-writer/src/encoding.js";
import { writeMetadata } from "hyparquet-writer/src/metadata.js";
import { snappyCompress } from "hyparquet-writer/src/snappy.js";
import { INLINED_ID } from "../../backend/core.js";
import { LimitExceededError } from "../../errors/vzarr-error.js";
import { PANDAS_METADATA } from "./parquet-layout.js";

export type RecordCompression = "SNAPPY" | "UNCOMPRESSED";

/** The rows of one record file, as views into a manifest's columns. */
export interface RecordRows {
  /** Rows taken from the manifest (the rest, up to the record size, are padding). */
  count: number;
  ids: Uint32Array;
  offsets: BigUint64Array;
  lengths: BigUint64Array;
  /** Inline bytes by row (relative to this record). */
  raw: ReadonlyMap<number, Uint8Array>;
}

const SCHEMA: SchemaElement[] = [
  { name: "schema", num_children: 4 },
  { name: "path", type: "BYTE_ARRAY", repetition_type: "OPTIONAL", converted_type: "UTF8" },
  { name: "offset", type: "INT64", repetition_type: "REQUIRED" },
  { name: "size", type: "INT64", repetition_type: "REQUIRED" },
  { name: "raw", type: "BYTE_ARRAY", repetition_type: "OPTIONAL" },
];

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Encodes the record files of one variable (scratch buffers are reused between files). */
export class RecordWriter {
  readonly #paths: Uint8Array[];
  readonly #local: Int32Array;
  readonly #dict: number[] = [];
  readonly #pathDefined: Uint8Array;
  readonly #rawDefined: Uint8Array;
  readonly #indices: Uint32Array;

  constructor(
    /** The manifest's path table. */
    table: readonly string[],
    readonly recordSize: number,
    readonly codec: RecordCompression,
    readonly variable: string,
  ) {
    const utf8 = new TextEncoder();
    this.#paths = table.map((p) => utf8.encode(p));
    this.#local = new Int32Array(table.length).fill(-1);
    this.#pathDefined = new Uint8Array(recordSize);
    this.#rawDefined = new Uint8Array(recordSize);
    this.#indices = new Uint32Array(recordSize);
  }

  encode(rows: RecordRows): Uint8Array {
    const n = this.recordSize;
    const offsets = new BigUint64Array(n);
    const sizes = new BigUint64Array(n);
    offsets.set(rows.offsets.subarray(0, rows.count));
    sizes.set(rows.lengths.subarray(0, rows.count));
    const raw = new Map(rows.raw);
    const dictionaryCount = this.classify(rows, offsets, sizes, raw);

    const out = new ByteWriter(64 * 1024 + n * 18);
    out.appendUint32(0x31524150); // PAR1
    const columns: ColumnChunk[] = [
      this.pathColumn(out, dictionaryCount),
      this.plainColumn(out, "offset", int64Bytes(offsets, this.variable)),
      this.plainColumn(out, "size", int64Bytes(sizes, this.variable)),
      this.rawColumn(out, raw),
    ];
    this.#dict.length = 0;
    const total = columns.reduce((s, c) => s + (c.meta_data?.total_uncompressed_size ?? 0n), 0n);
    const metadata: FileMetaData = {
      version: 1,
      schema: SCHEMA,
      num_rows: BigInt(n),
      row_groups: [{ columns, total_byte_size: total, num_rows: BigInt(n) }],
      key_value_metadata: [{ key: "pandas", value: PANDAS_METADATA }],
      created_by: "vzarr",
      metadata_length: 0,
    };
    writeMetadata(out, metadata);
    out.appendUint32(0x31524150);
    return out.getBytes();
  }

  /**
   * Fills the definition levels, the path dictionary and its indices; zeroes offset/size
   * of rows without a range (missing, inline, padding). A zero-length range at offset 0
   * would read as "the whole file", so it becomes inline empty bytes.
   */
  private classify(rows: RecordRows, offsets: BigUint64Array, sizes: BigUint64Array, raw: Map<number, Uint8Array>): number {
    const pathDefined = this.#pathDefined;
    const rawDefined = this.#rawDefined;
    pathDefined.fill(0);
    rawDefined.fill(0);
    const offWords = new Uint32Array(offsets.buffer);
    const sizeWords = new Uint32Array(sizes.buffer);
    const local = this.#local;
    const dict = this.#dict;
    let k = 0;
    for (let r = 0; r < rows.count; r++) {
      const id = rows.ids[r] as number;
      const hasRaw = raw.size > 0 && raw.has(r);
      if (id >= INLINED_ID || hasRaw) {
        offsets[r] = 0n;
        sizes[r] = 0n;
        if (hasRaw) rawDefined[r] = 1;
        continue;
      }
      const w = 2 * r;
      const empty = LITTLE_ENDIAN
        ? ((offWords[w] as number) | (offWords[w + 1] as number) | (sizeWords[w] as number) | (sizeWords[w + 1] as number)) === 0
        : offsets[r] === 0n && sizes[r] === 0n;
      if (empty) {
        raw.set(r, new Uint8Array(0));
        rawDefined[r] = 1;
        continue;
      }
      pathDefined[r] = 1;
      let l = local[id] as number;
      if (l < 0) {
        l = dict.length;
        dict.push(id);
        local[id] = l;
      }
      this.#indices[k++] = l;
    }
    for (const id of dict) local[id] = -1;
    return k;
  }

  private pathColumn(out: ByteWriter, count: number): ColumnChunk {
    const start = out.offset;
    const dict = this.#dict;
    if (dict.length === 0) {
      // Only nulls: definition levels and no values (an empty dictionary page confuses readers).
      const body = new ByteWriter(1024);
      levels(body, this.#pathDefined);
      const data = this.page(out, body.getBytes(), "PLAIN");
      return this.chunk("path", "BYTE_ARRAY", ["PLAIN", "RLE"], start, data.offset, undefined, out.offset - start, data.uncompressed);
    }
    const dictBody = new ByteWriter(dict.reduce((s, id) => s + 4 + (this.#paths[id] as Uint8Array).length, 16));
    for (const id of dict) {
      const bytes = this.#paths[id] as Uint8Array;
      dictBody.appendUint32(bytes.length);
      dictBody.appendBytes(bytes);
    }
    const dictPage = this.page(out, dictBody.getBytes(), "PLAIN", dict.length);
    const body = new ByteWriter(this.recordSize / 2 + 64);
    levels(body, this.#pathDefined);
    const bitWidth = Math.max(1, Math.ceil(Math.log2(dict.length)));
    body.appendUint8(bitWidth);
    writeRleBitPackedHybrid(body, this.#indices.subarray(0, count), bitWidth);
    const data = this.page(out, body.getBytes(), "RLE_DICTIONARY");
    return this.chunk(
      "path",
      "BYTE_ARRAY",
      ["PLAIN", "RLE", "RLE_DICTIONARY"],
      start,
      data.offset,
      dictPage.offset,
      out.offset - start,
      dictPage.uncompressed + data.uncompressed,
    );
  }

  private plainColumn(out: ByteWriter, name: string, bytes: Uint8Array): ColumnChunk {
    const start = out.offset;
    const data = this.page(out, bytes, "PLAIN");
    return this.chunk(name, "INT64", ["PLAIN"], start, data.offset, undefined, out.offset - start, data.uncompressed);
  }

  private rawColumn(out: ByteWriter, raw: ReadonlyMap<number, Uint8Array>): ColumnChunk {
    const start = out.offset;
    let size = 64;
    for (const b of raw.values()) size += 4 + b.length;
    const body = new ByteWriter(size + this.recordSize / 4);
    levels(body, this.#rawDefined);
    for (const r of [...raw.keys()].sort((a, b) => a - b)) {
      const b = raw.get(r) as Uint8Array;
      body.appendUint32(b.length);
      body.appendBytes(b);
    }
    const data = this.page(out, body.getBytes(), "PLAIN");
    return this.chunk("raw", "BYTE_ARRAY", ["PLAIN", "RLE"], start, data.offset, undefined, out.offset - start, data.uncompressed);
  }

  /** Writes one page (header + compressed body); `dictionary` = value count of a dictionary page. */
  private page(out: ByteWriter, body: Uint8Array, encoding: Encoding, dictionary?: number): { offset: number; uncompressed: number } {
    const offset = out.offset;
    const stored = this.codec === "SNAPPY" ? snappyCompress(body) : body;
    const headerStart = out.offset;
    writePageHeader(out, {
      type: dictionary === undefined ? "DATA_PAGE" : "DICTIONARY_PAGE",
      uncompressed_page_size: body.length,
      compressed_page_size: stored.length,
      ...(dictionary === undefined
        ? {
            data_page_header: { num_values: this.recordSize, encoding, definition_level_encoding: "RLE", repetition_level_encoding: "RLE" },
          }
        : { dictionary_page_header: { num_values: dictionary, encoding: "PLAIN" } }),
    });
    const header = out.offset - headerStart;
    out.appendBytes(stored);
    return { offset, uncompressed: header + body.length };
  }

  private chunk(
    name: string,
    type: "BYTE_ARRAY" | "INT64",
    encodings: Encoding[],
    start: number,
    dataOffset: number,
    dictionaryOffset: number | undefined,
    compressed: number,
    uncompressed: number,
  ): ColumnChunk {
    return {
      file_offset: BigInt(start),
      meta_data: {
        type,
        encodings,
        path_in_schema: [name],
        codec: this.codec as CompressionCodec,
        num_values: BigInt(this.recordSize),
        total_uncompressed_size: BigInt(uncompressed),
        total_compressed_size: BigInt(compressed),
        data_page_offset: BigInt(dataOffset),
        dictionary_page_offset: dictionaryOffset === undefined ? undefined : BigInt(dictionaryOffset),
      },
    };
  }
}

/** Definition levels of an optional column (V1: 4-byte length, then RLE/bit-packed, width 1). */
function levels(body: ByteWriter, defined: Uint8Array): void {
  const lengthAt = body.offset;
  body.appendUint32(0);
  const n = writeRleBitPackedHybrid(body, defined, 1);
  body.view.setUint32(lengthAt, n, true);
}

/** The PLAIN bytes of an int64 column (little-endian), refusing values above 2^63 - 1. */
function int64Bytes(values: BigUint64Array, variable: string): Uint8Array {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  for (let i = 1; i < words.length; i += 2) {
    if (LITTLE_ENDIAN ? (words[i] as number) >= 0x80000000 : (values[i >> 1] as bigint) >= 1n << 63n) {
      throw new LimitExceededError(`offset or length ${values[i >> 1]} does not fit a Parquet INT64`, { variable });
    }
  }
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    view.setBigUint64(i * 8, v, true);
  });
  return out;
}
