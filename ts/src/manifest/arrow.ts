/**
 * Manifests as Apache Arrow tables: `path` (dictionary-encoded UTF-8, null = no file),
 * `offset` and `length` (uint64), plus `data` (binary) when some chunks are inlined. The chunk
 * grid shape travels in the schema metadata, so a table round-trips without side channels.
 */
import {
  Binary,
  type Data,
  Dictionary,
  Field,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Uint32,
  Uint64,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import type { Core } from "../backend/core.js";
import { INLINED_ID, MISSING_ID } from "../backend/core.js";
import { currentBackend } from "../backend/load.js";
import { makeError } from "../errors/vzarr-error.js";
import { ChunkManifest, provideArrowConversions } from "./chunk-manifest.js";

const SHAPE_KEY = "vzarr:chunk_grid_shape";

function validity(n: number, valid: (i: number) => boolean): { bitmap: Uint8Array; nulls: number } {
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (valid(i)) bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
    else nulls++;
  }
  return { bitmap, nulls };
}

export function manifestToArrow(manifest: ChunkManifest): Table {
  const { table, ids, offsets, lengths } = manifest.columns();
  const n = ids.length;
  const indices = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const id = ids[i] as number;
    indices[i] = id >= INLINED_ID ? 0 : id;
  }
  const pathValid = validity(n, (i) => (ids[i] as number) < INLINED_ID);
  const pathType = new Dictionary(new Utf8(), new Uint32(), 0, false);
  const pathData = makeData({
    type: pathType,
    length: n,
    nullCount: pathValid.nulls,
    nullBitmap: pathValid.bitmap,
    data: indices,
    dictionary: vectorFromArray(table, new Utf8()),
  });
  const fields: Field[] = [
    new Field("path", pathType, true),
    new Field("offset", new Uint64(), false),
    new Field("length", new Uint64(), false),
  ];
  const children: Data[] = [
    pathData,
    makeData({ type: new Uint64(), length: n, data: offsets }),
    makeData({ type: new Uint64(), length: n, data: lengths }),
  ];
  if (ids.includes(INLINED_ID)) {
    const inlined = manifest.inlined();
    const valueOffsets = new Int32Array(n + 1);
    const parts: Uint8Array[] = [];
    let at = 0;
    for (let i = 0; i < n; i++) {
      const bytes = inlined.get(i);
      if (bytes !== undefined) {
        parts.push(bytes);
        at += bytes.length;
      }
      valueOffsets[i + 1] = at;
    }
    const values = new Uint8Array(at);
    let p = 0;
    for (const part of parts) {
      values.set(part, p);
      p += part.length;
    }
    const dataValid = validity(n, (i) => inlined.has(i));
    fields.push(new Field("data", new Binary(), true));
    children.push(
      makeData({ type: new Binary(), length: n, nullCount: dataValid.nulls, nullBitmap: dataValid.bitmap, valueOffsets, data: values }),
    );
  }
  const metadata = new Map([[SHAPE_KEY, JSON.stringify(manifest.shape)]]);
  const schema = new Schema(fields, metadata);
  const struct = makeData({ type: new Struct(fields), length: n, nullCount: 0, children });
  return new Table(schema, [new RecordBatch(schema, struct)]);
}

/**
 * Builds a manifest from a table with `path`, `offset`, `length` (and optionally `data`)
 * columns. The grid shape comes from the schema metadata, or `shape` when given.
 */
export function manifestFromArrow(table: Table, shape?: readonly number[], core: Core = currentBackend()): ChunkManifest {
  const gridShape = shape ?? parseShape(table.schema.metadata.get(SHAPE_KEY));
  const n = table.numRows;
  const pathCol = table.getChild("path");
  const offsetCol = table.getChild("offset");
  const lengthCol = table.getChild("length");
  if (pathCol === null || offsetCol === null || lengthCol === null) {
    throw makeError("InvalidArgument", "a manifest table needs path, offset and length columns");
  }
  const dataCol = table.getChild("data");
  const index = new Map<string, number>();
  const paths: string[] = [];
  const ids = new Uint32Array(n);
  const offsets = new BigUint64Array(n);
  const lengths = new BigUint64Array(n);
  const inlined: [number, Uint8Array][] = [];
  for (let i = 0; i < n; i++) {
    const data = dataCol?.get(i) as Uint8Array | null | undefined;
    const path = pathCol.get(i) as string | null;
    offsets[i] = BigInt(offsetCol.get(i) as bigint | number);
    lengths[i] = BigInt(lengthCol.get(i) as bigint | number);
    if (data !== null && data !== undefined) {
      ids[i] = MISSING_ID;
      inlined.push([i, data]);
    } else if (path === null || path === "") {
      ids[i] = MISSING_ID;
    } else {
      let id = index.get(path);
      if (id === undefined) {
        id = paths.length;
        paths.push(path);
        index.set(path, id);
      }
      ids[i] = id;
    }
  }
  const manifest = ChunkManifest.fromArrays({ shape: gridShape, paths: { table: paths, ids }, offsets, lengths }, core);
  for (const [i, data] of inlined) manifest.setInlined(i, data);
  return manifest;
}

function parseShape(text: string | undefined): number[] {
  if (text === undefined) {
    throw makeError("InvalidArgument", `the table has no ${SHAPE_KEY} metadata; pass the chunk grid shape`);
  }
  const shape = JSON.parse(text) as unknown;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw makeError("InvalidArgument", `bad ${SHAPE_KEY} metadata: ${text}`);
  }
  return shape as number[];
}

provideArrowConversions({ toArrow: manifestToArrow, fromArrow: manifestFromArrow });
