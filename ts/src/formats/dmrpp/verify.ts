/**
 * `verify`: a DMR++ checked against the data file it describes. The file is scanned (the
 * HDF5 scanner) and every variable of the sidecar compared with the file's: present, dtype,
 * shape, chunk shape, filters, and each chunk's offset and length. The first difference is a
 * SourceChanged error naming the variable and what differs — a sidecar left behind when its
 * file was rewritten would otherwise read wrong bytes silently.
 */
import type { VirtualDataset } from "../../dataset/virtual-dataset.js";
import { makeError } from "../../errors/vzarr-error.js";
import { ManifestArray } from "../../manifest/manifest-array.js";
import type { ArrayMetadata } from "../../metadata/array-metadata.js";
import type { ParserOptions } from "../../parsers/parser.js";

/** A difference between the sidecar's variable and the file's, in words; undefined if none. */
export function describeDifference(sidecar: ManifestArray, file: ManifestArray): string | undefined {
  const a = sidecar.metadata;
  const b = file.metadata;
  if (a.dtype !== b.dtype) return `dtype ${a.dtype} in the DMR++, ${b.dtype} in the file`;
  if (a.shape.join() !== b.shape.join()) return `shape [${a.shape}] in the DMR++, [${b.shape}] in the file`;
  const ca = chunkShape(a);
  const cb = chunkShape(b);
  if (ca !== cb) return `chunk shape [${ca}] in the DMR++, [${cb}] in the file`;
  const fa = filterNames(a);
  const fb = filterNames(b);
  if (fa !== fb) return `filters [${fa}] in the DMR++, [${fb}] in the file`;
  const x = sidecar.manifest.columns();
  const y = file.manifest.columns();
  const inlinedA = sidecar.manifest.inlined();
  const inlinedB = file.manifest.inlined();
  for (let i = 0; i < x.ids.length; i++) {
    const presentA = x.ids[i] !== MISSING || inlinedA.has(i);
    const presentB = y.ids[i] !== MISSING || inlinedB.has(i);
    if (presentA !== presentB)
      return `chunk ${i} is ${presentA ? "listed" : "missing"} in the DMR++ but ${presentB ? "stored" : "missing"} in the file`;
    if (inlinedA.has(i) || inlinedB.has(i)) {
      if (!sameBytes(inlinedA.get(i), inlinedB.get(i))) return `chunk ${i}'s inline bytes differ`;
      continue;
    }
    if (x.offsets[i] !== y.offsets[i] || x.lengths[i] !== y.lengths[i]) {
      return `chunk ${i} is at offset ${x.offsets[i]} (${x.lengths[i]} bytes) in the DMR++, offset ${y.offsets[i]} (${y.lengths[i]} bytes) in the file`;
    }
  }
  return undefined;
}

const MISSING = 0xffffffff;

function chunkShape(m: ArrayMetadata): string {
  return m.chunkGrid.kind === "regular" ? m.chunkGrid.chunkShape.join() : JSON.stringify(m.chunkGrid.chunkShapes);
}

/** The filters (bytes→bytes codecs) by name: levels are not needed to decode. */
function filterNames(m: ArrayMetadata): string {
  return m.codecs
    .map((c) => (c as { name: string }).name)
    .filter((n) => n !== "bytes")
    .join();
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  return a.every((v, i) => v === b[i]);
}

/** Throws SourceChanged at the first variable of `ds` that the data file disagrees with. */
export async function verifyAgainstDataFile(ds: VirtualDataset, dataFile: string, options: ParserOptions): Promise<VirtualDataset> {
  const { openVirtualDatasetHere } = await import("../../dataset/open-virtual-dataset.js");
  let scanned: VirtualDataset;
  try {
    scanned = await openVirtualDatasetHere(dataFile, {
      parser: "hdf5",
      core: options.core,
      group: options.group,
      dropVariables: options.dropVariables,
      loadableVariables: [],
    });
  } catch (e) {
    ds.free();
    throw e;
  }
  try {
    const fileVars = new Map([...scanned.walkVariables()].map(([p, v]) => [p, v]));
    for (const [path, v] of ds.walkVariables()) {
      if (!(v.data instanceof ManifestArray)) continue;
      const other = fileVars.get(path);
      const why =
        other === undefined
          ? "the variable is not in the file"
          : other.data instanceof ManifestArray
            ? describeDifference(v.data, other.data)
            : "the file holds its values, not chunks";
      if (why !== undefined) {
        throw makeError("SourceChanged", `the DMR++ disagrees with ${dataFile} for ${path}: ${why}`, { file: dataFile, variable: path });
      }
    }
    return ds;
  } catch (e) {
    ds.free();
    throw e;
  } finally {
    scanned.free();
  }
}
