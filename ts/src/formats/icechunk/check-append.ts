/**
 * An append is checked against what the branch holds by the rules `concat` applies to files
 * joined along a dimension, so that every append either commits a store xarray opens or
 * changes nothing: the same groups and variables; the same dimensions and CF packing
 * (`scale_factor`, `add_offset`, `_FillValue`, …); coordinates without the append dimension
 * equal to the stored ones; the appended coordinate in the stored time units and calendar
 * (converted when the file uses others) and with no value the repository already has. The
 * per-array checks (dtype, codecs, fill value, chunking) follow in the commit builder.
 */
import type { Core } from "../../backend/core.js";
import { attrKey, calendarOf, PACKING_ATTRS, timeUnitsOf } from "../../dataset/cf/encoding.js";
import { decodeTimes, encodeInstants, sameDates } from "../../dataset/cf/times.js";
import { LoadedArray } from "../../dataset/loaded-array.js";
import type { VirtualDataset } from "../../dataset/virtual-dataset.js";
import { VirtualVariable } from "../../dataset/virtual-variable.js";
import { IncompatibleArraysError } from "../../errors/vzarr-error.js";
import { openSource } from "../../io/open-source.js";
import type { NumericArray } from "../../metadata/dtype.js";
import { readVariable } from "../../store/read-variable.js";
import { SourcePool } from "../../store/source-pool.js";

interface Context {
  appendDim: string;
  core: Core;
  pool: SourcePool;
  repo: string;
}

/**
 * Checks `ds` as an append to `stored` (the branch tip) and returns the dataset to append:
 * `ds` itself, or a copy whose append coordinate is re-encoded in the stored units.
 */
export async function checkAppend(
  stored: VirtualDataset,
  ds: VirtualDataset,
  appendDim: string,
  core: Core,
  repo: string,
): Promise<VirtualDataset> {
  const pool = new SourcePool({ open: openSource });
  try {
    return await checkGroup(stored, ds, "", { appendDim, core, pool, repo });
  } finally {
    await pool.close();
  }
}

function refuse(ctx: Context, what: string, variable?: string): never {
  throw new IncompatibleArraysError(
    `cannot append to ${ctx.repo} along ${ctx.appendDim}: ${what}`,
    variable === undefined ? {} : { variable },
  );
}

async function checkGroup(stored: VirtualDataset, ds: VirtualDataset, prefix: string, ctx: Context): Promise<VirtualDataset> {
  const where = prefix === "" ? "" : ` in group ${prefix.slice(0, -1)}`;
  for (const name of stored.variables.keys()) {
    if (!ds.variables.has(name))
      refuse(ctx, `the repository has variable ${prefix}${name}${where}, the appended data does not`, prefix + name);
  }
  for (const name of ds.variables.keys()) {
    if (!stored.variables.has(name)) refuse(ctx, `the appended data has variable ${prefix}${name}, the repository does not`, prefix + name);
  }
  const replaced: [string, VirtualVariable][] = [];
  for (const [name, v] of ds.variables) {
    const path = prefix + name;
    const old = stored.variables.get(name) as VirtualVariable;
    if (old.dims.length !== v.dims.length || old.dims.some((d, i) => d !== v.dims[i])) {
      refuse(ctx, `${path} has dimensions ${JSON.stringify(v.dims)}, the stored one ${JSON.stringify(old.dims)}`, path);
    }
    for (const key of PACKING_ATTRS) {
      if (attrKey(old.attrs[key]) !== attrKey(v.attrs[key])) {
        refuse(ctx, `${path} has ${key} ${attrKey(v.attrs[key])}, the stored one ${attrKey(old.attrs[key])}`, path);
      }
    }
    const isCoordinate = v.dims.length === 1 && v.dims[0] === name;
    if (v.dims.includes(ctx.appendDim)) {
      if (isCoordinate) replaced.push([name, await appendedCoordinate(old, v, path, ctx)]);
      continue;
    }
    if (isCoordinate) await checkEqualValues(old, v, path, ctx);
  }
  for (const name of stored.groups.keys()) {
    if (!ds.groups.has(name)) refuse(ctx, `the repository has group ${prefix}${name}, the appended data does not`);
  }
  const groups: [string, VirtualDataset][] = [];
  for (const [name, g] of ds.groups) {
    const old = stored.groups.get(name);
    if (old === undefined) refuse(ctx, `the appended data has group ${prefix}${name}, the repository does not`);
    groups.push([name, await checkGroup(old, g, `${prefix}${name}/`, ctx)]);
  }
  if (replaced.length === 0 && groups.every(([name, g]) => g === ds.groups.get(name))) return ds;
  const names = new Map(replaced);
  return ds.with({ variables: [...ds.variables].map(([n, v]) => [n, names.get(n) ?? v]), groups });
}

async function values(v: VirtualVariable, path: string, ctx: Context): Promise<ArrayLike<number | bigint> | string[]> {
  const r = await readVariable(v, undefined, { core: ctx.core, pool: ctx.pool, variable: path });
  return r.data as ArrayLike<number | bigint> | string[];
}

/** A coordinate without the append dimension (`lat`): the appended one must equal the stored one. */
async function checkEqualValues(old: VirtualVariable, v: VirtualVariable, path: string, ctx: Context): Promise<void> {
  const [a, b] = [await values(old, path, ctx), await values(v, path, ctx)];
  const same = (x: unknown, y: unknown) =>
    x === y || (typeof x === "number" && typeof y === "number" && Number.isNaN(x) && Number.isNaN(y));
  if (a.length !== b.length) refuse(ctx, `coordinate ${path} has ${b.length} values, the stored one ${a.length}`, path);
  for (let i = 0; i < a.length; i++) {
    if (!same(a[i], b[i]))
      refuse(ctx, `coordinate ${path} differs from the stored one at index ${i} (${String(b[i])} vs ${String(a[i])})`, path);
  }
}

/**
 * The append coordinate as it will be stored: in the stored CF time units and calendar when
 * it is a time, and holding no value the stored one has.
 */
async function appendedCoordinate(old: VirtualVariable, v: VirtualVariable, path: string, ctx: Context): Promise<VirtualVariable> {
  const storedValues = await values(old, path, ctx);
  let appended = await values(v, path, ctx);
  let out = v;
  const target = timeUnitsOf(old);
  const units = timeUnitsOf(v);
  const sameUnits = old.attrs.units === v.attrs.units && calendarOf(old) === calendarOf(v);
  if (!sameUnits && (target !== undefined || units !== undefined)) {
    if (target === undefined || units === undefined || Array.isArray(appended)) {
      refuse(ctx, `${path} has units ${JSON.stringify(v.attrs.units)}, the stored one ${JSON.stringify(old.attrs.units)}`, path);
    }
    const instants = decodeTimes(appended, units);
    if (!sameDates(units.calendar, target.calendar, instants)) {
      refuse(ctx, `${path} is in calendar ${units.calendar}, the stored one in ${target.calendar}, and their dates differ`, path);
    }
    const integer = /^[<>|]?[iu]/.test(old.dtype);
    const encoded = encodeInstants(instants, target, integer, path);
    const dtype = old.dtype.replace(/^>/, "<");
    const typed = castTo(dtype, encoded);
    out = new VirtualVariable(v.dims, new LoadedArray({ ...v.metadata, dtype }, typed), {
      ...v.attrs,
      units: old.attrs.units,
      calendar: old.attrs.calendar,
    });
    appended = typed as ArrayLike<number | bigint>;
    if (out.attrs.calendar === undefined) {
      const { calendar: _, ...rest } = out.attrs;
      out = out.withAttrs(rest);
    }
  }
  if (!Array.isArray(storedValues) && !Array.isArray(appended)) {
    const have = new Set(Array.from(storedValues, (x) => String(x)));
    const dup = Array.from(appended as ArrayLike<number | bigint>).find((x) => have.has(String(x)));
    if (dup !== undefined)
      refuse(ctx, `${path} value ${String(dup)} is already in the repository (appending it twice would repeat it)`, path);
  }
  return out;
}

function castTo(dtype: string, values: Float64Array): NumericArray {
  const kind = dtype.replace(/^[<>|]/, "");
  switch (kind) {
    case "i8":
      return BigInt64Array.from(values, (x) => BigInt(Math.round(x)));
    case "u8":
      return BigUint64Array.from(values, (x) => BigInt(Math.round(x)));
    case "i4":
      return Int32Array.from(values);
    case "u4":
      return Uint32Array.from(values);
    case "i2":
      return Int16Array.from(values);
    case "f4":
      return Float32Array.from(values);
    default:
      return Float64Array.from(values);
  }
}
