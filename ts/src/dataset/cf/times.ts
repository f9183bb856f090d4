/**
 * CF time decoding into comparable instants. Stored values are never rewritten here: combine
 * uses these instants to order datasets and find duplicates or overlaps, and re-encodes a
 * loaded coordinate only when files disagree on units (`encodeInstants`).
 *
 * An instant is seconds since 1970-01-01 00:00 *of the variable's calendar*. Real-world
 * calendars (standard, proleptic_gregorian, julian) share one time line (Julian Day based),
 * so their instants compare directly. Model calendars (noleap, all_leap, 360_day) only compare
 * with themselves; across those, datasets are ordered by date *labels* (year, month, day,
 * time of day), the only meaning two such calendars share.
 */
import { IncompatibleArraysError } from "../../errors/vzarr-error.js";
import { type Calendar, dateFromDays, daysFromDate, GREGORIAN_START_JDN, REAL_WORLD } from "./calendar.js";
import type { CfTimeUnits } from "./time-units.js";

const DAY = 86400;
const UNIX_JDN = 2440588;

function epochDay(calendar: Calendar): number {
  return REAL_WORLD.has(calendar) ? UNIX_JDN : daysFromDate(calendar, 1970, 1, 1);
}

/** Rounds to whole microseconds, so `0.1 days` and `2.4 hours` give the same instant. */
function roundMicro(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

/** Instants (seconds since the calendar's 1970-01-01) of stored time values. */
export function decodeTimes(values: ArrayLike<number | bigint>, units: CfTimeUnits): Float64Array {
  const base = (units.referenceDay - epochDay(units.calendar)) * DAY + units.referenceSeconds;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = roundMicro(base + Number(values[i]) * units.unitSeconds);
  return out;
}

/** Calendars whose instants compare directly. */
export function timeFamily(calendar: Calendar): string {
  return REAL_WORLD.has(calendar) ? "real-world" : calendar;
}

/** A key that orders like the date label (year, month, day, time of day) of an instant. */
export function labelKey(calendar: Calendar, instant: number): number {
  const days = Math.floor(instant / DAY);
  const { year, month, day } = dateFromDays(calendar, days + epochDay(calendar));
  return ((year * 12 + (month - 1)) * 31 + (day - 1)) * DAY + (instant - days * DAY);
}

export interface TimeSeries {
  calendar: Calendar;
  instants: Float64Array;
}

/**
 * Keys that order all series on one scale: the instants themselves when every calendar is in
 * one family, else date labels.
 */
export function comparableKeys(series: readonly TimeSeries[]): Float64Array[] {
  const families = new Set(series.map((s) => timeFamily(s.calendar)));
  if (families.size <= 1) return series.map((s) => s.instants);
  return series.map((s) => Float64Array.from(s.instants, (t) => labelKey(s.calendar, t)));
}

/** `2001-03-01T06:00:00` (fractional seconds when present) for messages. */
export function formatInstant(calendar: Calendar, instant: number): string {
  const days = Math.floor(instant / DAY);
  const { year, month, day } = dateFromDays(calendar, days + epochDay(calendar));
  const secs = instant - days * DAY;
  const hh = Math.floor(secs / 3600);
  const mm = Math.floor((secs - hh * 3600) / 60);
  const ss = secs - hh * 3600 - mm * 60;
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const sText = Number.isInteger(ss) ? pad(ss) : ss.toFixed(6).padStart(9, "0");
  const yText = year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
  return `${yText}-${pad(month)}-${pad(day)}T${pad(hh)}:${pad(mm)}:${sText}`;
}

/**
 * Whether instants of calendar `from` mean the same dates in calendar `to`: the same
 * calendar, or standard and proleptic_gregorian when every instant is after 1582-10-15 (the
 * two agree from there on).
 */
export function sameDates(from: Calendar, to: Calendar, instants: ArrayLike<number>): boolean {
  if (from === to) return true;
  const pair = new Set([from, to]);
  if (!(pair.has("standard") && pair.has("proleptic_gregorian"))) return false;
  const reform = (GREGORIAN_START_JDN - UNIX_JDN) * DAY;
  for (let i = 0; i < instants.length; i++) if ((instants[i] as number) < reform) return false;
  return true;
}

/**
 * Stored values for `instants` in other units: what a loaded time coordinate holds after
 * joining files whose units differ. Integer types need whole numbers of the target unit.
 */
export function encodeInstants(instants: Float64Array, target: CfTimeUnits, integer: boolean, variable: string): Float64Array {
  const base = (target.referenceDay - epochDay(target.calendar)) * DAY + target.referenceSeconds;
  const out = new Float64Array(instants.length);
  for (let i = 0; i < instants.length; i++) {
    const t = instants[i] as number;
    let v = (t - base) / target.unitSeconds;
    if (integer) {
      const r = Math.round(v);
      if (Math.abs(roundMicro(base + r * target.unitSeconds) - t) > 1e-6) {
        throw new IncompatibleArraysError(
          `time ${formatInstant(target.calendar, t)} cannot be stored as a whole number of "${target.text}" in the integer coordinate ${variable}`,
          { variable },
        );
      }
      v = r;
    }
    out[i] = v;
  }
  return out;
}
