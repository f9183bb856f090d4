/**
 * CF time units (`"days since 1900-01-01"`, `"hours since 2000-1-1 06:00:00 -6:00"`): a unit
 * length in seconds plus a reference date in a calendar.
 */
import { UnsupportedFeatureError } from "../../errors/vzarr-error.js";
import { type Calendar, daysFromDate, daysInMonth, parseCalendar } from "./calendar.js";

export interface CfTimeUnits {
  /** The units attribute as given. */
  text: string;
  calendar: Calendar;
  /** Length of one unit in seconds. */
  unitSeconds: number;
  /** Day number of the reference date in `calendar` (see calendar.ts). */
  referenceDay: number;
  /** Seconds into the reference day, time-zone offset removed (may be negative or ≥ 86400). */
  referenceSeconds: number;
}

const UNIT_SECONDS: Record<string, number> = {
  weeks: 604800,
  week: 604800,
  days: 86400,
  day: 86400,
  d: 86400,
  hours: 3600,
  hour: 3600,
  hrs: 3600,
  hr: 3600,
  h: 3600,
  minutes: 60,
  minute: 60,
  mins: 60,
  min: 60,
  seconds: 1,
  second: 1,
  secs: 1,
  sec: 1,
  s: 1,
  milliseconds: 1e-3,
  millisecond: 1e-3,
  msecs: 1e-3,
  msec: 1e-3,
  ms: 1e-3,
  microseconds: 1e-6,
  microsecond: 1e-6,
  usecs: 1e-6,
  usec: 1e-6,
  us: 1e-6,
};

const UNITS = /^\s*([A-Za-z_]+)\s+since\s+(.+?)\s*$/i;
const DATE = /^([+-]?\d{1,6})-(\d{1,2})-(\d{1,2})(?:(?:T|\s+)(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?)?\s*(.*)$/;
const ZONE = /^(?:Z|UTC|GMT|([+-])(\d{1,2})(?::?(\d{2}))?)$/i;

/** True when `units` looks like CF time units (`<unit> since <date>`). */
export function isTimeUnits(units: unknown): units is string {
  return typeof units === "string" && /\ssince\s/i.test(units);
}

export function parseTimeUnits(units: string, calendarAttr?: unknown): CfTimeUnits {
  const calendar = parseCalendar(calendarAttr);
  const m = UNITS.exec(units);
  if (m === null) throw new UnsupportedFeatureError(`${JSON.stringify(units)} are not CF time units ("<unit> since <date>")`);
  const unitName = (m[1] as string).toLowerCase();
  let unitSeconds = UNIT_SECONDS[unitName];
  // Calendar months and years have a fixed length only in some calendars (as cftime).
  if (unitSeconds === undefined && calendar === "360_day" && (unitName === "months" || unitName === "month")) unitSeconds = 30 * 86400;
  if (unitSeconds === undefined && calendar === "noleap" && (unitName === "common_years" || unitName === "common_year")) {
    unitSeconds = 365 * 86400;
  }
  if (unitSeconds === undefined) {
    const varying = /^(months?|years?|common_years?)$/.test(unitName);
    throw new UnsupportedFeatureError(
      `time unit ${JSON.stringify(m[1])} in ${JSON.stringify(units)} is not supported${varying ? ` in the ${calendar} calendar (months only in 360_day, common_years only in noleap: elsewhere their length varies)` : ""}`,
    );
  }
  const d = DATE.exec((m[2] as string).trim());
  if (d === null) throw new UnsupportedFeatureError(`cannot read the reference date of time units ${JSON.stringify(units)}`);
  const [year, month, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(calendar, year, month)) {
    throw new UnsupportedFeatureError(`reference date of ${JSON.stringify(units)} does not exist in the ${calendar} calendar`);
  }
  let seconds = Number(d[4] ?? 0) * 3600 + Number(d[5] ?? 0) * 60 + Number(d[6] ?? 0);
  const zoneText = (d[7] ?? "").trim();
  if (zoneText !== "") {
    const z = ZONE.exec(zoneText);
    if (z === null) throw new UnsupportedFeatureError(`cannot read the time zone ${JSON.stringify(zoneText)} of ${JSON.stringify(units)}`);
    if (z[1] !== undefined) {
      const offset = (Number(z[2]) * 3600 + Number(z[3] ?? 0) * 60) * (z[1] === "-" ? -1 : 1);
      seconds -= offset;
    }
  }
  return { text: units, calendar, unitSeconds, referenceDay: daysFromDate(calendar, year, month, day), referenceSeconds: seconds };
}
