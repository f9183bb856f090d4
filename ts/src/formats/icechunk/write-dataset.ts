/**
 * `writeIcechunk`: commits a VirtualDataset to a branch of an Icechunk repository (created
 * when absent) — groups and arrays as nodes, virtual refs straight from the manifests'
 * columns, loaded variables as inline or native chunks — or appends it along a dimension.
 */
import { resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { INLINED_ID } from "../../backend/core.js";
import { currentBackend } from "../../backend/load.js";
import { encodeLoaded } from "../../dataset/encode-loaded.js";
import { LoadedArray } from "../../dataset/loaded-array.js";
import type { VirtualDataset } from "../../dataset/virtual-dataset.js";
import type { VirtualVariable } from "../../dataset/virtual-variable.js";
import { ConflictError, IncompatibleArraysError, InvalidArgumentError } from "../../errors/vzarr-error.js";
import { canonicalLocation, underPrefix } from "../../io/authorize.js";
import type { SourceIdentity } from "../../io/byte-source.js";
import { schemeOf } from "../../io/url-scheme.js";
import { ManifestArray } from "../../manifest/manifest-array.js";
import { type ArrayMetadata, axisChunkLengths, type ChunkGrid, codecsEqual, gridShape } from "../../metadata/array-metadata.js";
import { parseDType } from "../../metadata/dtype.js";
import { splitGrid } from "./array-parts.js";
import { checkAppend } from "./check-append.js";
import {
  containerForPrefix,
  defaultContainerPrefixes,
  matchContainer,
  type S3ContainerOptions,
  type VirtualChunkContainer,
} from "./containers.js";
import { encodeBase32, type ObjectId12, randomId, snapshotIdFromString } from "./ids.js";
import { type Checksum, encodeManifest, type NativeChunk } from "./manifest.js";
import { encodeFlex } from "./metadata-values.js";
import { decodeWhatPythonCannot } from "./private-codecs.js";
import { openIcechunk } from "./read-dataset.js";
import { IcechunkRepository } from "./repository.js";
import {
  type ArrayNodeData,
  encodeSnapshot,
  type ManifestFileInfo,
  type ManifestRef,
  type NodeSnapshot,
  type Snapshot,
} from "./snapshot.js";
import type { Storage } from "./storage.js";
import { encodeTransactionLog, type TransactionLog, type UpdatedChunkPart } from "./transaction-log.js";
import { arrayZarrJson, groupZarrJson, parseArrayJson, parseNodeJson, v3FillValue } from "./zarr-json.js";

export interface WriteIcechunkOptions {
  /** Branch to commit to (default `main`); a new branch starts from `main`'s tip. */
  branch?: string;
  message?: string;
  /** Commit metadata (any JSON values). */
  metadata?: Record<string, unknown>;
  /** Append along this dimension to the arrays already in the branch (needs mode `"a"`). */
  appendDim?: string;
  /**
   * What to do with what is already there, as xarray's `to_zarr`: `"w-"` refuses an existing
   * repository (with `group`: an existing group), `"w"` commits a replacement of the
   * repository's contents (with `group`: of that group; earlier snapshots stay), `"a"`
   * adds or replaces variables, or appends along `appendDim`. `writeIcechunk` defaults to
   * `"a"` (a commit on top); `VirtualDataset.toIcechunk` to `"w-"` (`"a"` with `appendDim`).
   */
  mode?: IcechunkWriteMode;
  /** Group path of the repository to write the dataset to (`"forecast/run1"`; default the root). */
  group?: string;
  /**
   * Virtual chunk containers to declare: URL prefixes (store kind from the scheme) or full
   * definitions. Every virtual ref must fall under one. Default: see `containers.ts`.
   */
  containers?: readonly (string | VirtualChunkContainer)[];
  /** Settings for `s3://` containers given as bare prefixes or derived by default. */
  s3?: S3ContainerOptions;
  /** Loaded variables whose encoded chunk has at most this many bytes are inlined (512). */
  inlineThreshold?: number;
  /** At most this many chunk refs per manifest file (default 1,000,000). */
  manifestSplitSize?: number;
  /** Where the repository is, instead of the local directory `repoPath`. */
  storage?: Storage;
  /** Identity (ETag / last-modified) of source files by URL or path, stored as ref checksums. */
  identities?: ReadonlyMap<string, SourceIdentity>;
  /** Told what was decoded and stored as values (codecs zarr-python has no implementation for). */
  warn?: (message: string) => void;
}

export type IcechunkWriteMode = "w" | "w-" | "a";

/** Writes (or appends) `ds` and returns the new snapshot id. */
export async function writeIcechunk(input: VirtualDataset, repoPath: string, options: WriteIcechunkOptions = {}): Promise<string> {
  const mode = options.mode ?? "a";
  if (!["w", "w-", "a"].includes(mode)) throw new InvalidArgumentError(`mode must be "w", "w-" or "a", not ${JSON.stringify(mode)}`);
  if (options.appendDim !== undefined && mode !== "a") {
    throw new InvalidArgumentError(`appendDim ${options.appendDim} appends to what is there: it needs mode "a", not "${mode}"`);
  }
  const groupPath = nodePath(options.group ?? "");
  // Before the repository is touched: a variable that cannot be written leaves it as it was.
  const ds = await decodeWhatPythonCannot(input, options.warn);
  const containers = chooseContainers(ds, options);
  const location = options.storage ?? repoPath;
  const existed = await IcechunkRepository.exists(location);
  if (existed && mode === "w-" && groupPath === "/") {
    throw new ConflictError(
      `${describeLocation(location)} is already an Icechunk repository: mode "w" commits a replacement, "a" adds to it or appends (appendDim)`,
      { file: describeLocation(location) },
    );
  }
  const repo = await IcechunkRepository.openOrCreate(location, { containers });
  await repo.ensureContainers(containers);
  const branch = options.branch ?? "main";
  const branches = await repo.branches();
  const tip = branches.find((b) => b.name === branch) ?? branches.find((b) => b.name === "main");
  if (tip === undefined) throw new InvalidArgumentError(`the repository has no main branch`);
  const parent = await repo.snapshot(tip.snapshotId);
  const target = parent.nodes.find((n) => n.path === groupPath);
  if (mode === "w-" && target !== undefined && groupPath !== "/") {
    throw new ConflictError(
      `group ${groupPath} already exists in ${repo.storage.description} (branch ${branch}): mode "w" replaces it, "a" adds to it or appends (appendDim)`,
      { file: repo.storage.description },
    );
  }
  let toWrite = ds;
  const within = (path: string) => groupPath === "/" || path === groupPath || path.startsWith(`${groupPath}/`);
  if (options.appendDim !== undefined && parent.nodes.some((n) => n.array !== null && within(n.path))) {
    // Checked against the branch as it is, by concat's rules, before anything is written.
    const stored = await openIcechunk(repoPath, { storage: repo.storage, snapshot: tip.snapshotId });
    try {
      toWrite = await checkAppend(stored.group(groupPath), ds, options.appendDim, currentBackend(), repo.storage.description);
    } finally {
      stored.free();
    }
  }
  const writer = new CommitBuilder(repo, parent, options);
  if (mode === "w") writer.clear(groupPath);
  writer.ensureParents(groupPath);
  await writer.writeGroup(toWrite, groupPath);
  const snapshot = writer.snapshot();
  await repo.storage.put(`transactions/${encodeBase32(snapshot.id)}`, encodeTransactionLog(writer.txLog(snapshot.id)));
  await repo.storage.put(`snapshots/${encodeBase32(snapshot.id)}`, encodeSnapshot(snapshot));
  const metadata = Object.entries(snapshot.metadata).map(([name, value]) => ({ name, value: encodeFlex(value) }));
  await repo.commitSnapshot(
    branch,
    snapshotIdFromString(tip.snapshotId),
    {
      id: snapshot.id,
      parentId: snapshotIdFromString(tip.snapshotId),
      flushedAt: snapshot.flushedAt,
      message: snapshot.message,
      metadata,
      prunedAncestorTxLogs: null,
    },
    tip.name !== branch,
  );
  return encodeBase32(snapshot.id);
}

/** A group path as Icechunk names nodes: `/` for the root, else `/a/b` (no empty parts). */
function nodePath(group: string): string {
  const parts = group.split("/").filter((p) => p !== "");
  if (parts.some((p) => p === "." || p === "..")) throw new InvalidArgumentError(`group ${group} must not contain "." or ".." parts`);
  return `/${parts.join("/")}`;
}

function describeLocation(location: string | Storage): string {
  return typeof location === "string" ? location : location.description;
}

/** A manifest path as the absolute URL Icechunk stores (plain paths become `file://`). */
export function locationUrl(path: string): string {
  const scheme = schemeOf(path);
  if (scheme === "") return pathToFileURL(resolvePath(path)).href;
  return scheme + path.slice(scheme.length);
}

function chooseContainers(ds: VirtualDataset, options: WriteIcechunkOptions): VirtualChunkContainer[] {
  const locations = new Set<string>();
  for (const [, v] of ds.walkVariables()) {
    if (v.data instanceof ManifestArray) for (const p of v.data.manifest.paths()) locations.add(locationUrl(p));
  }
  const given = options.containers?.map((c) => (typeof c === "string" ? containerForPrefix(c, options.s3) : c));
  const containers = given ?? defaultContainerPrefixes(locations).map((p) => containerForPrefix(p, options.s3));
  // Canonical form: a location whose `..` or encoding leaves its container is not under it.
  const prefixes = containers.map((c) => canonicalLocation(c.urlPrefix));
  for (const url of locations) {
    const canonical = canonicalLocation(url);
    if (matchContainer(containers, decodeURIComponent(url)) === undefined || !prefixes.some((p) => underPrefix(canonical, p))) {
      throw new InvalidArgumentError(
        `chunk location ${url} is under none of the virtual chunk containers ${containers.map((c) => c.urlPrefix).join(", ")}`,
      );
    }
  }
  return containers;
}

interface ArrayContent {
  metadata: ArrayMetadata;
  ids: Uint32Array;
  offsets: BigUint64Array;
  lengths: BigUint64Array;
  locations: string[];
  checksums: (Checksum | undefined)[];
  inlined?: ReadonlyMap<number, Uint8Array>;
  native?: ReadonlyMap<number, NativeChunk>;
}

class CommitBuilder {
  private readonly nodes: Map<string, NodeSnapshot>;
  private readonly fileInfo = new Map<string, ManifestFileInfo>();
  private readonly log: Omit<TransactionLog, "id"> = {
    newGroups: [],
    newArrays: [],
    deletedGroups: [],
    deletedArrays: [],
    updatedArrays: [],
    updatedGroups: [],
    updatedChunks: [],
  };
  private readonly splitSize: number;
  private readonly inlineThreshold: number;

  constructor(
    private readonly repo: IcechunkRepository,
    private readonly parent: Snapshot,
    private readonly options: WriteIcechunkOptions,
  ) {
    this.nodes = new Map(parent.nodes.map((n) => [n.path, n]));
    for (const f of parent.manifestFiles) this.fileInfo.set(encodeBase32(f.id), f);
    this.splitSize = options.manifestSplitSize ?? 1_000_000;
    this.inlineThreshold = options.inlineThreshold ?? 512;
    if (!Number.isInteger(this.splitSize) || this.splitSize < 1)
      throw new InvalidArgumentError("manifestSplitSize must be a positive integer");
  }

  /**
   * Mode "w": every node under `path` goes (the group itself stays, its attributes replaced
   * by the write), so the commit holds exactly the new dataset there.
   */
  clear(path: string): void {
    const prefix = path === "/" ? "/" : `${path}/`;
    for (const [p, node] of this.nodes) {
      if (!p.startsWith(prefix) || p === path) continue;
      this.nodes.delete(p);
      (node.array === null ? this.log.deletedGroups : this.log.deletedArrays).push(node.id);
    }
    const self = this.nodes.get(path);
    if (self !== undefined && self.array !== null) {
      this.nodes.delete(path);
      this.log.deletedArrays.push(self.id);
    }
  }

  /** The groups above `path` (`/a` for `/a/b`), created empty where absent. */
  ensureParents(path: string): void {
    const parts = path.split("/").filter((p) => p !== "");
    for (let i = 0; i < parts.length; i++) {
      const p = `/${parts.slice(0, i).join("/")}`;
      const existing = this.nodes.get(p);
      if (existing !== undefined && existing.array !== null) {
        throw new InvalidArgumentError(`${p} is an array in the repository; cannot write the group ${path} below it`);
      }
      if (existing === undefined) {
        const id = randomId(8);
        this.nodes.set(p, { id, path: p, userData: groupZarrJson({}), array: null });
        this.log.newGroups.push(id);
      }
    }
  }

  async writeGroup(ds: VirtualDataset, path: string): Promise<void> {
    const existing = this.nodes.get(path);
    const userData = groupZarrJson(ds.attrs);
    if (existing === undefined) {
      const id = randomId(8);
      this.nodes.set(path, { id, path, userData, array: null });
      this.log.newGroups.push(id);
    } else if (existing.array !== null) {
      throw new InvalidArgumentError(`${path} is an array in the repository; cannot write a group there`);
    } else if (this.options.appendDim === undefined && Buffer.compare(existing.userData, userData) !== 0) {
      this.nodes.set(path, { ...existing, userData });
      this.log.updatedGroups.push(existing.id);
    }
    const prefix = path === "/" ? "/" : `${path}/`;
    const extra = nonIndexCoords(ds);
    for (const [name, v] of ds.variables) await this.writeVariable(`${prefix}${name}`, withCoordinatesAttr(name, v, ds, extra));
    for (const [name, g] of ds.groups) await this.writeGroup(g, `${prefix}${name}`);
  }

  private async writeVariable(path: string, v: VirtualVariable): Promise<void> {
    const existing = this.nodes.get(path);
    if (existing !== undefined && existing.array === null)
      throw new InvalidArgumentError(`${path} is a group in the repository; cannot write an array there`);
    const appendDim = this.options.appendDim;
    if (appendDim !== undefined && existing !== undefined) {
      // Variables without the append dimension stay as they are (like xarray's append).
      if (v.dims.includes(appendDim)) await this.appendArray(path, v, existing, appendDim);
      return;
    }
    const content = await this.content(path, v);
    const grid = gridShape(content.metadata.shape, content.metadata.chunkGrid);
    const id = existing?.id ?? randomId(8);
    const manifests = await this.writeManifests(
      id,
      content,
      grid,
      grid.map(() => 0),
    );
    const array: ArrayNodeData = {
      shape: content.metadata.shape.map((length, a) => ({ length, numChunks: grid[a] as number })),
      dimensionNames: [...v.dims],
      manifests,
    };
    this.nodes.set(path, { id, path, userData: arrayZarrJson(content.metadata, v.dims, v.attrs, path), array });
    (existing === undefined ? this.log.newArrays : this.log.updatedArrays).push(id);
    this.log.updatedChunks.push({
      nodeId: id,
      parts: [
        chunkPart(
          content,
          grid,
          grid.map(() => 0),
        ),
      ],
    });
  }

  private async appendArray(path: string, v: VirtualVariable, existing: NodeSnapshot, appendDim: string): Promise<void> {
    const old = parseArrayJson(parseNodeJson(existing.userData, path), path);
    const oldArray = existing.array as ArrayNodeData;
    const dims = old.dims ?? oldArray.dimensionNames;
    if (dims === null || dims.length !== v.dims.length || dims.some((d, i) => d !== v.dims[i])) {
      throw new IncompatibleArraysError(
        `cannot append ${path}: it has dimensions ${JSON.stringify(dims)} in the repository, ${JSON.stringify(v.dims)} here`,
      );
    }
    const axis = v.dims.indexOf(appendDim);
    if (v.data instanceof LoadedArray && (await this.rewriteLoaded(path, v.data, existing, old.metadata, old.attrs, v.dims))) return;
    const content = await this.content(path, v);
    const m = content.metadata;
    const o = old.metadata;
    const why = (what: string): never => {
      throw new IncompatibleArraysError(`cannot append to ${path} along ${appendDim}: ${what}`, { variable: path });
    };
    if (parseDType(m.dtype).text !== parseDType(o.dtype).text) why(`dtype ${m.dtype} differs from the stored ${o.dtype}`);
    if (!codecsEqual(m.codecs, o.codecs)) why(`codecs ${JSON.stringify(m.codecs)} differ from the stored ${JSON.stringify(o.codecs)}`);
    if (JSON.stringify(v3FillValue(m.fillValue, m.dtype)) !== JSON.stringify(v3FillValue(o.fillValue, o.dtype))) {
      why(`fill value ${JSON.stringify(m.fillValue)} differs from the stored ${JSON.stringify(o.fillValue)}`);
    }
    for (let a = 0; a < m.shape.length; a++) {
      if (a === axis) continue;
      if (m.shape[a] !== o.shape[a]) why(`axis ${v.dims[a]} has length ${m.shape[a]}, the stored array ${o.shape[a]}`);
      const x = axisChunkLengths(m.shape[a] as number, m.chunkGrid, a);
      const y = axisChunkLengths(o.shape[a] as number, o.chunkGrid, a);
      if (x.length !== y.length || x.some((l, i) => l !== y[i]))
        why(`axis ${v.dims[a]} is chunked differently (${x.slice(0, 4)}… vs ${y.slice(0, 4)}…)`);
    }
    const oldEdges = storedEdges(o, axis);
    const oldLength = o.shape[axis] as number;
    if (oldEdges.reduce((s, e) => s + e, 0) !== oldLength) {
      why(`its length ${oldLength} along ${appendDim} does not end on a chunk boundary (the last chunk is stored padded)`);
    }
    const newEdges = storedEdges(m, axis);
    const grid = gridShape(m.shape, m.chunkGrid);
    const origin = grid.map((_, a) => (a === axis ? oldEdges.length : 0));
    const shape = [...o.shape];
    shape[axis] = oldLength + (m.shape[axis] as number);
    const metadata: ArrayMetadata = { ...o, shape, chunkGrid: appendedGrid(o, axis, oldEdges, newEdges) };
    const manifests = await this.writeManifests(existing.id, content, grid, origin);
    const total = gridShape(shape, metadata.chunkGrid);
    const array: ArrayNodeData = {
      shape: shape.map((length, a) => ({ length, numChunks: total[a] as number })),
      dimensionNames: oldArray.dimensionNames,
      manifests: [...oldArray.manifests, ...manifests],
    };
    this.nodes.set(path, { ...existing, userData: arrayZarrJson(metadata, v.dims, old.attrs, path), array });
    this.log.updatedArrays.push(existing.id);
    this.log.updatedChunks.push({ nodeId: existing.id, parts: [chunkPart(content, grid, origin)] });
  }

  /**
   * Appends in-memory values to a 1-D array stored as plain bytes in the repository by
   * rewriting it whole in its own chunk size, as xarray would: a coordinate appended a few
   * values at a time keeps a regular grid (a rectilinear one would not open in zarr-python
   * 3.1). Returns false when that does not apply (the caller then appends chunks).
   */
  private async rewriteLoaded(
    path: string,
    data: LoadedArray,
    existing: NodeSnapshot,
    o: ArrayMetadata,
    attrs: Record<string, unknown>,
    dims: readonly string[],
  ): Promise<boolean> {
    const plain = (m: ArrayMetadata) => m.codecs.length === 1 && m.codecs[0]?.name === "bytes";
    const enc = encodeLoaded(data);
    if (o.shape.length !== 1 || o.chunkGrid.kind !== "regular" || !plain(o) || !plain(enc.metadata)) return false;
    if (parseDType(enc.metadata.dtype).text !== parseDType(o.dtype).text) return false;
    const item = parseDType(o.dtype).itemSize;
    const chunk = o.chunkGrid.chunkShape[0] as number;
    const oldLength = o.shape[0] as number;
    const combined = new Uint8Array((oldLength + data.size) * item);
    for (const mref of existing.array?.manifests ?? []) {
      const manifest = await this.repo.manifest(encodeBase32(mref.id));
      const refs: { at: number; bytes?: Uint8Array; native?: [Uint8Array, number, number] }[] = [];
      manifest.forEachRef(existing.id, (r) => {
        const at = (r.coords[0] as number) * chunk * item;
        if (r.kind === "inline") refs.push({ at, bytes: r.inline as Uint8Array });
        else if (r.kind === "native") refs.push({ at, native: [r.chunkId as Uint8Array, r.offset, r.length] });
        else refs.push({ at });
      });
      for (const r of refs) {
        const bytes =
          r.bytes ?? (r.native === undefined ? undefined : await this.repo.chunk(encodeBase32(r.native[0]), r.native[1], r.native[2]));
        if (bytes === undefined) return false; // virtual: leave it to the chunk-level append
        combined.set(bytes.subarray(0, Math.max(0, Math.min(bytes.length, oldLength * item - r.at))), r.at);
      }
    }
    combined.set(enc.bytes.subarray(0, data.size * item), oldLength * item);
    const length = oldLength + data.size;
    const shape = [length];
    const n = Math.ceil(length / chunk);
    const grid = [n];
    const inlined = new Map<number, Uint8Array>();
    const native = new Map<number, NativeChunk>();
    for (let i = 0; i < n; i++) {
      const bytes = new Uint8Array(chunk * item);
      bytes.set(combined.subarray(i * chunk * item, Math.min(combined.length, (i + 1) * chunk * item)));
      if (bytes.length <= this.inlineThreshold) inlined.set(i, bytes);
      else {
        const chunkId = randomId(12);
        await this.repo.storage.put(`chunks/${encodeBase32(chunkId)}`, bytes);
        native.set(i, { chunkId, offset: 0, length: bytes.length });
      }
    }
    const metadata: ArrayMetadata = { ...o, shape };
    const content: ArrayContent = {
      metadata,
      ids: new Uint32Array(n).fill(INLINED_ID),
      offsets: new BigUint64Array(n),
      lengths: new BigUint64Array(n),
      locations: [],
      checksums: [],
      inlined,
      native,
    };
    const manifests = await this.writeManifests(existing.id, content, grid, [0]);
    const array: ArrayNodeData = {
      shape: [{ length, numChunks: n }],
      dimensionNames: existing.array?.dimensionNames ?? [...dims],
      manifests,
    };
    this.nodes.set(path, { ...existing, userData: arrayZarrJson(metadata, dims, attrs, path), array });
    this.log.updatedArrays.push(existing.id);
    this.log.updatedChunks.push({ nodeId: existing.id, parts: [chunkPart(content, grid, [0])] });
    return true;
  }

  /** The columns of a variable: a manifest's, or one chunk for loaded values. */
  private async content(path: string, v: VirtualVariable): Promise<ArrayContent> {
    if (v.data instanceof LoadedArray) {
      const enc = encodeLoaded(v.data);
      const one = { ids: Uint32Array.of(INLINED_ID), offsets: new BigUint64Array(1), lengths: BigUint64Array.of(BigInt(enc.bytes.length)) };
      if (enc.bytes.length <= this.inlineThreshold) {
        return { metadata: enc.metadata, ...one, locations: [], checksums: [], inlined: new Map([[0, enc.bytes]]) };
      }
      const chunkId = randomId(12);
      await this.repo.storage.put(`chunks/${encodeBase32(chunkId)}`, enc.bytes);
      return {
        metadata: enc.metadata,
        ...one,
        locations: [],
        checksums: [],
        native: new Map([[0, { chunkId, offset: 0, length: enc.bytes.length }]]),
      };
    }
    const manifest = v.data.manifest;
    const { table, ids, offsets, lengths } = manifest.columns();
    const identities = this.options.identities;
    const locations = table.map(locationUrl);
    const checksums = table.map((p, i) => checksumOf(identities?.get(p) ?? identities?.get(locations[i] as string)));
    const inlined = ids.includes(INLINED_ID) ? manifest.inlined() : undefined;
    void path;
    return { metadata: v.data.metadata, ids, offsets, lengths, locations, checksums, ...(inlined === undefined ? {} : { inlined }) };
  }

  private async writeManifests(nodeId: Uint8Array, c: ArrayContent, grid: number[], origin: number[]): Promise<ManifestRef[]> {
    const refs: ManifestRef[] = [];
    for (const part of splitGrid(grid, origin, this.splitSize)) {
      const id = randomId(12);
      const encoded = encodeManifest(id, [
        {
          nodeId,
          gridShape: grid,
          origin,
          start: part.start,
          end: part.end,
          ids: c.ids,
          offsets: c.offsets,
          lengths: c.lengths,
          locations: c.locations,
          checksums: c.checksums,
          ...(c.inlined === undefined ? {} : { inlined: c.inlined }),
          ...(c.native === undefined ? {} : { native: c.native }),
        },
      ]);
      if (encoded === null) continue; // no chunk in this part: Icechunk never writes empty manifests
      const name = encodeBase32(id);
      await this.repo.storage.put(`manifests/${name}`, encoded.bytes);
      this.fileInfo.set(name, { id, sizeBytes: encoded.bytes.length, numChunkRefs: encoded.numRefs });
      refs.push({ id, extents: part.extents });
    }
    return refs;
  }

  snapshot(): Snapshot {
    const nodes = [...this.nodes.values()];
    const used = new Map<string, ManifestFileInfo>();
    for (const n of nodes) {
      for (const ref of n.array?.manifests ?? []) {
        const name = encodeBase32(ref.id);
        used.set(name, this.fileInfo.get(name) ?? { id: ref.id, sizeBytes: 0, numChunkRefs: 0 });
      }
    }
    const flushedAt = Math.max(Date.now() * 1000, this.parent.flushedAt + 1);
    return {
      id: randomId(12),
      parentId: null,
      nodes,
      flushedAt,
      message: this.options.message ?? "vzarr commit",
      metadata: this.options.metadata ?? {},
      manifestFiles: [...used.values()],
      specVersion: 2,
    };
  }

  txLog(id: ObjectId12): TransactionLog {
    return { id, ...this.log };
  }
}

/** Coordinates that are not dimension coordinates (xarray keeps them via `coordinates`). */
function nonIndexCoords(ds: VirtualDataset): string[] {
  return [...ds.coordNames].filter((c) => {
    const v = ds.variables.get(c);
    return v !== undefined && !(v.dims.length === 1 && v.dims[0] === c);
  });
}

/**
 * A data variable with the CF `coordinates` attribute naming the non-index coordinates
 * whose dimensions it has, as xarray writes it (kept if the variable already has one).
 */
function withCoordinatesAttr(name: string, v: VirtualVariable, ds: VirtualDataset, coords: readonly string[]): VirtualVariable {
  if (coords.length === 0 || ds.coordNames.has(name) || v.attrs.coordinates !== undefined) return v;
  const mine = coords.filter((c) => (ds.variables.get(c)?.dims ?? []).every((d) => v.dims.includes(d)));
  return mine.length === 0 ? v : v.withAttrs({ ...v.attrs, coordinates: mine.join(" ") });
}

function chunkPart(c: ArrayContent, grid: number[], origin: number[]): UpdatedChunkPart {
  return { gridShape: grid, origin, start: 0, end: grid.reduce((a, b) => a * b, 1), ids: c.ids };
}

function checksumOf(identity: SourceIdentity | undefined): Checksum | undefined {
  if (identity === undefined) return undefined;
  // Readers send it as If-Unmodified-Since (whole seconds): round up, or a file modified at
  // 12.7 s would count as changed after a stored 12 s.
  if (identity.lastModified !== undefined) return { lastModified: Math.ceil(identity.lastModified / 1000) };
  if (identity.etag !== undefined) return { etag: identity.etag };
  return undefined;
}

/** Chunk edges along `axis` as stored: every chunk full size (padded edge chunks included). */
function storedEdges(m: ArrayMetadata, axis: number): number[] {
  const spec = m.chunkGrid.kind === "regular" ? m.chunkGrid.chunkShape[axis] : m.chunkGrid.chunkShapes[axis];
  if (typeof spec !== "number") return [...(spec as number[])];
  const n = gridShape(m.shape, m.chunkGrid)[axis] as number;
  return new Array<number>(n).fill(spec);
}

/** The grid after appending chunks with `newEdges` along `axis`: regular when it stays so. */
function appendedGrid(o: ArrayMetadata, axis: number, oldEdges: number[], newEdges: number[]): ChunkGrid {
  const all = [...oldEdges, ...newEdges];
  const first = all[0];
  const regular = first !== undefined && all.slice(0, -1).every((e) => e === first) && (all[all.length - 1] as number) === first;
  const base = o.chunkGrid.kind === "regular" ? [...o.chunkGrid.chunkShape] : [...o.chunkGrid.chunkShapes];
  if (regular) {
    base[axis] = first;
    return base.every((s) => typeof s === "number")
      ? { kind: "regular", chunkShape: base as number[] }
      : { kind: "rectilinear", chunkShapes: base };
  }
  base[axis] = all;
  return { kind: "rectilinear", chunkShapes: base };
}
