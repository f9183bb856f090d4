/**
 * The chunk manifest of a Zarr array as a source: each stored chunk object becomes a
 * reference to its whole object; a sharded array's shards are read for their indexes and
 * every inner chunk becomes a reference into its shard. Columns are filled in typed arrays
 * and handed to the core in one call.
 */
import type { Core } from "../../backend/core.js";
import { MISSING_ID } from "../../backend/core.js";
import { crc32c } from "../../codecs/crc32c.js";
import { CorruptFileError, LimitExceededError } from "../../errors/vzarr-error.js";
import { ChunkManifest } from "../../manifest/chunk-manifest.js";
import { gridShape } from "../../metadata/array-metadata.js";
import { checkedGridSize } from "../kerchunk/chunk-columns.js";
import type { ChunkKeyEncoding, ZarrArrayNode } from "./hierarchy.js";
import type { StoreObject, ZarrStore } from "./store.js";

/** Objects of an unlistable (HTTP) store are probed one by one: up to this many. */
export const MAX_PROBED_OBJECTS = 100_000;
/** Objects probed or shard indexes read at once. */
const CONCURRENCY = 16;

/** Flat C-order index of the object a key names within `grid`, or undefined for other keys. */
export function objectIndex(key: string, encoding: ChunkKeyEncoding, grid: readonly number[]): number | undefined {
  let rest = key;
  if (encoding.prefix !== "") {
    if (rest === encoding.prefix) rest = "";
    else if (rest.startsWith(encoding.prefix + encoding.separator)) rest = rest.slice(encoding.prefix.length + 1);
    else return undefined;
  }
  if (grid.length === 0) return encoding.prefix === "" ? (rest === "0" ? 0 : undefined) : rest === "" ? 0 : undefined;
  const parts = rest.split(encoding.separator);
  if (parts.length !== grid.length) return undefined;
  let flat = 0;
  for (let a = 0; a < grid.length; a++) {
    const part = parts[a] as string;
    if (!/^\d+$/.test(part)) return undefined;
    const i = Number(part);
    if (i >= (grid[a] as number)) return undefined;
    flat = flat * (grid[a] as number) + i;
  }
  return flat;
}

/** The key of the object at grid coordinates `coords`. */
function objectKey(coords: readonly number[], encoding: ChunkKeyEncoding): string {
  if (coords.length === 0) return encoding.prefix === "" ? "0" : encoding.prefix;
  const body = coords.join(encoding.separator);
  return encoding.prefix === "" ? body : `${encoding.prefix}${encoding.separator}${body}`;
}

function unravel(flat: number, grid: readonly number[]): number[] {
  const out = new Array<number>(grid.length);
  for (let a = grid.length - 1; a >= 0; a--) {
    const n = grid[a] as number;
    out[a] = flat % n;
    flat = Math.floor(flat / n);
  }
  return out;
}

/** The stored objects of an array with their sizes: listed, or probed where nothing lists. */
async function arrayObjects(store: ZarrStore, node: ZarrArrayNode, grid: readonly number[]): Promise<Map<number, StoreObject>> {
  const base = node.path === "" ? "" : `${node.path}/`;
  const found = new Map<number, StoreObject>();
  if (store.listable) {
    for (const o of await store.list(base)) {
      const index = objectIndex(o.key.slice(base.length), node.keys, grid);
      if (index !== undefined) found.set(index, o);
    }
    return found;
  }
  const total = grid.reduce((a, b) => a * b, 1);
  if (total > MAX_PROBED_OBJECTS) {
    throw new LimitExceededError(
      `${node.path}: ${total} chunk objects would each be probed over HTTP (more than ${MAX_PROBED_OBJECTS}); open the store where it can be listed (a local copy, S3)`,
      { file: store.url, variable: node.path },
    );
  }
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      const key = base + objectKey(unravel(index, grid), node.keys);
      const size = await store.size(key);
      if (size !== undefined) found.set(index, { key, size });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, total) }, worker));
  return found;
}

export async function arrayManifest(store: ZarrStore, node: ZarrArrayNode, core: Core): Promise<ChunkManifest> {
  const variable = node.path || "(root)";
  const { shape, chunkGrid } = node.metadata;
  const objectGrid = gridShape(shape, { kind: "regular", chunkShape: node.objectChunkShape });
  const chunkGridShape = gridShape(shape, chunkGrid);
  const size = checkedGridSize(chunkGridShape, variable, store.url);
  const objects = await arrayObjects(store, node, objectGrid);
  const table: string[] = [];
  const urlIds = new Map<string, number>();
  const idOf = (url: string) => {
    let id = urlIds.get(url);
    if (id === undefined) {
      id = table.length;
      table.push(url);
      urlIds.set(url, id);
    }
    return id;
  };
  const ids = new Uint32Array(size).fill(MISSING_ID);
  const offsets = new BigUint64Array(size);
  const lengths = new BigUint64Array(size);
  if (node.sharding === undefined) {
    for (const [index, o] of objects) {
      const at = store.locate(o.key);
      ids[index] = idOf(at.url);
      offsets[index] = BigInt(at.offset);
      lengths[index] = BigInt(o.size);
    }
  } else {
    await readShardIndexes(store, node, objects, objectGrid, chunkGridShape, { ids, offsets, lengths, idOf });
  }
  return ChunkManifest.fromArrays({ shape: chunkGridShape, paths: { table, ids }, offsets, lengths }, core);
}

interface Columns {
  ids: Uint32Array;
  offsets: BigUint64Array;
  lengths: BigUint64Array;
  idOf: (url: string) => number;
}

const TWO_32 = 4294967296;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Places one shard's inner chunks (its decoded index in `view`) in the inner chunk grid.
 * Hot for million-chunk arrays: inner coordinates advance as an odometer, and the u64 columns
 * are written as two u32 words each (a BigInt per chunk would be the slow part).
 */
function placeShard(
  view: DataView,
  n: number,
  shard: StoreObject,
  base: number,
  id: number,
  shardCoords: readonly number[],
  perShard: readonly number[],
  innerGrid: readonly number[],
  columns: Columns,
  where: { file: string; variable: string },
): void {
  const offsetWords = new Uint32Array(columns.offsets.buffer);
  const lengthWords = new Uint32Array(columns.lengths.buffer);
  const [lo, hi] = LITTLE_ENDIAN ? [0, 1] : [1, 0];
  const rank = innerGrid.length;
  const inner = new Array<number>(rank).fill(0);
  const origin = shardCoords.map((c, a) => c * (perShard[a] as number));
  for (let k = 0; k < n; k++) {
    if (k > 0) {
      for (let a = rank - 1; a >= 0; a--) {
        inner[a] = (inner[a] as number) + 1;
        if ((inner[a] as number) < (perShard[a] as number)) break;
        inner[a] = 0;
      }
    }
    const offLo = view.getUint32(16 * k, true);
    const offHi = view.getUint32(16 * k + 4, true);
    const lenLo = view.getUint32(16 * k + 8, true);
    const lenHi = view.getUint32(16 * k + 12, true);
    if (offLo === 0xffffffff && offHi === 0xffffffff && lenLo === 0xffffffff && lenHi === 0xffffffff) continue;
    const offset = offHi * TWO_32 + offLo;
    const length = lenHi * TWO_32 + lenLo;
    if (offset + length > shard.size) {
      throw new CorruptFileError(`shard ${shard.key}: inner chunk ${k} lies outside the shard`, where);
    }
    // Global coordinates; inner chunks past the array's edge are ignored.
    let flat = 0;
    let inside = true;
    for (let a = 0; a < rank; a++) {
      const c = (origin[a] as number) + (inner[a] as number);
      if (c >= (innerGrid[a] as number)) inside = false;
      flat = flat * (innerGrid[a] as number) + c;
    }
    if (!inside) continue;
    const at = base + offset;
    columns.ids[flat] = id;
    offsetWords[2 * flat + lo] = at % TWO_32;
    offsetWords[2 * flat + hi] = Math.floor(at / TWO_32);
    lengthWords[2 * flat + lo] = lenLo;
    lengthWords[2 * flat + hi] = lenHi;
  }
}

/** Reads every shard's index and places its inner chunks in the inner chunk grid. */
async function readShardIndexes(
  store: ZarrStore,
  node: ZarrArrayNode,
  objects: Map<number, StoreObject>,
  shardGrid: readonly number[],
  innerGrid: readonly number[],
  columns: Columns,
): Promise<void> {
  const sharding = node.sharding as NonNullable<ZarrArrayNode["sharding"]>;
  const perShard = sharding.chunksPerShard;
  const n = perShard.reduce((a, b) => a * b, 1);
  const indexBytes = 16 * n + (sharding.indexChecksum ? 4 : 0);
  const file = store.url;
  const variable = node.path || "(root)";
  const list = [...objects];
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const [shardIndex, o] = list[next++] as [number, StoreObject];
      if (o.size < indexBytes) throw new CorruptFileError(`shard ${o.key} is smaller than its index`, { file, variable });
      const indexOffset = sharding.indexLocation === "end" ? o.size - indexBytes : 0;
      const [bytes] = await store.readRanges(o.key, [{ offset: indexOffset, length: indexBytes }]);
      const index = bytes as Uint8Array;
      const view = new DataView(index.buffer, index.byteOffset, index.byteLength);
      if (sharding.indexChecksum && crc32c(index.subarray(0, 16 * n)) !== view.getUint32(16 * n, true)) {
        throw new CorruptFileError(`shard ${o.key}: its index checksum does not match`, { file, variable });
      }
      const at = store.locate(o.key);
      const id = columns.idOf(at.url);
      placeShard(view, n, o, at.offset, id, unravel(shardIndex, shardGrid), perShard, innerGrid, columns, { file, variable });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, list.length) }, worker));
}
