/**
 * Loaded CF time coordinates from files that disagree on units ("days since 2000-01-01" in
 * one, "hours since 2001-01-01" in the next): re-encoded into the first file's units so the
 * joined coordinate has one set of attributes. Calendars must agree on the dates involved.
 */
import { IncompatibleArraysError } from "../../errors/vzarr-error.js";
import type { NumericArray } from "../../metadata/dtype.js";
import { calendarOf, timeUnitsOf } from "../cf/encoding.js";
import { isTimeUnits } from "../cf/time-units.js";
import { decodeTimes, encodeInstants, sameDates } from "../cf/times.js";
import { LoadedArray } from "../loaded-array.js";
import { loadedNumbers } from "../loaded-ops.js";
import type { Item } from "./compat.js";

/** True when the first item is a loaded variable with CF time units. */
export function isLoadedTime(item: Item | undefined): boolean {
  return item !== undefined && item.v.data instanceof LoadedArray && isTimeUnits(item.v.attrs.units);
}

export function harmonizeTimes(name: string, items: readonly Item[]): LoadedArray[] {
  const first = items[0] as Item;
  const target = timeUnitsOf(first.v);
  const arrays = items.map((it) => it.v.data as LoadedArray);
  if (target === undefined) return arrays;
  const targetCalendar = calendarOf(first.v);
  return items.map((it, i) => {
    const a = arrays[i] as LoadedArray;
    if (it.v.attrs.units === first.v.attrs.units && calendarOf(it.v) === targetCalendar) return a;
    const units = timeUnitsOf(it.v);
    const values = loadedNumbers(a);
    if (units === undefined || values === undefined) {
      throw new IncompatibleArraysError(
        `cannot combine variable ${name}: it has time units ${JSON.stringify(first.v.attrs.units)} in ${first.origin} but units ${JSON.stringify(it.v.attrs.units)} in ${it.origin}`,
        { variable: name },
      );
    }
    const instants = decodeTimes(values, units);
    if (!sameDates(units.calendar, targetCalendar, instants)) {
      throw new IncompatibleArraysError(
        `cannot combine variable ${name}: calendar ${units.calendar} in ${it.origin} and ${targetCalendar} in ${first.origin} do not share dates; one coordinate cannot hold both`,
        { variable: name },
      );
    }
    const encoded = encodeInstants(instants, target, /^[<>|]?[iu]/.test(a.dtype), name);
    return new LoadedArray(a.metadata, castLike(a.values as NumericArray, encoded));
  });
}

function castLike(like: NumericArray, values: Float64Array): NumericArray {
  const Ctor = like.constructor as new (n: number) => NumericArray;
  const out = new Ctor(values.length);
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i] as number);
  } else {
    (out as Float64Array).set(values);
  }
  return out;
}
