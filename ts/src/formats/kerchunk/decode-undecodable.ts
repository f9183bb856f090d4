/**
 * Zarr v2 readers (fsspec, zarr-python) cannot decode some HDF5 filters — szip, HDF5's LZ4
 * framing, bitshuffle, LZF — because numcodecs has no codec for them. Rather than leave
 * such a variable out of kerchunk references, a small one is decoded now (the core has the
 * decoders) and written inline as plain values: the references then hold correct data any
 * reader understands. Larger ones are left to the writer's skip/raise policy.
 */
import type { Core } from "../../backend/core.js";
import { currentBackend } from "../../backend/load.js";
import { LoadedArray } from "../../dataset/loaded-array.js";
import type { VirtualDataset } from "../../dataset/virtual-dataset.js";
import type { VirtualVariable } from "../../dataset/virtual-variable.js";
import { VzarrError } from "../../errors/vzarr-error.js";
import { openSource } from "../../io/open-source.js";
import { ManifestArray } from "../../manifest/manifest-array.js";
import { toNumcodecs } from "../../metadata/zarr-v2.js";
import { readVariable } from "../../store/read-variable.js";
import { SourcePool } from "../../store/source-pool.js";

/** Decode-and-inline only variables up to this size (decoded bytes). */
export const DEFAULT_INLINE_DECODED_LIMIT = 32 * 1024 * 1024;

export interface DecodeUndecodableOptions {
  /** Largest variable (decoded bytes) to decode and inline; 0 turns this off. */
  inlineDecodedLimit?: number;
  warn?: (message: string) => void;
  core?: Core;
  /** Which arrays the target's readers cannot decode (default: no numcodecs equivalent). */
  undecodable?: (array: ManifestArray, path: string) => boolean;
  /** Told why a variable that should have been decoded was not (its chunks failed to decode). */
  failed?: (path: string, error: VzarrError) => void;
}

/** True when a v2 reader could not decode this array's codecs. */
function undecodableInV2(array: ManifestArray, path: string): boolean {
  const [, ...rest] = array.metadata.codecs;
  if (array.metadata.codecs[0]?.name !== "bytes") return false;
  return rest.some((c) => {
    try {
      toNumcodecs(c, path);
      return false;
    } catch {
      return true;
    }
  });
}

function decodedBytes(v: VirtualVariable): number {
  return v.shape.reduce((a, b) => a * b, 1) * Number(/\d+$/.exec(v.dtype)?.[0] ?? "8");
}

export async function decodeUndecodable(ds: VirtualDataset, options: DecodeUndecodableOptions = {}): Promise<VirtualDataset> {
  const limit = options.inlineDecodedLimit ?? DEFAULT_INLINE_DECODED_LIMIT;
  if (limit <= 0) return ds;
  const core = options.core ?? currentBackend();
  const pool = new SourcePool({ open: openSource, expected: (url) => ds.sources.get(url) });
  try {
    return await rewrite(ds, "", {
      core,
      pool,
      limit,
      warn: options.warn,
      undecodable: options.undecodable ?? undecodableInV2,
      failed: options.failed,
    });
  } finally {
    await pool.close();
  }
}

async function rewrite(
  ds: VirtualDataset,
  prefix: string,
  ctx: {
    core: Core;
    pool: SourcePool;
    limit: number;
    warn?: (m: string) => void;
    undecodable: (array: ManifestArray, path: string) => boolean;
    failed?: (path: string, error: VzarrError) => void;
  },
): Promise<VirtualDataset> {
  let changed = false;
  const variables: [string, VirtualVariable][] = [];
  for (const [name, v] of ds.variables) {
    const path = prefix + name;
    if (!(v.data instanceof ManifestArray) || !ctx.undecodable(v.data, path) || decodedBytes(v) > ctx.limit) {
      variables.push([name, v]);
      continue;
    }
    try {
      const r = await readVariable(v, undefined, { core: ctx.core, pool: ctx.pool, variable: path });
      variables.push([name, v.withData(new LoadedArray({ ...v.metadata, dtype: r.dtype }, r.data))]);
      ctx.warn?.(`${path}: its codecs have no equivalent its readers know; wrote its ${decodedBytes(v)} decoded bytes inline`);
      changed = true;
    } catch (e) {
      if (!(e instanceof VzarrError)) throw e;
      ctx.failed?.(path, e);
      variables.push([name, v]);
    }
  }
  const groups: [string, VirtualDataset][] = [];
  for (const [name, g] of ds.groups) {
    const out = await rewrite(g, `${prefix}${name}/`, ctx);
    changed ||= out !== g;
    groups.push([name, out]);
  }
  return changed ? ds.with({ variables, groups }) : ds;
}
