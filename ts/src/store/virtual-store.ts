/**
 * A zarrita-compatible read store (`get(key)`, `getRange(key, range)`) over a
 * VirtualDataset: Zarr v3 keys (`zarr.json`, `var/c/0/1`) served from manifests. The root
 * `zarr.json` carries consolidated metadata, so readers that cannot list (zarrita) find
 * every node. Chunk reads of one file issued together are coalesced into few requests.
 */
import { INLINED_ID, MISSING_ID } from "../backend/core.js";
import { encodeLoaded } from "../dataset/encode-loaded.js";
import { LoadedArray } from "../dataset/loaded-array.js";
import type { VirtualDataset } from "../dataset/virtual-dataset.js";
import type { VirtualVariable } from "../dataset/virtual-variable.js";
import type { ManifestArray } from "../manifest/manifest-array.js";
import { gridShape } from "../metadata/array-metadata.js";
import { jsonText } from "../metadata/json-text.js";
import { toZarrV3Array, toZarrV3Group } from "../metadata/zarr-v3.js";
import { BatchedReader } from "./batched-reader.js";
import type { SourcePool } from "./source-pool.js";

type AbsolutePath = `/${string}`;
export type RangeQuery = { offset: number; length: number } | { suffixLength: number };

const encoder = new TextEncoder();

interface Node {
  document: Record<string, unknown>;
  variable?: VirtualVariable;
}

export class VirtualStore {
  private readonly nodes = new Map<string, Node>();
  private readonly reader: BatchedReader;
  private readonly columns = new Map<VirtualVariable, ReturnType<ManifestArray["manifest"]["columns"]>>();

  constructor(
    readonly dataset: VirtualDataset,
    private readonly pool: SourcePool,
  ) {
    this.reader = new BatchedReader(pool);
    this.index(dataset, "");
    const root = this.nodes.get("") as Node;
    const consolidated: Record<string, unknown> = {};
    for (const [path, node] of this.nodes) if (path !== "") consolidated[path] = node.document;
    root.document.consolidated_metadata = { kind: "inline", must_understand: false, metadata: consolidated };
  }

  private index(ds: VirtualDataset, prefix: string): void {
    this.nodes.set(prefix.replace(/\/$/, ""), { document: toZarrV3Group({ ...ds.attrs }) });
    for (const [name, v] of ds.variables) {
      const meta = v.data instanceof LoadedArray ? encodeLoaded(v.data).metadata : v.metadata;
      this.nodes.set(`${prefix}${name}`, { document: { ...toZarrV3Array(meta, { ...v.attrs }, v.dims) }, variable: v });
    }
    for (const [name, g] of ds.groups) this.index(g, `${prefix}${name}/`);
  }

  async get(key: AbsolutePath): Promise<Uint8Array | undefined> {
    const path = key.replace(/^\/+/, "");
    if (path === "zarr.json" || path.endsWith("/zarr.json")) {
      const node = this.nodes.get(path.slice(0, -"zarr.json".length).replace(/\/$/, ""));
      return node === undefined ? undefined : encoder.encode(jsonText(node.document));
    }
    const m = /^(.*?)\/?c(?:\/(\d+(?:\/\d+)*))?$/.exec(path);
    if (m === null) return undefined;
    const node = this.nodes.get(m[1] as string);
    if (node?.variable === undefined) return undefined;
    const coords = m[2] === undefined ? [] : (m[2] as string).split("/").map(Number);
    return this.chunk(node.variable, coords);
  }

  async getRange(key: AbsolutePath, range: RangeQuery): Promise<Uint8Array | undefined> {
    const whole = await this.get(key);
    if (whole === undefined) return undefined;
    if ("suffixLength" in range) return whole.subarray(Math.max(0, whole.length - range.suffixLength));
    return whole.subarray(range.offset, range.offset + range.length);
  }

  private async chunk(v: VirtualVariable, coords: number[]): Promise<Uint8Array | undefined> {
    if (v.data instanceof LoadedArray) {
      return coords.every((c) => c === 0) ? encodeLoaded(v.data).bytes : undefined;
    }
    const array = v.data as ManifestArray;
    const grid = gridShape(array.shape, array.metadata.chunkGrid);
    if (coords.length !== grid.length || coords.some((c, a) => !Number.isInteger(c) || c < 0 || c >= (grid[a] as number))) return undefined;
    const flat = coords.reduce((acc, c, a) => acc * (grid[a] as number) + c, 0);
    let cols = this.columns.get(v);
    if (cols === undefined) {
      cols = array.manifest.columns();
      this.columns.set(v, cols);
    }
    const id = cols.ids[flat] as number;
    if (id === MISSING_ID) return undefined;
    if (id === INLINED_ID) return array.manifest.entry(flat)?.data;
    return this.reader.read(cols.table[id] as string, Number(cols.offsets[flat]), Number(cols.lengths[flat]));
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
