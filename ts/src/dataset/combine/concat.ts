/**
 * `concat(datasets, dim)`: joins datasets along an existing or a new dimension.
 *
 * Per variable, all inputs are joined in **one** `ManifestArray.concat` call (a few memcpy's in
 * the core however many files there are); compatibility is checked first for all inputs at
 * once (`compat.ts`). Variables without the dimension must be equal in every dataset and are
 * kept once — or, with `dataVars: "all"`, data variables are broadcast along it (xarray's
 * default; it multiplies references, so it is opt-in for existing dimensions).
 *
 * Where chunk lengths along `dim` differ between inputs (monthly files of 28–31 days) the
 * result has a rectilinear chunk grid; writers that cannot express one say so.
 */
import { IncompatibleArraysError, InvalidArgumentError } from "../../errors/vzarr-error.js";
import type { SourceIdentity } from "../../io/byte-source.js";
import { ManifestArray } from "../../manifest/manifest-array.js";
import { regularGrid } from "../../metadata/array-metadata.js";
import { LoadedArray, type LoadedValues } from "../loaded-array.js";
import { broadcastLoaded, concatLoaded } from "../loaded-ops.js";
import { VirtualDataset } from "../virtual-dataset.js";
import { VirtualVariable } from "../virtual-variable.js";
import { checkJoinable, type Item, variablesEqual } from "./compat.js";
import { harmonizeTimes, isLoadedTime } from "./join-times.js";
import { origins } from "./origin.js";

export interface ConcatOptions {
  /**
   * `"minimal"`: only variables that have `dim` are joined, the others must be equal (default
   * for an existing dimension). `"all"`: data variables without `dim` are broadcast along it
   * (default for a new dimension). Coordinates without `dim` are always kept once when equal.
   */
  dataVars?: "minimal" | "all";
  /** Values of the coordinate of a new dimension (one per dataset), stored as a loaded variable. */
  coordValues?: LoadedValues | readonly number[];
  /** Attributes for that coordinate (e.g. `{ units: "days since 2000-01-01" }`). */
  coordAttrs?: Record<string, unknown>;
  /**
   * Variables without `dim`: `"equals"` (default) requires them equal in every dataset;
   * `"override"` takes the first dataset's without comparing (VirtualiZarr's usual
   * `compat="override"`, for virtual coordinates that point into each file separately).
   */
  compat?: "equals" | "override";
  /** Allow chunk lengths to differ along `dim` (rectilinear grid). Default true. */
  allowRectilinear?: boolean;
  /** Names of the datasets for messages (default: their source file). */
  origins?: readonly string[];
}

export function concat(datasets: readonly VirtualDataset[], dim: string, options: ConcatOptions = {}): VirtualDataset {
  if (datasets.length === 0) throw new InvalidArgumentError("concat needs at least one dataset");
  if (dim === "" || dim.includes("/")) throw new InvalidArgumentError(`concat: ${JSON.stringify(dim)} is not a dimension name`);
  const names = origins(datasets, options.origins);
  const newDim = !datasets.some((ds) => dim in ds.dims);
  const joined = concatGroup(datasets, dim, newDim, names, options, "");
  if (!newDim || options.coordValues === undefined) return joined;
  return addCoordinate(joined, dim, options.coordValues, options.coordAttrs ?? {}, datasets.length);
}

function concatGroup(
  datasets: readonly VirtualDataset[],
  dim: string,
  newDim: boolean,
  names: readonly string[],
  options: ConcatOptions,
  prefix: string,
): VirtualDataset {
  const first = datasets[0] as VirtualDataset;
  const hasDim = datasets.map((ds) => dim in ds.dims);
  if (!newDim && hasDim.some((h) => h !== hasDim[0])) {
    const i = hasDim.indexOf(!hasDim[0]);
    const [withDim, without] = hasDim[0] ? [0, i] : [i, 0];
    throw new IncompatibleArraysError(
      `cannot concat along ${dim}: ${names[withDim]} has that dimension${prefix === "" ? "" : ` in group ${prefix}`} but ${names[without]} does not`,
    );
  }
  checkSameNames(datasets, names, prefix);
  const dataVarsMode = options.dataVars ?? (newDim ? "all" : "minimal");
  const lengths = datasets.map((ds) => (newDim ? 1 : (ds.dims[dim] ?? 0)));
  const variables: [string, VirtualVariable][] = [];
  for (const name of first.variables.keys()) {
    const items: Item[] = datasets.map((ds, i) => ({ v: ds.variables.get(name) as VirtualVariable, origin: names[i] as string }));
    const path = prefix + name;
    const v0 = (items[0] as Item).v;
    const axis = v0.dims.indexOf(dim);
    if (axis >= 0) {
      variables.push([name, joinAlong(path, items, axis, options)]);
      continue;
    }
    const isCoord = first.coordNames.has(name);
    const broadcast = !isCoord && dataVarsMode === "all";
    if (!broadcast && (options.compat === "override" || items.every((it) => variablesEqual(v0, it.v)))) {
      variables.push([name, v0]);
      continue;
    }
    if (broadcast || (isCoord && newDim)) {
      checkJoinable(path, items);
      variables.push([name, broadcastAlong(items, dim, lengths, options)]);
      continue;
    }
    const k = items.findIndex((it) => !variablesEqual(v0, it.v));
    throw new IncompatibleArraysError(
      `cannot concat along ${dim}: variable ${path} has no dimension ${dim} and differs between ${names[0]} and ${names[k]}` +
        (v0.virtual
          ? '; virtual variables in different files never compare equal: load it (loadableVariables) or pass compat: "override" to keep the first'
          : "") +
        (isCoord ? "" : ` (dataVars: "all" would stack it along ${dim})`),
      { variable: path },
    );
  }
  const groups: [string, VirtualDataset][] = [...first.groups.keys()].map((g) => [
    g,
    concatGroup(
      datasets.map((ds) => ds.groups.get(g) as VirtualDataset),
      dim,
      newDim,
      names,
      options,
      `${prefix}${g}/`,
    ),
  ]);
  const total = lengths.reduce((a, b) => a + b, 0);
  const declaredDims = [...first.declaredDims].map(([d, len]) => [d, d === dim ? total : len] as [string, number]);
  return new VirtualDataset({
    variables,
    attrs: { ...first.attrs },
    groups,
    coordNames: unionCoordNames(datasets),
    declaredDims,
    format: first.format,
    sources: unionSources(datasets),
  });
}

/** Every dataset must have the same variables and groups (as xarray's concat). */
function checkSameNames(datasets: readonly VirtualDataset[], names: readonly string[], prefix: string): void {
  const first = datasets[0] as VirtualDataset;
  const want = [...first.variables.keys()].sort().join("\u0000");
  const wantGroups = [...first.groups.keys()].sort().join("\u0000");
  datasets.forEach((ds, i) => {
    if ([...ds.variables.keys()].sort().join("\u0000") !== want) {
      const a = new Set(first.variables.keys());
      const b = new Set(ds.variables.keys());
      const missing = [...a].filter((n) => !b.has(n)).map((n) => `${n} (not in ${names[i]})`);
      const extra = [...b].filter((n) => !a.has(n)).map((n) => `${n} (not in ${names[0]})`);
      throw new IncompatibleArraysError(
        `cannot concat: the datasets have different variables${prefix === "" ? "" : ` in group ${prefix}`}: ${[...missing, ...extra].join(", ")}; drop them (dropVariables) or use merge`,
      );
    }
    if ([...ds.groups.keys()].sort().join("\u0000") !== wantGroups) {
      throw new IncompatibleArraysError(
        `cannot concat: ${names[0]} and ${names[i]} have different groups${prefix === "" ? "" : ` in ${prefix}`}`,
      );
    }
  });
}

function joinAlong(path: string, items: readonly Item[], axis: number, options: ConcatOptions): VirtualVariable {
  const v0 = (items[0] as Item).v;
  const times = isLoadedTime(items[0]);
  checkJoinable(path, items, { axis, timeUnitsMayDiffer: times });
  if (v0.data instanceof LoadedArray) {
    const arrays = times ? harmonizeTimes(path, items) : items.map((it) => it.v.data as LoadedArray);
    return v0.withData(concatLoaded(arrays, axis));
  }
  const arrays = items.map((it) => it.v.data as ManifestArray);
  try {
    return v0.withData(ManifestArray.concat(arrays, axis, { allowRectilinear: options.allowRectilinear ?? true }));
  } catch (e) {
    if (e instanceof IncompatibleArraysError) throw new IncompatibleArraysError(`${e.message} (variable ${path})`, { variable: path });
    throw e;
  }
}

/** A variable without `dim` repeated along it (new leading axis), one block per dataset. */
function broadcastAlong(items: readonly Item[], dim: string, lengths: readonly number[], options: ConcatOptions): VirtualVariable {
  const v0 = (items[0] as Item).v;
  const dims = [dim, ...v0.dims];
  if (v0.data instanceof LoadedArray) {
    const parts = items.map((it, i) => broadcastLoaded(it.v.data as LoadedArray, [lengths[i] as number]));
    return new VirtualVariable(dims, concatLoaded(parts, 0), v0.attrs);
  }
  const parts = items.map((it, i) => (it.v.data as ManifestArray).broadcast([lengths[i] as number, ...it.v.shape]));
  try {
    return new VirtualVariable(dims, ManifestArray.concat(parts, 0, { allowRectilinear: options.allowRectilinear ?? true }), v0.attrs);
  } finally {
    for (const p of parts) p.free();
  }
}

function unionCoordNames(datasets: readonly VirtualDataset[]): Set<string> {
  const out = new Set<string>();
  for (const ds of datasets) for (const n of ds.coordNames) out.add(n);
  return out;
}

export function unionSources(datasets: readonly VirtualDataset[]): Map<string, SourceIdentity> {
  const out = new Map<string, SourceIdentity>();
  for (const ds of datasets) for (const [url, id] of ds.sources) if (!out.has(url)) out.set(url, id);
  return out;
}

const TYPED_DTYPES: [abstract new (...args: never[]) => unknown, string][] = [
  [Float64Array, "<f8"],
  [Float32Array, "<f4"],
  [Int32Array, "<i4"],
  [Int16Array, "<i2"],
  [BigInt64Array, "<i8"],
  [Uint32Array, "<u4"],
];

function addCoordinate(
  ds: VirtualDataset,
  dim: string,
  values: LoadedValues | readonly number[],
  attrs: Record<string, unknown>,
  n: number,
): VirtualDataset {
  if (values.length !== n) throw new InvalidArgumentError(`coordValues has ${values.length} values for ${n} datasets`);
  const data =
    Array.isArray(values) && values.every((x) => typeof x === "number") ? Float64Array.from(values as number[]) : (values as LoadedValues);
  const dtype = Array.isArray(data) ? "|O" : TYPED_DTYPES.find(([C]) => data instanceof C)?.[1];
  if (dtype === undefined) throw new InvalidArgumentError("coordValues must be numbers (number[] or a typed array) or strings");
  const coord = new LoadedArray({ shape: [n], chunkGrid: regularGrid([n]), dtype, codecs: [], fillValue: null }, data);
  return ds.with({
    variables: [[dim, new VirtualVariable([dim], coord, attrs)], ...ds.variables],
    coordNames: [dim, ...ds.coordNames],
  });
}
