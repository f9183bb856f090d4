/**
 * `openIcechunk`: one version of a repository as a VirtualDataset. Virtual refs become
 * manifest entries at their resolved URLs (`vcc://` through the containers); inline and
 * native chunks become inlined bytes, so the rest of vzarr reads every chunk alike.
 */

import type { Core } from "../../backend/core.js";
import { MISSING_ID } from "../../backend/core.js";
import { currentBackend } from "../../backend/load.js";
import { VirtualDataset } from "../../dataset/virtual-dataset.js";
import { VirtualVariable } from "../../dataset/virtual-variable.js";
import { CorruptFileError, LimitExceededError, NotAllowedError, NotFoundError } from "../../errors/vzarr-error.js";
import { canonicalLocation, underPrefix } from "../../io/authorize.js";
import { ChunkManifest } from "../../manifest/chunk-manifest.js";
import { ManifestArray } from "../../manifest/manifest-array.js";
import { gridShape } from "../../metadata/array-metadata.js";
import { inExtents } from "./array-parts.js";
import { resolveLocation, type VirtualChunkContainer } from "./containers.js";
import { encodeBase32 } from "./ids.js";
import type { ReadChunkRef } from "./manifest.js";
import { IcechunkRepository, type VersionSpec } from "./repository.js";
import type { NodeSnapshot } from "./snapshot.js";
import type { Storage } from "./storage.js";
import { parseArrayJson, parseNodeJson } from "./zarr-json.js";

export interface OpenIcechunkOptions extends VersionSpec {
  /** Open only this group (`"a/b"`) and its subgroups. */
  group?: string;
  /** Variables to leave out (names or full paths). */
  dropVariables?: readonly string[];
  storage?: Storage;
  core?: Core;
}

/** Columns of one array are held in memory: 2^31 chunks × 20 bytes is already 40 GiB. */
const MAX_CHUNKS = 2 ** 31;

/** How many native chunk objects to fetch at once. */
const FETCH_CONCURRENCY = 16;

export async function openIcechunk(repoPath: string, options: OpenIcechunkOptions = {}): Promise<VirtualDataset> {
  const repo = await IcechunkRepository.open(options.storage ?? repoPath);
  const snapshotId = await repo.resolve(options);
  const snapshot = await repo.snapshot(snapshotId);
  const core = options.core ?? currentBackend();
  const root = options.group === undefined || options.group === "" ? "/" : `/${options.group.replace(/^\/+|\/+$/g, "")}`;
  const byPath = new Map(snapshot.nodes.map((n) => [n.path, n]));
  if (root !== "/" && byPath.get(root)?.array !== null) throw new NotFoundError(`no group ${options.group} in ${repo.storage.description}`);
  const drop = new Set(options.dropVariables ?? []);
  const containers = repo.containers;

  const children = new Map<string, NodeSnapshot[]>();
  for (const n of snapshot.nodes) {
    if (n.path === "/") continue;
    const parent = n.path.slice(0, n.path.lastIndexOf("/")) || "/";
    const list = children.get(parent) ?? [];
    list.push(n);
    children.set(parent, list);
  }

  const build = async (path: string): Promise<VirtualDataset> => {
    const node = byPath.get(path);
    const attrs = node === undefined ? {} : groupAttrs(node);
    const variables: [string, VirtualVariable][] = [];
    const groups: [string, VirtualDataset][] = [];
    try {
      for (const child of children.get(path) ?? []) {
        const name = child.path.slice(child.path.lastIndexOf("/") + 1);
        if (child.array === null) groups.push([name, await build(child.path)]);
        else if (!drop.has(name) && !drop.has(child.path.slice(1))) variables.push([name, await readArray(repo, child, containers, core)]);
      }
      return new VirtualDataset({ variables, attrs, groups, format: path === root ? "icechunk" : undefined });
    } catch (e) {
      for (const [, v] of variables) v.free();
      for (const [, g] of groups) g.free();
      throw e;
    }
  };
  return build(root);
}

function groupAttrs(node: NodeSnapshot): Record<string, unknown> {
  const doc = parseNodeJson(node.userData, node.path);
  const attrs = doc.attributes;
  return typeof attrs === "object" && attrs !== null && !Array.isArray(attrs) ? (attrs as Record<string, unknown>) : {};
}

async function readArray(
  repo: IcechunkRepository,
  node: NodeSnapshot,
  containers: VirtualChunkContainer[],
  core: Core,
): Promise<VirtualVariable> {
  const parsed = parseArrayJson(parseNodeJson(node.userData, node.path), node.path);
  const { metadata } = parsed;
  const grid = gridShape(metadata.shape, metadata.chunkGrid);
  const n = grid.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(n) || n > MAX_CHUNKS) {
    throw new LimitExceededError(`${node.path} has a grid of ${JSON.stringify(grid)} chunks, more than ${MAX_CHUNKS} in one array`, {
      variable: node.path,
    });
  }
  const ids = new Uint32Array(n).fill(MISSING_ID);
  const offsets = new BigUint64Array(n);
  const lengths = new BigUint64Array(n);
  const table: string[] = [];
  const pathIds = new Map<string, number>();
  const inlined = new Map<number, Uint8Array>();
  const native: { flat: number; ref: ReadChunkRef }[] = [];
  const refs = node.array?.manifests ?? [];
  for (let k = 0; k < refs.length; k++) {
    const mref = refs[k] as (typeof refs)[number];
    const manifest = await repo.manifest(encodeBase32(mref.id));
    manifest.forEachRef(node.id, (ref) => {
      // A coordinate is looked up in the first manifest whose extents contain it.
      if (!inExtents(mref, ref.coords)) return;
      for (let j = 0; j < k; j++) if (inExtents(refs[j] as (typeof refs)[number], ref.coords)) return;
      const flat = ravel(grid, ref.coords, node.path);
      if (ref.kind === "virtual") {
        const url = resolveLocation(containers, ref.location as string);
        let id = pathIds.get(url);
        if (id === undefined) {
          id = table.length;
          table.push(url);
          pathIds.set(url, id);
        }
        ids[flat] = id;
        offsets[flat] = BigInt(ref.offset);
        lengths[flat] = BigInt(ref.length);
      } else if (ref.kind === "inline") {
        inlined.set(flat, ref.inline as Uint8Array);
      } else native.push({ flat, ref });
    });
  }
  for (let i = 0; i < native.length; i += FETCH_CONCURRENCY) {
    await Promise.all(
      native.slice(i, i + FETCH_CONCURRENCY).map(async ({ flat, ref }) => {
        inlined.set(flat, await repo.chunk(encodeBase32(ref.chunkId as Uint8Array), ref.offset, ref.length));
      }),
    );
  }
  checkContainers(table, containers, node.path);
  const manifest = ChunkManifest.fromArrays({ shape: grid, paths: { table, ids }, offsets, lengths }, core);
  try {
    for (const [flat, bytes] of inlined) manifest.setInlined(flat, bytes);
    // Unnamed dimensions get names private to the variable, so unrelated lengths never clash.
    const name = node.path.slice(node.path.lastIndexOf("/") + 1);
    const dims = (parsed.dims ?? node.array?.dimensionNames ?? metadata.shape.map(() => null)).map((d, i) => d ?? `${name}_dim_${i}`);
    return new VirtualVariable(dims, new ManifestArray(metadata, manifest), parsed.attrs);
  } catch (e) {
    manifest.free();
    throw e;
  }
}

/**
 * Every virtual chunk must lie in a virtual chunk container the repository declares (as
 * Python icechunk requires): a location outside all of them is refused, whatever the caller
 * authorized. Compared in canonical form, so `..` and encodings cannot leave a container.
 */
function checkContainers(locations: readonly string[], containers: readonly VirtualChunkContainer[], path: string): void {
  if (locations.length === 0) return;
  const prefixes = containers.map((c) => canonicalLocation(c.urlPrefix));
  for (const location of locations) {
    const canonical = canonicalLocation(location);
    if (!prefixes.some((p) => underPrefix(canonical, p))) {
      throw new NotAllowedError(
        `chunk location ${location} of ${path} lies in no virtual chunk container the repository declares (${containers.map((c) => c.urlPrefix).join(", ") || "none"})`,
        { file: location, variable: path },
      );
    }
  }
}

function ravel(grid: readonly number[], coords: readonly number[], path: string): number {
  if (coords.length !== grid.length)
    throw new CorruptFileError(`chunk ${JSON.stringify(coords)} of ${path} has the wrong number of coordinates`);
  let flat = 0;
  for (let a = 0; a < grid.length; a++) {
    const c = coords[a] as number;
    const g = grid[a] as number;
    if (c >= g) throw new CorruptFileError(`chunk ${JSON.stringify(coords)} of ${path} is outside its chunk grid ${JSON.stringify(grid)}`);
    flat = flat * g + c;
  }
  return flat;
}

/** Where one chunk of an array lives, as Icechunk resolves it (`null`: missing → fill value). */
export async function lookupChunk(
  repoPath: string | Storage,
  arrayPath: string,
  coords: readonly number[],
  version: VersionSpec = {},
): Promise<ReadChunkRef | null> {
  const repo = await IcechunkRepository.open(repoPath);
  const snapshot = await repo.snapshot(await repo.resolve(version));
  const path = `/${arrayPath.replace(/^\/+/, "")}`;
  const node = snapshot.nodes.find((x) => x.path === path);
  if (node?.array == null) throw new NotFoundError(`no array ${arrayPath}`);
  const mref = node.array.manifests.find((m) => inExtents(m, coords));
  if (mref === undefined) return null;
  const ref = (await repo.manifest(encodeBase32(mref.id))).lookup(node.id, coords);
  if (ref === undefined) return null;
  return ref.kind === "virtual" ? { ...ref, location: resolveLocation(repo.containers, ref.location as string) } : ref;
}
