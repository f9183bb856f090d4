/**
 * CF calendars as day counts. Every calendar maps a date (year, month, day) to an integer
 * day number and back. For the real-world calendars (standard/gregorian, proleptic_gregorian,
 * julian) the day number is the Julian Day Number, so days of different real-world calendars
 * are the same instant when their numbers are equal. The model calendars (noleap, all_leap,
 * 360_day) count days in their own year structure; their numbers only compare within the
 * same calendar.
 *
 * Years are astronomical (year 0 exists, 1 BC = 0); this differs from cftime's default for
 * `standard`/`julian` only before year 1, where climate data does not live.
 */
import { UnsupportedFeatureError } from "../../errors/vzarr-error.js";

export type Calendar = "standard" | "proleptic_gregorian" | "julian" | "noleap" | "all_leap" | "360_day";

/** Calendars that count real days: their day numbers are interchangeable instants. */
export const REAL_WORLD: ReadonlySet<Calendar> = new Set(["standard", "proleptic_gregorian", "julian"]);

const ALIASES: Record<string, Calendar> = {
  standard: "standard",
  gregorian: "standard",
  proleptic_gregorian: "proleptic_gregorian",
  julian: "julian",
  noleap: "noleap",
  "365_day": "noleap",
  all_leap: "all_leap",
  "366_day": "all_leap",
  "360_day": "360_day",
};

/** The canonical calendar for a CF `calendar` attribute (missing = `standard`). */
export function parseCalendar(name: unknown): Calendar {
  if (name === undefined || name === null || name === "") return "standard";
  const c = ALIASES[String(name).trim().toLowerCase()];
  if (c === undefined) throw new UnsupportedFeatureError(`unknown CF calendar ${JSON.stringify(name)}`);
  return c;
}

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** First day of the Gregorian reform in the `standard` calendar (1582-10-15), as a JDN. */
export const GREGORIAN_START_JDN = 2299161;

const NOLEAP_STARTS = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const ALL_LEAP_STARTS = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335];

function gregorianJdn(y: number, m: number, d: number): number {
  const a = Math.floor((14 - m) / 12);
  const yy = y + 4800 - a;
  const mm = m + 12 * a - 3;
  return d + Math.floor((153 * mm + 2) / 5) + 365 * yy + Math.floor(yy / 4) - Math.floor(yy / 100) + Math.floor(yy / 400) - 32045;
}

function julianJdn(y: number, m: number, d: number): number {
  const a = Math.floor((14 - m) / 12);
  const yy = y + 4800 - a;
  const mm = m + 12 * a - 3;
  return d + Math.floor((153 * mm + 2) / 5) + 365 * yy + Math.floor(yy / 4) - 32083;
}

function fromGregorianJdn(j: number): CalendarDate {
  const a = j + 32044;
  const b = Math.floor((4 * a + 3) / 146097);
  const c = a - Math.floor((146097 * b) / 4);
  const d = Math.floor((4 * c + 3) / 1461);
  const e = c - Math.floor((1461 * d) / 4);
  const m = Math.floor((5 * e + 2) / 153);
  return {
    day: e - Math.floor((153 * m + 2) / 5) + 1,
    month: m + 3 - 12 * Math.floor(m / 10),
    year: 100 * b + d - 4800 + Math.floor(m / 10),
  };
}

function fromJulianJdn(j: number): CalendarDate {
  const c = j + 32082;
  const d = Math.floor((4 * c + 3) / 1461);
  const e = c - Math.floor((1461 * d) / 4);
  const m = Math.floor((5 * e + 2) / 153);
  return { day: e - Math.floor((153 * m + 2) / 5) + 1, month: m + 3 - 12 * Math.floor(m / 10), year: d - 4800 + Math.floor(m / 10) };
}

function fixedYear(length: number, starts: readonly number[]) {
  return {
    toDays: (y: number, m: number, d: number) => y * length + (starts[m - 1] as number) + d - 1,
    fromDays: (n: number): CalendarDate => {
      const year = Math.floor(n / length);
      const doy = n - year * length;
      let month = 12;
      while ((starts[month - 1] as number) > doy) month--;
      return { year, month, day: doy - (starts[month - 1] as number) + 1 };
    },
  };
}

const noleap = fixedYear(365, NOLEAP_STARTS);
const allLeap = fixedYear(366, ALL_LEAP_STARTS);

/** Day number of a date in a calendar (see the module comment). */
export function daysFromDate(calendar: Calendar, y: number, m: number, d: number): number {
  switch (calendar) {
    case "proleptic_gregorian":
      return gregorianJdn(y, m, d);
    case "julian":
      return julianJdn(y, m, d);
    case "standard": {
      // Julian before the reform, Gregorian from 1582-10-15 on (as cftime and udunits).
      const g = gregorianJdn(y, m, d);
      return g >= GREGORIAN_START_JDN ? g : julianJdn(y, m, d);
    }
    case "noleap":
      return noleap.toDays(y, m, d);
    case "all_leap":
      return allLeap.toDays(y, m, d);
    case "360_day":
      return y * 360 + (m - 1) * 30 + d - 1;
  }
}

/** The date of a day number in a calendar. */
export function dateFromDays(calendar: Calendar, n: number): CalendarDate {
  switch (calendar) {
    case "proleptic_gregorian":
      return fromGregorianJdn(n);
    case "julian":
      return fromJulianJdn(n);
    case "standard":
      return n >= GREGORIAN_START_JDN ? fromGregorianJdn(n) : fromJulianJdn(n);
    case "noleap":
      return noleap.fromDays(n);
    case "all_leap":
      return allLeap.fromDays(n);
    case "360_day": {
      const year = Math.floor(n / 360);
      const doy = n - year * 360;
      return { year, month: Math.floor(doy / 30) + 1, day: (doy % 30) + 1 };
    }
  }
}

/** Days in a month of a calendar, to validate reference dates. */
export function daysInMonth(calendar: Calendar, y: number, m: number): number {
  if (m < 1 || m > 12) throw new UnsupportedFeatureError(`month ${m} is not 1–12`);
  if (calendar === "360_day") return 30;
  const next = m === 12 ? daysFromDate(calendar, y + 1, 1, 1) : daysFromDate(calendar, y, m + 1, 1);
  return next - daysFromDate(calendar, y, m, 1);
}
