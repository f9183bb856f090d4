/**
 * kerchunk reference JSON (version 1) with Zarr v2 metadata: what fsspec's
 * ReferenceFileSystem, kerchunk and VirtualiZarr read. Text is produced in pieces so a
 * dataset of millions of chunks streams to a file without one giant string or object.
 */
import { INLINED_ID } from "../../backend/core.js";
import type { VirtualDataset } from "../../dataset/virtual-dataset.js";
import { encodeBase64 } from "../../io/base64.js";
import type { ManifestArray } from "../../manifest/manifest-array.js";
import { gridShape } from "../../metadata/array-metadata.js";
import { jsonText } from "../../metadata/json-text.js";
import { type DecodeUndecodableOptions, decodeUndecodable } from "./decode-undecodable.js";
import { type InlineOptions, inlineChunks } from "./inline-small-chunks.js";
import { metadataDocuments, singleChunkKey, type ZarrV2Options, zarrV2Nodes } from "./zarr-v2-nodes.js";

export interface KerchunkJsonOptions extends ZarrV2Options, InlineOptions, DecodeUndecodableOptions {}

const PIECE = 1 << 20;

/** The reference JSON, in text pieces that concatenate to one document. */
export async function* kerchunkJsonPieces(ds: VirtualDataset, options: KerchunkJsonOptions = {}): AsyncGenerator<string> {
  const zmetadata: Record<string, unknown> = {};
  const out = new PieceBuffer('{"version":1,"refs":{');
  const readable = await decodeUndecodable(ds, options);
  for (const node of zarrV2Nodes(readable, options)) {
    for (const [key, doc] of metadataDocuments(node)) {
      zmetadata[key] = doc;
      out.entry(JSON.stringify(key), JSON.stringify(jsonText(doc)));
    }
    if (node.kind === "group") continue;
    if (node.loaded !== undefined) {
      out.entry(
        JSON.stringify(`${node.path}/${singleChunkKey(node.zarray.shape.length)}`),
        JSON.stringify(`base64:${encodeBase64(node.loaded)}`),
      );
    } else if (node.array !== undefined) {
      yield* chunkEntries(node.path, node.array, await inlineChunks(node.array, options), out);
    }
  }
  out.entry('".zmetadata"', JSON.stringify(jsonText({ zarr_consolidated_format: 1, metadata: zmetadata })));
  yield `${out.take()}\n}}\n`;
}

/** The whole reference JSON as one string (small datasets, browsers). */
export async function kerchunkJsonText(ds: VirtualDataset, options: KerchunkJsonOptions = {}): Promise<string> {
  let text = "";
  for await (const piece of kerchunkJsonPieces(ds, options)) text += piece;
  return text;
}

/** Accumulates `"key":value` members, comma-separated, and hands out ~1 MiB pieces. */
class PieceBuffer {
  #first = true;

  constructor(public text: string) {}

  entry(quotedKey: string, value: string): void {
    this.text += `${this.#first ? "" : ","}\n${quotedKey}:${value}`;
    this.#first = false;
  }

  /** Appends members already joined with leading commas (the first member is never here). */
  raw(members: string): void {
    this.text += members;
  }

  get full(): boolean {
    return this.text.length > PIECE;
  }

  take(): string {
    const t = this.text;
    this.text = "";
    return t;
  }
}

/**
 * One member per present chunk, keys generated with an odometer over the chunk grid (the
 * last axis in an inner loop), URLs quoted once per distinct path.
 */
function* chunkEntries(path: string, array: ManifestArray, inline: Map<number, Uint8Array>, out: PieceBuffer): Generator<string> {
  const grid = gridShape(array.shape, array.metadata.chunkGrid);
  const { table, ids, offsets, lengths } = array.manifest.columns();
  if (ids.length === 0) return;
  const urls = table.map((t) => JSON.stringify(t));
  // `"path/` with the path escaped once; indices are digits and need no escaping.
  const head = `,\n${JSON.stringify(`${path}/`).slice(0, -1)}`;
  if (grid.length === 0) {
    member(0, `${head}0"`);
    return;
  }
  const last = grid.length - 1;
  const inner = grid[last] as number;
  const idx = grid.map(() => 0);
  let i = 0;
  for (;;) {
    const lead = last === 0 ? head : `${head}${idx.slice(0, last).join(".")}.`;
    let text = "";
    for (let j = 0; j < inner; j++, i++) {
      const id = ids[i] as number;
      // inline holds the manifest's inlined chunks and small chunks read for inlineThreshold
      const bytes = inline.size === 0 ? undefined : inline.get(i);
      if (bytes !== undefined) text += `${lead}${j}":"base64:${encodeBase64(bytes)}"`;
      else if (id < INLINED_ID) text += `${lead}${j}":[${urls[id]},${offsets[i] as bigint},${lengths[i] as bigint}]`;
    }
    out.raw(text);
    if (out.full) yield out.take();
    let a = last - 1;
    while (a >= 0) {
      idx[a] = (idx[a] as number) + 1;
      if ((idx[a] as number) < (grid[a] as number)) break;
      idx[a] = 0;
      a--;
    }
    if (a < 0) return;
  }

  function member(flat: number, key: string): void {
    const id = ids[flat] as number;
    const bytes = inline.get(flat);
    if (bytes !== undefined) out.raw(`${key}:"base64:${encodeBase64(bytes)}"`);
    else if (id < INLINED_ID) out.raw(`${key}:[${urls[id]},${offsets[flat] as bigint},${lengths[flat] as bigint}]`);
  }
}
