/**
 * `decodeTimes`: loaded CF time variables are decoded and stored again in one encoding,
 * `seconds since 1970-01-01 00:00:00` in their own calendar (int64 when every value is a
 * whole second, float64 otherwise). Outputs then carry times that compare directly across
 * files and tools, whatever units each file used. Virtual time variables are left alone:
 * their bytes live in the files.
 */
import { LoadedArray } from "../loaded-array.js";
import type { VirtualDataset } from "../virtual-dataset.js";
import type { VirtualVariable } from "../virtual-variable.js";
import { timeUnitsOf } from "./encoding.js";
import { decodeTimes } from "./times.js";

export const NORMALIZED_TIME_UNITS = "seconds since 1970-01-01 00:00:00";

function normalizeVariable(v: VirtualVariable): VirtualVariable {
  if (!(v.data instanceof LoadedArray) || Array.isArray(v.data.values)) return v;
  const units = timeUnitsOf(v);
  if (units === undefined) return v;
  const instants = decodeTimes(v.data.values as ArrayLike<number | bigint>, units);
  const whole = instants.every((t) => Number.isInteger(t));
  const values = whole ? BigInt64Array.from(instants, (t) => BigInt(t)) : instants;
  const dtype = whole ? "<i8" : "<f8";
  const data = new LoadedArray({ ...v.data.metadata, dtype, fillValue: null }, values);
  return v.withData(data).withAttrs({ ...v.attrs, units: NORMALIZED_TIME_UNITS, calendar: units.calendar });
}

export function normalizeTimes(ds: VirtualDataset): VirtualDataset {
  return ds.with({
    variables: [...ds.variables].map(([name, v]) => [name, normalizeVariable(v)]),
    groups: [...ds.groups].map(([name, g]) => [name, normalizeTimes(g)]),
  });
}
