/**
 * kerchunk reference JSON (version 1) with Zarr v2 metadata: what fsspec's
 * ReferenceFileSystem, kerchunk and VirtualiZarr read. Text is produced in pieces so a
 * dataset of millions of chunks streams to a file without one giant string or object.
 */
import { INLINED_ID, MISSING_ID } from "../backend/core.js";
import type { VirtualDataset } from "../dataset/virtual-dataset.js";
import { VzarrError } from "../errors/vzarr-error.js";
import { encodeBase64 } from "../io/base64.js";
import type { ByteRange } from "../io/byte-source.js";
import { ManifestArray } from "../manifest/manifest-array.js";
import { gridShape } from "../metadata/array-metadata.js";
import { jsonText } from "../metadata/json-text.js";
import { toZarray } from "../metadata/zarr-v2.js";
import { chunkKeys } from "./chunk-keys.js";
import { encodeLoaded } from "./encode-loaded.js";

export interface KerchunkJsonOptions {
  /** Inline referenced chunks of at most this many bytes (read from their files). Default 0. */
  inlineThreshold?: number;
  /** What to do with a variable Zarr v2 cannot express: skip it (with a warning) or fail. */
  onUnsupported?: "raise" | "skip";
  warn?: (message: string) => void;
  /** Reads byte ranges of one file, for `inlineThreshold`. */
  readRanges?: (url: string, ranges: ByteRange[]) => Promise<Uint8Array[]>;
}

const PIECE = 1 << 20;

/** The reference JSON, in text pieces that concatenate to one document. */
export async function* kerchunkJsonPieces(ds: VirtualDataset, options: KerchunkJsonOptions = {}): AsyncGenerator<string> {
  const zmetadata: Record<string, unknown> = {};
  let first = true;
  let buf = '{"version":1,"refs":{';
  const entry = (key: string, value: string) => {
    buf += `${first ? "" : ","}\n${JSON.stringify(key)}:${value}`;
    first = false;
  };
  const meta = (key: string, value: unknown) => {
    zmetadata[key] = value;
    entry(key, JSON.stringify(jsonText(value)));
  };

  for (const [prefix, group] of walkGroups(ds, "")) {
    meta(`${prefix}.zgroup`, { zarr_format: 2 });
    if (Object.keys(group.attrs).length > 0) meta(`${prefix}.zattrs`, group.attrs);
    for (const [name, v] of group.variables) {
      const path = `${prefix}${name}`;
      let zarray: ReturnType<typeof toZarray>;
      let loadedBytes: Uint8Array | undefined;
      try {
        if (v.data instanceof ManifestArray) {
          zarray = toZarray(v.data.metadata, path);
        } else {
          const enc = encodeLoaded(v.data);
          zarray = toZarray(enc.metadata, path);
          if (enc.metadata.dtype === "|O")
            zarray = { ...zarray, dtype: "|O", filters: [{ id: "vlen-utf8" }], compressor: null, fill_value: null };
          loadedBytes = enc.bytes;
        }
      } catch (e) {
        if (options.onUnsupported === "skip" && e instanceof VzarrError) {
          options.warn?.(`skipping ${path}: ${e.message}`);
          continue;
        }
        throw e;
      }
      meta(`${path}/.zarray`, zarray);
      meta(`${path}/.zattrs`, { ...v.attrs, _ARRAY_DIMENSIONS: [...v.dims] });
      if (loadedBytes !== undefined) {
        entry(
          `${path}/${zarray.shape.length === 0 ? "0" : zarray.shape.map(() => "0").join(".")}`,
          JSON.stringify(`base64:${encodeBase64(loadedBytes)}`),
        );
        continue;
      }
      const array = v.data as ManifestArray;
      const inline = await readInlined(array, options);
      const { table, ids, offsets, lengths } = array.manifest.columns();
      const urls = table.map((t) => JSON.stringify(t));
      const keyed = chunkKeys(gridShape(array.shape, array.metadata.chunkGrid), ".", `${path}/`);
      let i = 0;
      for (const key of keyed) {
        const id = ids[i] as number;
        if (id !== MISSING_ID) {
          const bytes = inline.get(i);
          if (bytes !== undefined) entry(key, JSON.stringify(`base64:${encodeBase64(bytes)}`));
          else entry(key, `[${urls[id]},${offsets[i]},${lengths[i]}]`);
        }
        i++;
        if (buf.length > PIECE) {
          yield buf;
          buf = "";
        }
      }
    }
  }
  entry(".zmetadata", JSON.stringify(jsonText({ zarr_consolidated_format: 1, metadata: zmetadata })));
  yield `${buf}\n}}\n`;
}

/** The whole reference JSON as one string (small datasets, browsers). */
export async function kerchunkJsonText(ds: VirtualDataset, options: KerchunkJsonOptions = {}): Promise<string> {
  let out = "";
  for await (const piece of kerchunkJsonPieces(ds, options)) out += piece;
  return out;
}

function* walkGroups(ds: VirtualDataset, prefix: string): Generator<[string, VirtualDataset]> {
  yield [prefix, ds];
  for (const [name, g] of ds.groups) yield* walkGroups(g, `${prefix}${name}/`);
}

/** Inlined chunks of a manifest plus, with `inlineThreshold`, small referenced ones read now. */
async function readInlined(array: ManifestArray, options: KerchunkJsonOptions): Promise<Map<number, Uint8Array>> {
  const out = array.manifest.inlined();
  const threshold = options.inlineThreshold ?? 0;
  if (threshold <= 0) return out;
  if (options.readRanges === undefined) throw new Error("inlineThreshold needs a readRanges function");
  const { table, ids, offsets, lengths } = array.manifest.columns();
  const wanted = new Map<number, { index: number[]; ranges: ByteRange[] }>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    if (id >= INLINED_ID || Number(lengths[i]) > threshold) continue;
    let w = wanted.get(id);
    if (w === undefined) wanted.set(id, (w = { index: [], ranges: [] }));
    w.index.push(i);
    w.ranges.push({ offset: Number(offsets[i]), length: Number(lengths[i]) });
  }
  for (const [id, w] of wanted) {
    const blocks = await options.readRanges(table[id] as string, w.ranges);
    w.index.forEach((i, k) => out.set(i, blocks[k] as Uint8Array));
  }
  return out;
}
