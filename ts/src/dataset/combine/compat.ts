/**
 * Can these variables (one per dataset) be joined into one? Checked before any manifest is
 * touched, with messages that name the variable, the files and the differing values. The
 * common case (everything agrees) costs a few plain comparisons per variable and dataset;
 * the detailed comparison only runs for a dataset that differs.
 */
import { IncompatibleArraysError } from "../../errors/vzarr-error.js";
import type { ManifestArray } from "../../manifest/manifest-array.js";
import { type ChunkGrid, codecsEqual, fillValuesEqual } from "../../metadata/array-metadata.js";
import { attrKey, PACKING_ATTRS } from "../cf/encoding.js";
import { LoadedArray } from "../loaded-array.js";
import { loadedEqual } from "../loaded-ops.js";
import type { VirtualVariable } from "../virtual-variable.js";

export interface Item {
  v: VirtualVariable;
  origin: string;
}

export interface JoinCheck {
  /** The axis being joined along (its length and chunking may differ); undefined = none. */
  axis?: number;
  /** Time units may differ (a loaded coordinate that will be re-encoded). */
  timeUnitsMayDiffer?: boolean;
}

function gridAxis(grid: ChunkGrid, a: number): unknown {
  return grid.kind === "regular" ? grid.chunkShape[a] : grid.chunkShapes[a];
}

/** A quick yes when two values are plainly the same (primitives, or the same JSON). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b);
  }
  return attrKey(a) === attrKey(b);
}

/**
 * True when `b` may join `a` as `check` says. Plain comparisons, no strings built, because it
 * runs once per variable and file; `diagnose` explains a `false`.
 */
function agrees(a: VirtualVariable, b: VirtualVariable, check: JoinCheck, codecsText: string | undefined): boolean {
  const aLoaded = a.data instanceof LoadedArray;
  if (aLoaded !== b.data instanceof LoadedArray || a.dtype !== b.dtype) return false;
  const da = a.dims;
  const db = b.dims;
  if (da.length !== db.length) return false;
  const sa = a.metadata.shape;
  const sb = b.metadata.shape;
  for (let i = 0; i < da.length; i++) if (da[i] !== db[i] || (i !== check.axis && sa[i] !== sb[i])) return false;
  if (!aLoaded) {
    const ma = a.metadata;
    const mb = b.metadata;
    if (ma.codecs !== mb.codecs && JSON.stringify(mb.codecs) !== codecsText) return false;
    if (!same(ma.fillValue, mb.fillValue)) return false;
    for (let i = 0; i < sa.length; i++) if (i !== check.axis && !same(gridAxis(ma.chunkGrid, i), gridAxis(mb.chunkGrid, i))) return false;
  }
  for (const key of PACKING_ATTRS) if (!same(a.attrs[key], b.attrs[key])) return false;
  if (!aLoaded || check.timeUnitsMayDiffer !== true) {
    if (!same(a.attrs.units, b.attrs.units) || !same(a.attrs.calendar, b.attrs.calendar)) return false;
  }
  return true;
}

function refuse(name: string, what: string, a: unknown, b: unknown, first: Item, other: Item, hint = ""): never {
  const show = (x: unknown) => (typeof x === "string" ? x : attrKey(x));
  throw new IncompatibleArraysError(
    `cannot combine variable ${name}: ${what} is ${show(a)} in ${first.origin} but ${show(b)} in ${other.origin}${hint === "" ? "" : ` (${hint})`}`,
    { variable: name },
  );
}

const PACKING_HINT =
  "decoded values would be wrong for one of the files; keep them apart (separate groups or variables), or drop the variable";

function diagnose(name: string, first: Item, other: Item, check: JoinCheck): void {
  const a = first.v;
  const b = other.v;
  const aLoaded = a.data instanceof LoadedArray;
  const bLoaded = b.data instanceof LoadedArray;
  if (aLoaded !== bLoaded) {
    refuse(
      name,
      "its storage",
      aLoaded ? "loaded" : "virtual",
      bLoaded ? "loaded" : "virtual",
      first,
      other,
      "load it in every file or in none",
    );
  }
  if (a.dims.join() !== b.dims.join()) refuse(name, "dims", `(${a.dims.join(", ")})`, `(${b.dims.join(", ")})`, first, other);
  a.shape.forEach((d, ax) => {
    if (ax !== check.axis && d !== b.shape[ax]) refuse(name, `the length of dimension ${a.dims[ax]}`, d, b.shape[ax], first, other);
  });
  if (a.dtype !== b.dtype) refuse(name, "the dtype", a.dtype, b.dtype, first, other);
  if (!aLoaded) {
    const ma = (a.data as ManifestArray).metadata;
    const mb = (b.data as ManifestArray).metadata;
    if (!codecsEqual(ma.codecs, mb.codecs))
      refuse(name, "the codec pipeline", JSON.stringify(ma.codecs), JSON.stringify(mb.codecs), first, other);
    if (!fillValuesEqual(ma.fillValue, mb.fillValue)) refuse(name, "the Zarr fill value", ma.fillValue, mb.fillValue, first, other);
    a.shape.forEach((_, ax) => {
      const ca = gridAxis(ma.chunkGrid, ax);
      const cb = gridAxis(mb.chunkGrid, ax);
      if (ax !== check.axis && JSON.stringify(ca) !== JSON.stringify(cb)) {
        refuse(name, `the chunk length along ${a.dims[ax]}`, ca, cb, first, other);
      }
    });
  }
  for (const key of PACKING_ATTRS) {
    if (attrKey(a.attrs[key]) !== attrKey(b.attrs[key])) refuse(name, key, a.attrs[key], b.attrs[key], first, other, PACKING_HINT);
  }
  if (!aLoaded || check.timeUnitsMayDiffer !== true) {
    for (const key of ["units", "calendar"]) {
      if (attrKey(a.attrs[key]) !== attrKey(b.attrs[key])) {
        refuse(
          name,
          key,
          a.attrs[key],
          b.attrs[key],
          first,
          other,
          aLoaded ? "" : "stored values cannot be rewritten; load the variable (loadableVariables) to have it re-encoded",
        );
      }
    }
  }
}

/** Throws IncompatibleArraysError when the variables cannot be joined as `check` says. */
export function checkJoinable(name: string, items: readonly Item[], check: JoinCheck = {}): void {
  const first = items[0];
  if (first === undefined) return;
  const codecsText = first.v.data instanceof LoadedArray ? undefined : JSON.stringify(first.v.metadata.codecs);
  for (let i = 1; i < items.length; i++) {
    const item = items[i] as Item;
    if (!agrees(first.v, item.v, check, codecsText)) diagnose(name, first, item, check);
  }
}

/** Equal in layout and content (attrs aside), as xarray's `Variable.equals`. */
export function variablesEqual(a: VirtualVariable, b: VirtualVariable): boolean {
  if (a === b) return true;
  if (a.dims.join() !== b.dims.join()) return false;
  if (a.data instanceof LoadedArray || b.data instanceof LoadedArray) {
    return a.data instanceof LoadedArray && b.data instanceof LoadedArray && loadedEqual(a.data, b.data);
  }
  const ma = a.data as ManifestArray;
  const mb = b.data as ManifestArray;
  return (
    ma.dtype === mb.dtype &&
    JSON.stringify(ma.shape) === JSON.stringify(mb.shape) &&
    JSON.stringify(ma.metadata.chunkGrid) === JSON.stringify(mb.metadata.chunkGrid) &&
    codecsEqual(ma.metadata.codecs, mb.metadata.codecs) &&
    fillValuesEqual(ma.metadata.fillValue, mb.metadata.fillValue) &&
    ma.manifest.core === mb.manifest.core &&
    ma.manifest.equals(mb.manifest)
  );
}
