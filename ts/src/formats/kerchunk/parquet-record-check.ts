/**
 * Checks a kerchunk record file's Parquet structure before hyparquet decodes it, so that
 * decoding is bounded by the file's size.
 *
 * hyparquet trusts what a file declares: a page header without `compressed_page_size` turns
 * its reader's offset into NaN and it re-reads the first header forever; an RLE run longer
 * than its page writes past the end of its output array until V8 aborts the process
 * ("invalid size", not catchable); a page may claim any decompressed size and the
 * decompressor allocates it. So, before hyparquet sees the file, this walks every page of
 * every column chunk exactly as hyparquet's `readColumn` will (same Thrift reading, same
 * stopping rule) and checks: a flat kerchunk schema, row counts within the record size,
 * chunk ranges inside the file, known page types and encodings, page sizes inside their
 * chunk, decompressed sizes a codec can produce from the stored bytes, value counts within
 * the row group, and every run of the RLE/bit-packed levels and dictionary indices within
 * its page's value count. Compressed pages are decompressed here once (the claimed size is
 * checked first); hyparquet then gets exactly these results through `gatedCompressors`,
 * which refuses any page this walk did not check.
 */
import type { ColumnMetaData, Compressors, FileMetaData } from "hyparquet";

/** Thrown by the check; the record reader turns it into a CorruptFileError naming the file. */
export class RecordFileProblem extends Error {}

function fail(reason: string): never {
  throw new RecordFileProblem(reason);
}

/** What the check leaves for decoding: decompressed pages, found by their stored bytes. */
export interface CheckedPages {
  /** Stored (compressed) page bytes → their checked decompressed bytes, by a cheap key. */
  byKey: Map<string, { stored: Uint8Array; page: Uint8Array }[]>;
  /** Decompressed bytes the file may still claim. */
  budget: number;
}

/** The kerchunk columns and the physical types a writer may give them. */
const COLUMN_TYPES: Record<string, readonly string[]> = {
  path: ["BYTE_ARRAY"],
  raw: ["BYTE_ARRAY"],
  offset: ["INT64", "INT32"],
  size: ["INT64", "INT32"],
};

/**
 * The most a codec's output can exceed its input (per stored byte, plus a constant): a
 * page claiming more cannot be what its bytes decompress to, and is refused before any
 * allocation. DEFLATE: 1032:1; snappy: a 2-byte copy writes at most 64 bytes; LZ4: 255:1;
 * zstd: an RLE block of 4 bytes stands for up to 128 KiB. Brotli is refused: its decoder grows
 * its output to whatever each metablock header claims, and no kerchunk writer uses it.
 */
const MAX_EXPANSION: Record<string, number> = {
  UNCOMPRESSED: 1,
  SNAPPY: 32,
  GZIP: 1032,
  LZ4: 255,
  LZ4_RAW: 255,
  ZSTD: 32768,
};

/**
 * All pages of one record file together decompress to at most this much (plus 64 bytes per
 * stored byte): a kerchunk record of 100,000 rows with 200-character paths stored PLAIN is
 * ~20 MiB; more is a decompression bomb, not references.
 */
const DECOMPRESSED_BUDGET = 64 * 1024 * 1024;

/** Most rows one record file may hold, whatever its reference set's record size says. */
export const MAX_RECORD_ROWS = 2 ** 24;

const PAGE_TYPES = ["DATA_PAGE", "INDEX_PAGE", "DICTIONARY_PAGE", "DATA_PAGE_V2"] as const;
const ENCODINGS: Record<number, string> = { 0: "PLAIN", 2: "PLAIN_DICTIONARY", 3: "RLE", 8: "RLE_DICTIONARY" };

export function checkRecordFile(
  bytes: Uint8Array,
  metadata: FileMetaData,
  maxRows: number,
  wanted: readonly string[],
  compressors: Compressors,
): CheckedPages {
  const size = bytes.byteLength;
  const checked: CheckedPages = { byKey: new Map(), budget: DECOMPRESSED_BUDGET + 64 * size };
  const rows = Number(metadata.num_rows);
  if (!Number.isSafeInteger(rows) || rows < 0) fail(`row count ${metadata.num_rows} is not a count`);
  if (rows > maxRows) fail(`the file has ${rows} rows, the record size is ${maxRows}`);
  if (rows > MAX_RECORD_ROWS) fail(`the file has ${rows} rows, more than ${MAX_RECORD_ROWS} in one record file`);
  // A flat schema: the root, then one leaf per column (no groups, no repeated fields).
  const [root, ...leaves] = metadata.schema;
  if (root === undefined || root.num_children !== leaves.length) fail("the schema is not a flat list of columns");
  const leafOf = new Map<string, (typeof leaves)[number]>();
  for (const leaf of leaves) {
    if (leaf.num_children !== undefined && leaf.num_children !== 0) fail(`column ${leaf.name} is a group`);
    if (leaf.repetition_type === "REPEATED") fail(`column ${leaf.name} is repeated`);
    const types = COLUMN_TYPES[leaf.name];
    if (types !== undefined && !types.includes(leaf.type ?? "")) fail(`column ${leaf.name} has type ${leaf.type}`);
    leafOf.set(leaf.name, leaf);
  }
  let groupRowsTotal = 0;
  for (const group of metadata.row_groups) {
    const groupRows = Number(group.num_rows);
    if (!Number.isSafeInteger(groupRows) || groupRows < 0) fail(`row group count ${group.num_rows} is not a count`);
    groupRowsTotal += groupRows;
    if (groupRowsTotal > rows) fail(`the row groups hold more than the file's ${rows} rows`);
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (meta === undefined) fail("a column chunk has no metadata");
      const name = meta.path_in_schema?.[0];
      if (name === undefined || !wanted.includes(name)) continue;
      if (meta.path_in_schema.length !== 1) fail(`column ${meta.path_in_schema.join(".")} is nested`);
      const leaf = leafOf.get(name);
      if (leaf === undefined) fail(`column ${name} is not in the schema`);
      const maxDef = leaf.repetition_type === "OPTIONAL" ? 1 : 0;
      checkColumnChunk(bytes, size, meta, groupRows, maxDef, compressors, checked);
    }
  }
  return checked;
}

function checkColumnChunk(
  bytes: Uint8Array,
  fileSize: number,
  meta: ColumnMetaData,
  groupRows: number,
  maxDef: number,
  compressors: Compressors,
  checked: CheckedPages,
): void {
  const name = meta.path_in_schema[0] ?? "?";
  const codec = meta.codec;
  const expansion = MAX_EXPANSION[codec];
  if (expansion === undefined) fail(`column ${name}: compression ${codec} is not one kerchunk writers use`);
  // hyparquet's range: from the dictionary page (when set) or first data page, total_compressed_size long
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
  const length = Number(meta.total_compressed_size);
  if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(length) || length < 0 || start + length > fileSize) {
    fail(`column ${name}: its pages (offset ${start}, ${length} bytes) are not inside the file's ${fileSize} bytes`);
  }
  const chunk = bytes.subarray(start, start + length);
  const reader: Reader = { bytes: chunk, view: new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength), offset: 0 };
  let rowCount = 0;
  let dictionarySize = 0;
  // hyparquet's readColumn for a flat column: pages until the group's rows are read or the chunk ends
  while (rowCount < groupRows) {
    if (reader.offset >= chunk.byteLength - 1) break;
    const at = reader.offset;
    const header = readPageHeader(reader, name);
    const stored = header.compressed;
    if (stored > chunk.byteLength - reader.offset) fail(`column ${name}: page at ${start + at} is longer than its column chunk`);
    const body = chunk.subarray(reader.offset, reader.offset + stored);
    reader.offset += stored;
    const where = `column ${name}, page at ${start + at}`;
    if (header.type === "DICTIONARY_PAGE") {
      const dict = header.dictionary;
      if (dict === undefined) fail(`${where}: dictionary page without its header`);
      const page = decompressed(body, header.uncompressed, codec, expansion, compressors, checked, where);
      // every PLAIN value takes at least one byte (4 for a BYTE_ARRAY's length)
      if (dict.numValues > page.byteLength) fail(`${where}: ${dict.numValues} dictionary values in ${page.byteLength} bytes`);
      dictionarySize = dict.numValues;
    } else if (header.type === "DATA_PAGE") {
      const data = header.data;
      if (data === undefined) fail(`${where}: data page without its header`);
      if (data.numValues > groupRows - rowCount) fail(`${where}: ${data.numValues} values, ${groupRows - rowCount} rows left`);
      const page = decompressed(body, header.uncompressed, codec, expansion, compressors, checked, where);
      checkDataPageV1(page, data, maxDef, dictionarySize, where);
      rowCount += data.numValues;
    } else if (header.type === "DATA_PAGE_V2") {
      const v2 = header.v2;
      if (v2 === undefined) fail(`${where}: data page v2 without its header`);
      if (v2.numValues > groupRows - rowCount || v2.numRows !== v2.numValues) {
        fail(`${where}: ${v2.numValues} values in ${v2.numRows} rows, ${groupRows - rowCount} rows left`);
      }
      if (v2.numNulls > v2.numValues) fail(`${where}: ${v2.numNulls} nulls of ${v2.numValues} values`);
      if (v2.repLength !== 0) fail(`${where}: repetition levels in a flat column`);
      const levels = v2.defLength;
      if (levels > body.byteLength || levels > header.uncompressed) fail(`${where}: levels longer than the page`);
      if (maxDef > 0) {
        const count = checkHybrid(body.subarray(0, levels), 0, 1, v2.numValues, where);
        if (v2.numValues - count.nonZero !== v2.numNulls) fail(`${where}: ${v2.numNulls} nulls declared, the levels say otherwise`);
      } else if (v2.numNulls !== 0) fail(`${where}: nulls in a required column`);
      const values = body.subarray(levels);
      const page = v2.compressed
        ? decompressed(values, header.uncompressed - levels, codec, expansion, compressors, checked, where)
        : values;
      checkValues(page, v2.encoding, v2.numValues - v2.numNulls, dictionarySize, where);
      rowCount += v2.numValues;
    } else {
      fail(`${where}: page type ${header.type} in a column chunk`);
    }
  }
}

/** v1 data page: definition levels (length-prefixed), then the values. */
function checkDataPageV1(page: Uint8Array, data: DataHeader, maxDef: number, dictionarySize: number, where: string): void {
  let offset = 0;
  let values = data.numValues;
  if (maxDef > 0) {
    if (page.byteLength < 4) fail(`${where}: no definition levels`);
    const length = new DataView(page.buffer, page.byteOffset, page.byteLength).getUint32(0, true);
    if (length > page.byteLength - 4) fail(`${where}: definition levels longer than the page`);
    // hyparquet reads runs until it has numValues levels, from wherever they are in the page
    const levels = checkHybrid(page, 4, 1, data.numValues, where);
    values = levels.nonZero;
    offset = 4 + length;
  }
  checkValues(page.subarray(offset), data.encoding, values, dictionarySize, where);
}

/** The values of a page: PLAIN is read by counts bounded above; dictionary indices run by run. */
function checkValues(page: Uint8Array, encoding: string, count: number, dictionarySize: number, where: string): void {
  if (encoding === "PLAIN") return;
  if (encoding === "PLAIN_DICTIONARY" || encoding === "RLE_DICTIONARY") {
    if (dictionarySize === 0 && count > 0) fail(`${where}: dictionary indices without a dictionary`);
    if (count === 0) return;
    if (page.byteLength < 1) fail(`${where}: no dictionary index width`);
    const width = page[0] as number;
    if (width === 0) return; // hyparquet fills count zeros
    if (width > 32) fail(`${where}: dictionary index width ${width}`);
    checkHybrid(page, 1, width, count, where);
    return;
  }
  fail(`${where}: encoding ${encoding} is not one kerchunk writers use`);
}

/**
 * Walks an RLE/bit-packed hybrid run list as hyparquet's `readRleBitPackedHybrid` does (runs
 * until `count` values), refusing a run that would write past `count` values or read past the
 * bytes. Returns how many values were non-zero (for levels: the non-null rows).
 */
function checkHybrid(bytes: Uint8Array, start: number, width: number, count: number, where: string): { nonZero: number } {
  const reader: Reader = { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: start };
  const valueBytes = (width + 7) >> 3;
  let seen = 0;
  let nonZero = 0;
  while (seen < count) {
    const header = readVarInt(reader, where);
    if (header & 1) {
      // bit-packed: groups of 8 values, width bits each
      const groups = header >>> 1;
      const values = groups * 8;
      // hyparquet reads the run's first byte before looking at its length, even for no values
      const length = groups === 0 ? Math.min(1, bytes.byteLength - reader.offset) : groups * width;
      if (length > bytes.byteLength - reader.offset) fail(`${where}: a bit-packed run past the end of its page`);
      // Only levels (width 1) need their values: count the set bits of those inside `count`.
      if (width === 1) {
        const take = Math.min(values, count - seen);
        for (let i = 0; i < take; i++) if (((bytes[reader.offset + (i >> 3)] as number) >> (i & 7)) & 1) nonZero++;
      }
      reader.offset += length;
      seen += Math.min(values, count - seen);
      if (groups === 0 && reader.offset >= bytes.byteLength) fail(`${where}: runs end before ${count} values`);
    } else {
      const run = header >>> 1;
      if (run > count - seen) fail(`${where}: a run of ${run} values, ${count - seen} left in the page`);
      if (valueBytes > bytes.byteLength - reader.offset) fail(`${where}: a run past the end of its page`);
      let value = 0;
      for (let i = 0; i < valueBytes; i++) value |= (bytes[reader.offset + i] as number) << (i << 3);
      reader.offset += valueBytes;
      if (value === 1) nonZero += run;
      seen += run;
      if (run === 0 && reader.offset >= bytes.byteLength) fail(`${where}: runs end before ${count} values`);
    }
  }
  return { nonZero };
}

/** Decompresses a page once, checking the claimed size first; keeps the result for hyparquet. */
function decompressed(
  stored: Uint8Array,
  claimed: number,
  codec: string,
  expansion: number,
  compressors: Compressors,
  checked: CheckedPages,
  where: string,
): Uint8Array {
  if (codec === "UNCOMPRESSED") {
    if (claimed !== stored.byteLength) fail(`${where}: ${stored.byteLength} stored bytes claim ${claimed} decompressed`);
    return stored;
  }
  if (claimed > stored.byteLength * expansion + 1024) {
    fail(`${where}: ${stored.byteLength} bytes of ${codec} cannot decompress to ${claimed}`);
  }
  if (claimed > checked.budget) fail(`${where}: the pages decompress to more than a record file can need`);
  checked.budget -= claimed;
  const decompress = (compressors as Record<string, ((input: Uint8Array, size: number) => Uint8Array) | undefined>)[codec];
  if (decompress === undefined) fail(`${where}: no decompressor for ${codec}`);
  let page: Uint8Array;
  try {
    page = decompress(stored, claimed);
  } catch (e) {
    fail(`${where}: ${codec} data does not decompress (${(e as Error).message})`);
  }
  if (page.byteLength !== claimed) fail(`${where}: ${codec} data decompresses to ${page.byteLength} bytes, not ${claimed}`);
  const key = pageKey(stored, claimed);
  const list = checked.byKey.get(key) ?? [];
  list.push({ stored, page });
  checked.byKey.set(key, list);
  return page;
}

function pageKey(stored: Uint8Array, claimed: number): string {
  // FNV-1a over a few sample bytes: equal keys are then compared byte by byte
  let h = 0x811c9dc5;
  const step = Math.max(1, stored.byteLength >> 5);
  for (let i = 0; i < stored.byteLength; i += step) h = Math.imul(h ^ (stored[i] as number), 0x01000193);
  return `${stored.byteLength}:${claimed}:${h >>> 0}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  // four bytes at a time (a byte loop was a third of reading a million references)
  const x = new DataView(a.buffer, a.byteOffset, a.byteLength);
  const y = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const words = a.byteLength & ~3;
  for (let i = 0; i < words; i += 4) if (x.getUint32(i) !== y.getUint32(i)) return false;
  for (let i = words; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Decompressors for hyparquet that hand back the pages the check decompressed, and refuse
 * any other: hyparquet then decodes nothing the check has not walked.
 */
export function gatedCompressors(checked: CheckedPages, codecs: readonly string[]): Compressors {
  const gate = (stored: Uint8Array, claimed: number): Uint8Array => {
    for (const entry of checked.byKey.get(pageKey(stored, claimed)) ?? []) if (sameBytes(entry.stored, stored)) return entry.page;
    fail("a page the check did not reach");
  };
  return Object.fromEntries(codecs.map((codec) => [codec, gate])) as Compressors;
}

// --- Thrift compact protocol, as hyparquet reads it (same integer arithmetic), bounded ---

interface Reader {
  bytes: Uint8Array;
  view: DataView;
  offset: number;
}

interface DataHeader {
  numValues: number;
  encoding: string;
}

interface PageHeader {
  type: string;
  uncompressed: number;
  compressed: number;
  data?: DataHeader;
  dictionary?: { numValues: number };
  v2?: {
    numValues: number;
    numNulls: number;
    numRows: number;
    encoding: string;
    defLength: number;
    repLength: number;
    compressed: boolean;
  };
}

type Field = number | bigint | boolean | Uint8Array | Field[] | Struct;
type Struct = Map<number, Field>;

function readPageHeader(reader: Reader, column: string): PageHeader {
  const s = readStruct(reader, 0, column);
  const where = `column ${column}`;
  const count = (fid: number, struct: Struct, what: string): number => {
    const v = struct.get(fid);
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) fail(`${where}: page header ${what} is ${String(v)}`);
    return v;
  };
  const typeCode = s.get(1);
  const type = typeof typeCode === "number" ? PAGE_TYPES[typeCode] : undefined;
  if (type === undefined) fail(`${where}: page type ${String(typeCode)}`);
  const header: PageHeader = { type, uncompressed: count(2, s, "uncompressed_page_size"), compressed: count(3, s, "compressed_page_size") };
  const encoding = (struct: Struct, fid: number) => {
    const code = struct.get(fid);
    const name = typeof code === "number" ? ENCODINGS[code] : undefined;
    if (name === undefined) fail(`${where}: encoding ${String(code)} is not one kerchunk writers use`);
    return name;
  };
  const sub = (fid: number) => {
    const v = s.get(fid);
    return v instanceof Map ? v : undefined;
  };
  const data = sub(5);
  if (data !== undefined) header.data = { numValues: count(1, data, "num_values"), encoding: encoding(data, 2) };
  const dict = sub(7);
  if (dict !== undefined) header.dictionary = { numValues: count(1, dict, "num_values") };
  const v2 = sub(8);
  if (v2 !== undefined) {
    header.v2 = {
      numValues: count(1, v2, "num_values"),
      numNulls: count(2, v2, "num_nulls"),
      numRows: count(3, v2, "num_rows"),
      encoding: encoding(v2, 4),
      defLength: count(5, v2, "definition_levels_byte_length"),
      repLength: count(6, v2, "repetition_levels_byte_length"),
      compressed: v2.get(7) !== false,
    };
  }
  return header;
}

function readStruct(reader: Reader, depth: number, column: string): Struct {
  if (depth > 16) fail(`column ${column}: page header nested too deep`);
  const struct: Struct = new Map();
  let fid = 0;
  for (;;) {
    if (reader.offset >= reader.bytes.byteLength) fail(`column ${column}: page header ends without its STOP`);
    const byte = reader.bytes[reader.offset++] as number;
    const type = byte & 0x0f;
    if (type === 0) return struct;
    const delta = byte >> 4;
    fid = delta ? fid + delta : zigZag(readVarInt(reader, column));
    struct.set(fid, readElement(reader, type, depth, column));
  }
}

function readElement(reader: Reader, type: number, depth: number, column: string): Field {
  const need = (n: number) => {
    if (n > reader.bytes.byteLength - reader.offset) fail(`column ${column}: page header past the end of its column chunk`);
  };
  switch (type) {
    case 1:
      return true;
    case 2:
      return false;
    case 3:
      need(1);
      return reader.view.getInt8(reader.offset++);
    case 4:
    case 5:
      return zigZag(readVarInt(reader, column));
    case 6: {
      let result = 0n;
      let shift = 0n;
      for (;;) {
        need(1);
        const byte = reader.bytes[reader.offset++] as number;
        result |= BigInt(byte & 0x7f) << shift;
        if (!(byte & 0x80)) break;
        shift += 7n;
      }
      const value = (result >> 1n) ^ -(result & 1n);
      // a page header's i64 fields are never sizes we use; keep them as numbers when exact
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
    }
    case 7:
      need(8);
      reader.offset += 8;
      return 0;
    case 8: {
      const length = readVarInt(reader, column);
      if (length < 0) fail(`column ${column}: page header binary length ${length}`);
      need(length);
      const bytes = reader.bytes.subarray(reader.offset, reader.offset + length);
      reader.offset += length;
      return bytes;
    }
    case 9: {
      need(1);
      const byte = reader.bytes[reader.offset++] as number;
      const elemType = byte & 0x0f;
      let size = byte >> 4;
      if (size === 15) size = readVarInt(reader, column);
      // every element takes at least one byte
      if (size < 0 || size > reader.bytes.byteLength - reader.offset) fail(`column ${column}: page header list of ${size}`);
      const list: Field[] = [];
      for (let i = 0; i < size; i++)
        list.push(
          elemType === 1 || elemType === 2 ? readElement(reader, 3, depth, column) === 1 : readElement(reader, elemType, depth + 1, column),
        );
      return list;
    }
    case 12:
      return readStruct(reader, depth + 1, column);
    default:
      fail(`column ${column}: page header has Thrift type ${type}`);
  }
}

/** hyparquet's varint: groups of 7 bits shifted in as 32-bit integers. */
function readVarInt(reader: Reader, column: string): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (reader.offset >= reader.bytes.byteLength) fail(`column ${column}: a number past the end of its bytes`);
    const byte = reader.bytes[reader.offset++] as number;
    result |= (byte & 0x7f) << shift;
    if (!(byte & 0x80)) return result;
    shift += 7;
  }
}

function zigZag(n: number): number {
  return (n >>> 1) ^ -(n & 1);
}
