/**
 * The values of one dimension coordinate across datasets, as numbers that order correctly:
 * plain numbers, or — for CF time coordinates — instants (or date labels across calendar
 * families, see cf/times.ts), so "days since 2000-01-01" and "hours since 1999-12-01" in
 * standard and proleptic_gregorian calendars line up on one time axis.
 */
import { IncompatibleArraysError } from "../../errors/vzarr-error.js";
import { timeUnitsOf } from "../cf/encoding.js";
import { comparableKeys, decodeTimes, formatInstant, type TimeSeries } from "../cf/times.js";
import { LoadedArray } from "../loaded-array.js";
import { loadedNumbers } from "../loaded-ops.js";
import type { Item } from "./compat.js";

export interface CoordinateKeys {
  keys: Float64Array[];
  /** Value `j` of dataset `i` as users read it (a date for times). */
  show(i: number, j: number): string;
}

export function coordinateKeys(dim: string, items: readonly Item[]): CoordinateKeys {
  const numbers = items.map((it) => {
    const values = it.v.data instanceof LoadedArray ? loadedNumbers(it.v.data) : undefined;
    if (!(it.v.data instanceof LoadedArray)) {
      throw new IncompatibleArraysError(
        `cannot order datasets by ${dim}: its values are not loaded in ${it.origin}; list it in loadableVariables (the default loads 1-D dimension coordinates)`,
        { variable: dim },
      );
    }
    if (values === undefined) {
      throw new IncompatibleArraysError(`cannot order datasets by ${dim}: its values in ${it.origin} are not numbers (${it.v.dtype})`, {
        variable: dim,
      });
    }
    return values;
  });
  const units = items.map((it) => timeUnitsOf(it.v));
  if (units.every((u) => u === undefined)) {
    const keys = numbers.map((vals) => Float64Array.from(vals as ArrayLike<number>, Number));
    return { keys, show: (i, j) => String(numbers[i]?.[j]) };
  }
  const k = units.indexOf(undefined);
  if (k >= 0) {
    const t = units.findIndex((u) => u !== undefined);
    throw new IncompatibleArraysError(
      `cannot order datasets by ${dim}: it has time units in ${items[t]?.origin} but ${JSON.stringify(items[k]?.v.attrs.units ?? null)} in ${items[k]?.origin}`,
      { variable: dim },
    );
  }
  const series: TimeSeries[] = numbers.map((vals, i) => {
    const u = units[i] as NonNullable<(typeof units)[number]>;
    return { calendar: u.calendar, instants: decodeTimes(vals, u) };
  });
  return {
    keys: comparableKeys(series),
    show: (i, j) => {
      const s = series[i] as TimeSeries;
      return `${formatInstant(s.calendar, s.instants[j] as number)}${s.calendar === "standard" ? "" : ` (${s.calendar})`}`;
    },
  };
}
