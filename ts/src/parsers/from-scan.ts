/** Turns a scanner's result into a VirtualDataset tree. */

import { LoadedArray, type LoadedValues } from "../dataset/loaded-array.js";
import { VirtualDataset } from "../dataset/virtual-dataset.js";
import { VirtualVariable } from "../dataset/virtual-variable.js";
import { makeError } from "../errors/vzarr-error.js";
import type { SourceIdentity } from "../io/byte-source.js";
import { ManifestArray } from "../manifest/manifest-array.js";
import { type ArrayMetadata, regularGrid } from "../metadata/array-metadata.js";
import { parseDType, typedArrayFor } from "../metadata/dtype.js";
import type { ScanResult } from "./scan.js";
import type { ScannedGroupJson, ScannedVariableJson } from "./scanned-file.js";

export function datasetFromScan(scan: ScanResult, sources?: Iterable<[string, SourceIdentity]>): VirtualDataset {
  return groupFromJson(scan.json.root, scan, "", scan.json.format, sources);
}

function groupFromJson(
  g: ScannedGroupJson,
  scan: ScanResult,
  path: string,
  format?: string,
  sources?: Iterable<[string, SourceIdentity]>,
): VirtualDataset {
  const variables: [string, VirtualVariable][] = [];
  for (const [name, v] of Object.entries(g.variables)) {
    variables.push([name, new VirtualVariable(v.dims, variableData(v, scan, path + name), v.attrs)]);
  }
  const groups: [string, VirtualDataset][] = Object.entries(g.groups).map(([name, sub]) => [
    name,
    groupFromJson(sub, scan, `${path}${name}/`),
  ]);
  return new VirtualDataset({
    variables,
    attrs: g.attrs,
    groups,
    declaredDims: Object.entries(g.dims),
    format,
    sources,
    skipped: Object.entries(g.skipped ?? {}),
  });
}

function metadataOf(v: ScannedVariableJson): ArrayMetadata {
  return { shape: v.shape, chunkGrid: regularGrid(v.chunks), dtype: v.dtype, codecs: v.codecs, fillValue: v.fill_value };
}

function variableData(v: ScannedVariableJson, scan: ScanResult, path: string): ManifestArray | LoadedArray {
  const metadata = metadataOf(v);
  if (v.manifest !== undefined) {
    const manifest = scan.manifests[v.manifest];
    if (manifest === undefined) throw makeError("Internal", `scan result has no manifest ${v.manifest} for ${path}`);
    return new ManifestArray(metadata, manifest);
  }
  if (v.loaded !== undefined) {
    const { dtype, offset, length } = v.loaded;
    // A copy: aligned for its typed array, and not holding the whole scan's buffer alive.
    const bytes = scan.loaded.slice(offset, offset + length);
    if (bytes.length !== length) throw makeError("Internal", `scan result has no loaded bytes for ${path}`);
    const native = parseDType(dtype);
    return new LoadedArray({ ...metadata, dtype }, typedArrayFor(native, bytes.buffer, 0, length / native.itemSize));
  }
  if (v.values !== undefined) {
    // Loaded values are held in native (little-endian) order whatever the file stored.
    const dtype = parseDType(v.dtype);
    const native = dtype.byteOrder === ">" ? `<${dtype.kind}${dtype.itemSize}` : dtype.text;
    return new LoadedArray({ ...metadata, dtype: native }, valuesFromJson(v.values, v.dtype, path));
  }
  throw makeError("Internal", `scanned variable ${path} has neither a manifest nor values`);
}

/** JSON values (flat, C order) → the in-memory representation of `dtype`. */
export function valuesFromJson(values: readonly unknown[], dtypeText: string, path: string): LoadedValues {
  const dtype = parseDType(dtypeText);
  if (dtype.kind === "O" || dtype.kind === "U") return values.map((x) => (x === null ? "" : String(x)));
  if (dtype.kind === "S") {
    const out = new Uint8Array(values.length * dtype.itemSize);
    const enc = new TextEncoder();
    values.forEach((x, i) => {
      out.set(enc.encode(String(x ?? "")).subarray(0, dtype.itemSize), i * dtype.itemSize);
    });
    return out;
  }
  const native = parseDType(`<${dtype.kind}${dtype.itemSize}`);
  const arr = typedArrayFor(native, new ArrayBuffer(values.length * dtype.itemSize));
  values.forEach((x, i) => {
    if (arr instanceof BigInt64Array || arr instanceof BigUint64Array) arr[i] = BigInt(x as number | bigint);
    else if (typeof x === "number") arr[i] = x;
    else if (typeof x === "boolean") arr[i] = x ? 1 : 0;
    else if (x === null || x === "NaN") arr[i] = Number.NaN;
    else if (x === "Infinity") arr[i] = Number.POSITIVE_INFINITY;
    else if (x === "-Infinity") arr[i] = Number.NEGATIVE_INFINITY;
    else throw makeError("CorruptFile", `value ${JSON.stringify(x)} of ${path} is not a ${dtype.text}`);
  });
  return arr;
}
