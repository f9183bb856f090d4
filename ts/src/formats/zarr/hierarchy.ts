/**
 * A Zarr store's hierarchy — groups and arrays with their metadata — from consolidated
 * metadata when the store has it (v3 `consolidated_metadata` in the root `zarr.json`, v2
 * `.zmetadata`), otherwise from the metadata documents a listing finds. Zarr v2 and v3.
 */
import { CorruptFileError, NotFoundError, UnsupportedFeatureError, type VzarrError } from "../../errors/vzarr-error.js";
import type { ArrayMetadata, CodecSpec } from "../../metadata/array-metadata.js";
import { parseArrayJson } from "../icechunk/zarr-json.js";
import { arrayMetadataFromZarray } from "../kerchunk/zarray.js";
import type { ZarrStore } from "./store.js";

/** How an array names its chunk objects: `<prefix><sep>i<sep>j` (`c/0/1`, `0.1`). */
export interface ChunkKeyEncoding {
  /** `c` for v3's default encoding, `""` for v2 keys. */
  prefix: string;
  separator: "/" | ".";
}

/** A v3 array stored in shards: each object holds a grid of inner chunks and an index. */
export interface Sharding {
  /** Inner chunks per shard, per axis. */
  chunksPerShard: number[];
  indexLocation: "start" | "end";
  /** The index ends with a CRC-32C of its entries. */
  indexChecksum: boolean;
}

export interface ZarrArrayNode {
  path: string;
  zarrFormat: 2 | 3;
  /** The array as vzarr presents it: for a sharded array, chunked by its inner chunks. */
  metadata: ArrayMetadata;
  /** The grid of stored objects (chunks, or shards). */
  objectChunkShape: number[];
  keys: ChunkKeyEncoding;
  sharding?: Sharding;
  dims: string[] | null;
  attrs: Record<string, unknown>;
}

export interface ZarrHierarchy {
  zarrFormat: 2 | 3;
  /** Group attributes by path (`""` the root). */
  groups: Map<string, Record<string, unknown>>;
  arrays: Map<string, ZarrArrayNode>;
  /** Arrays the store holds that vzarr cannot represent, with the tagged reason. */
  skipped: Map<string, VzarrError>;
}

const decoder = new TextDecoder();

function parseJson(bytes: Uint8Array, key: string, file: string): Record<string, unknown> {
  try {
    const doc = JSON.parse(decoder.decode(bytes)) as unknown;
    if (typeof doc === "object" && doc !== null && !Array.isArray(doc)) return doc as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new CorruptFileError(`${key} is not a JSON object`, { file });
}

const parent = (key: string, name: string) => key.slice(0, Math.max(0, key.length - name.length - 1));

export async function readHierarchy(store: ZarrStore): Promise<ZarrHierarchy> {
  const file = store.url;
  const v3root = await store.get("zarr.json");
  if (v3root !== undefined) return readV3(store, parseJson(v3root, "zarr.json", file));
  const consolidated = await store.get(".zmetadata");
  if (consolidated !== undefined) {
    const doc = parseJson(consolidated, ".zmetadata", file);
    const metadata = doc.metadata;
    if (typeof metadata !== "object" || metadata === null) throw new CorruptFileError(".zmetadata has no metadata object", { file });
    return v2FromDocuments(new Map(Object.entries(metadata as Record<string, unknown>)), file);
  }
  const rootGroup = await store.get(".zgroup");
  const rootArray = rootGroup === undefined ? await store.get(".zarray") : undefined;
  if (rootGroup === undefined && rootArray === undefined) {
    throw new NotFoundError(`no Zarr metadata (zarr.json, .zmetadata, .zgroup or .zarray) at ${store.url}`, { file });
  }
  if (!store.listable) {
    if (rootArray === undefined) {
      throw new UnsupportedFeatureError(
        `${store.url} has no consolidated metadata and cannot be listed over HTTP: consolidate it (zarr.consolidate_metadata) or open it where it can be listed`,
        { file },
      );
    }
  }
  const docs = new Map<string, unknown>();
  const keys = store.listable
    ? (await store.list("")).map((o) => o.key).filter((k) => /(^|\/)\.z(group|array|attrs)$/.test(k))
    : [".zarray", ".zattrs"];
  await Promise.all(
    keys.map(async (k) => {
      const bytes = await store.get(k);
      if (bytes !== undefined) docs.set(k, parseJson(bytes, k, file));
    }),
  );
  return v2FromDocuments(docs, file);
}

function v2FromDocuments(docs: Map<string, unknown>, file: string): ZarrHierarchy {
  const groups = new Map<string, Record<string, unknown>>();
  const arrays = new Map<string, ZarrArrayNode>();
  const attrsOf = (path: string) => {
    const a = docs.get(path === "" ? ".zattrs" : `${path}/.zattrs`);
    return typeof a === "object" && a !== null && !Array.isArray(a) ? { ...(a as Record<string, unknown>) } : {};
  };
  for (const [key, doc] of docs) {
    if (key === ".zgroup" || key.endsWith("/.zgroup")) {
      const path = parent(key, ".zgroup");
      groups.set(path, attrsOf(path));
    } else if (key === ".zarray" || key.endsWith("/.zarray")) {
      const path = parent(key, ".zarray");
      const z = doc as { chunks?: number[]; dimension_separator?: string };
      const metadata = arrayMetadataFromZarray(doc, path || "(root)", file);
      const attrs = attrsOf(path);
      const named = attrs._ARRAY_DIMENSIONS;
      delete attrs._ARRAY_DIMENSIONS;
      const dims =
        Array.isArray(named) && named.length === metadata.shape.length && named.every((d) => typeof d === "string")
          ? (named as string[])
          : null;
      const separator = z.dimension_separator ?? ".";
      if (separator !== "." && separator !== "/") {
        throw new CorruptFileError(`dimension_separator ${JSON.stringify(separator)} of ${path}`, { file, variable: path });
      }
      arrays.set(path, {
        path,
        zarrFormat: 2,
        metadata,
        objectChunkShape: [...(z.chunks ?? [])],
        keys: { prefix: "", separator },
        dims,
        attrs,
      });
    }
  }
  if (!groups.has("") && !arrays.has("")) groups.set("", attrsOf(""));
  return { zarrFormat: 2, groups, arrays, skipped: new Map() };
}

async function readV3(store: ZarrStore, root: Record<string, unknown>): Promise<ZarrHierarchy> {
  const file = store.url;
  const nodes = new Map<string, Record<string, unknown>>([["", root]]);
  const consolidated = (root.consolidated_metadata as { metadata?: unknown } | null | undefined)?.metadata;
  if (typeof consolidated === "object" && consolidated !== null) {
    for (const [path, doc] of Object.entries(consolidated as Record<string, unknown>)) {
      if (typeof doc === "object" && doc !== null) nodes.set(path.replace(/^\/+|\/+$/g, ""), doc as Record<string, unknown>);
    }
  } else if (root.node_type === "group") {
    if (!store.listable) {
      throw new UnsupportedFeatureError(
        `${store.url} has no consolidated metadata and cannot be listed over HTTP: consolidate it (zarr.consolidate_metadata) or open it where it can be listed`,
        { file },
      );
    }
    const keys = (await store.list("")).map((o) => o.key).filter((k) => k.endsWith("/zarr.json"));
    await Promise.all(
      keys.map(async (k) => {
        const bytes = await store.get(k);
        if (bytes !== undefined) nodes.set(parent(k, "zarr.json"), parseJson(bytes, k, file));
      }),
    );
  }
  const groups = new Map<string, Record<string, unknown>>();
  const arrays = new Map<string, ZarrArrayNode>();
  const skipped = new Map<string, VzarrError>();
  for (const [path, doc] of nodes) {
    if (doc.zarr_format !== 3) throw new CorruptFileError(`${path || "root"}: zarr_format ${JSON.stringify(doc.zarr_format)}`, { file });
    const attrs = typeof doc.attributes === "object" && doc.attributes !== null ? { ...(doc.attributes as Record<string, unknown>) } : {};
    if (doc.node_type === "group") groups.set(path, attrs);
    else if (doc.node_type === "array") {
      try {
        arrays.set(path, v3Array(path, doc, file));
      } catch (e) {
        // One array vzarr cannot represent does not hide the rest of the store.
        if (!(e instanceof UnsupportedFeatureError) || path === "") throw e;
        skipped.set(path, e);
      }
    } else throw new CorruptFileError(`${path || "root"}: node_type ${JSON.stringify(doc.node_type)}`, { file });
  }
  return { zarrFormat: 3, groups, arrays, skipped };
}

function v3Array(path: string, doc: Record<string, unknown>, file: string): ZarrArrayNode {
  const variable = path || "(root)";
  const keys = chunkKeyEncoding(doc.chunk_key_encoding, variable, file);
  const codecs = Array.isArray(doc.codecs) ? (doc.codecs as CodecSpec[]) : [];
  const grid = doc.chunk_grid as { name?: string; configuration?: { chunk_shape?: unknown } } | undefined;
  const objectChunkShape =
    grid?.name === "regular" && Array.isArray(grid.configuration?.chunk_shape) ? (grid.configuration.chunk_shape as number[]) : [];
  // The chunk key encoding was read above; what icechunk's parser checks is ours to ignore.
  const { chunk_key_encoding: _, ...rest } = doc;
  const shard = codecs[0]?.name === "sharding_indexed" ? codecs[0] : undefined;
  if (shard !== undefined && codecs.length > 1) {
    throw new UnsupportedFeatureError(
      `the shards of ${variable} are compressed as a whole (${codecs
        .slice(1)
        .map((c) => c.name)
        .join(", ")} after sharding_indexed): its inner chunks have no byte ranges of their own`,
      { file, variable },
    );
  }
  let sharding: Sharding | undefined;
  let parsed: ReturnType<typeof parseArrayJson>;
  if (shard === undefined) {
    parsed = parseArrayJson(rest, variable);
  } else {
    const config = (shard.configuration ?? {}) as {
      chunk_shape?: unknown;
      codecs?: unknown;
      index_codecs?: unknown;
      index_location?: unknown;
    };
    const inner = config.chunk_shape;
    if (!Array.isArray(inner) || inner.length !== objectChunkShape.length || !inner.every((n) => Number.isSafeInteger(n) && n > 0)) {
      throw new CorruptFileError(`sharding_indexed of ${variable}: bad chunk_shape`, { file, variable });
    }
    const chunksPerShard = objectChunkShape.map((s, a) => {
      const n = s / (inner[a] as number);
      if (!Number.isInteger(n))
        throw new CorruptFileError(`sharding_indexed of ${variable}: inner chunks do not divide the shard`, { file, variable });
      return n;
    });
    const innerCodecs = Array.isArray(config.codecs) ? (config.codecs as CodecSpec[]) : [];
    if (innerCodecs.some((c) => c?.name === "sharding_indexed")) {
      throw new UnsupportedFeatureError(`${variable}: nested sharding is not supported`, { file, variable });
    }
    const indexCodecs = Array.isArray(config.index_codecs) ? (config.index_codecs as CodecSpec[]) : [];
    const names = indexCodecs.map((c) => c?.name);
    const littleIndex = (indexCodecs[0]?.configuration as { endian?: string } | undefined)?.endian !== "big";
    if (names[0] !== "bytes" || !littleIndex || names.length > 2 || (names.length === 2 && names[1] !== "crc32c")) {
      throw new UnsupportedFeatureError(`${variable}: shard index codecs ${JSON.stringify(indexCodecs)} are not supported`, {
        file,
        variable,
      });
    }
    sharding = {
      chunksPerShard,
      indexLocation: config.index_location === "start" ? "start" : "end",
      indexChecksum: names.length === 2,
    };
    parsed = parseArrayJson(
      { ...rest, codecs: innerCodecs, chunk_grid: { name: "regular", configuration: { chunk_shape: inner } } },
      variable,
    );
  }
  const metadata = parsed.metadata;
  const dims = parsed.dims?.every((d) => typeof d === "string") === true ? (parsed.dims as string[]) : null;
  return { path, zarrFormat: 3, metadata, objectChunkShape, keys, sharding, dims, attrs: parsed.attrs };
}

function chunkKeyEncoding(raw: unknown, variable: string, file: string): ChunkKeyEncoding {
  const e = (raw ?? { name: "default" }) as { name?: string; configuration?: { separator?: string } };
  const separator = e.configuration?.separator;
  if (e.name === "default" && (separator === undefined || separator === "/" || separator === ".")) {
    return { prefix: "c", separator: separator ?? "/" };
  }
  if (e.name === "v2" && (separator === undefined || separator === "/" || separator === ".")) {
    return { prefix: "", separator: separator ?? "." };
  }
  throw new UnsupportedFeatureError(`chunk key encoding ${JSON.stringify(raw)} of ${variable}`, { file, variable });
}
