/** CF time decoding against cftime, for every calendar; ordering keys across calendars and units. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCalendar } from "../ts/src/dataset/cf/calendar.js";
import { parseTimeUnits } from "../ts/src/dataset/cf/time-units.js";
import { comparableKeys, decodeTimes, encodeInstants, formatInstant, sameDates } from "../ts/src/dataset/cf/times.js";
import { rng } from "./helpers/backend.js";
import { hasPython, pythonJson } from "./helpers/python.js";

const CALENDARS = ["standard", "gregorian", "proleptic_gregorian", "julian", "noleap", "365_day", "all_leap", "366_day", "360_day"];
const UNITS = [
  ["days since 1900-01-01", 1, 80000],
  ["hours since 2000-02-28 06:00:00", 1, 2_000_000],
  ["minutes since 1979-12-30T23:30", 1, 60_000_000],
  ["seconds since 1970-01-01 00:00:00", 1, 5_000_000_000],
  ["days since 1850-1-1 12:00:00 -06:00", 0.25, 120000],
  ["days since 1582-10-20", 1, 40000],
  ["hours since 0001-01-01", 1, 18_000_000],
] as const;

interface Case {
  units: string;
  calendar: string;
  values: number[];
}

function cases(): Case[] {
  const r = rng(7);
  const out: Case[] = [];
  for (const calendar of CALENDARS) {
    for (const [units, step, span] of UNITS) {
      const values = Array.from({ length: 40 }, () => Math.round((r() * span) / step) * step);
      values.push(0, step, 59 * step, 365 * step);
      out.push({ units, calendar, values });
    }
  }
  out.push({ units: "months since 2000-01-01", calendar: "360_day", values: [0, 1, 13, 25, 1000] });
  out.push({ units: "common_years since 1990-01-01", calendar: "noleap", values: [0, 1, 13, 250] });
  return out;
}

describe("CF time decoding", () => {
  it.runIf(hasPython)("dates equal cftime's for every calendar and unit", async () => {
    const all = cases();
    const file = join(mkdtempSync(join(tmpdir(), "vzarr-cftime-")), "cases.json");
    writeFileSync(file, JSON.stringify(all));
    const want = await pythonJson<{ iso: string[]; unix: number[] | null }[]>("cftime_oracle.py", [file]);
    all.forEach((c, i) => {
      const units = parseTimeUnits(c.units, c.calendar);
      const instants = decodeTimes(c.values, units);
      const got = Array.from(instants, (t) => formatInstant(units.calendar, t));
      expect(got, `${c.units} / ${c.calendar}`).toEqual(want[i]?.iso);
      const unix = want[i]?.unix;
      // Real-world calendars share one time line: instants are the same physical time.
      if (unix !== null && unix !== undefined) expect(Array.from(instants), `${c.units} / ${c.calendar}`).toEqual(unix);
    });
  });

  it("orders by instant across real-world calendars and units, by date label otherwise", () => {
    const a = parseTimeUnits("days since 2000-01-01", "standard");
    const b = parseTimeUnits("hours since 1999-12-31 00:00:00", "proleptic_gregorian");
    const j = parseTimeUnits("days since 2000-01-01", "julian");
    const [ka, kb, kj] = comparableKeys([
      { calendar: a.calendar, instants: decodeTimes([1], a) },
      { calendar: b.calendar, instants: decodeTimes([48], b) },
      { calendar: j.calendar, instants: decodeTimes([0], j) },
    ]);
    expect(ka?.[0]).toBe(kb?.[0]);
    // Julian 2000-01-01 is Gregorian 2000-01-14: later than both.
    expect((kj?.[0] as number) - (ka?.[0] as number)).toBe(12 * 86400);
    const n = parseTimeUnits("days since 2000-01-01", "noleap");
    const d = parseTimeUnits("days since 2000-01-01", "360_day");
    // noleap day 59 is 2000-03-01; 360_day day 59 is 2000-02-30, a label before March 1.
    const [kn, kd] = comparableKeys([
      { calendar: n.calendar, instants: decodeTimes([59], n) },
      { calendar: d.calendar, instants: decodeTimes([59], d) },
    ]);
    expect(kd?.[0]).toBeLessThan(kn?.[0] as number);
  });

  it("re-encodes into other units exactly, and refuses what an integer cannot hold", () => {
    const days = parseTimeUnits("days since 2000-01-01", "standard");
    const hours = parseTimeUnits("hours since 2000-01-01", "standard");
    const instants = decodeTimes([0, 0.5, 1.25], days);
    expect(Array.from(encodeInstants(instants, hours, true, "time"))).toEqual([0, 12, 30]);
    expect(() => encodeInstants(decodeTimes([1], hours), days, true, "time")).toThrow(/whole number/);
    expect(Array.from(encodeInstants(decodeTimes([6], hours), days, false, "time"))).toEqual([0.25]);
    expect(sameDates("standard", "proleptic_gregorian", instants)).toBe(true);
    expect(sameDates("standard", "proleptic_gregorian", decodeTimes([0], parseTimeUnits("days since 1500-01-01")))).toBe(false);
    expect(sameDates("noleap", "standard", instants)).toBe(false);
  });

  it("refuses malformed units and calendars with tagged errors", () => {
    expect(() => parseTimeUnits("days after 2000-01-01")).toThrow(expect.objectContaining({ kind: "UnsupportedFeature" }));
    expect(() => parseTimeUnits("months since 2000-01-01", "standard")).toThrow(/360_day/);
    expect(() => parseTimeUnits("years since 2000-01-01", "360_day")).toThrow(/length varies/);
    expect(() => parseTimeUnits("days since 2001-02-29", "noleap")).toThrow(/does not exist/);
    expect(() => parseTimeUnits("days since 2000-01-01 10:00 PST")).toThrow(/time zone/);
    expect(() => parseCalendar("mayan")).toThrow(expect.objectContaining({ kind: "UnsupportedFeature" }));
    expect(parseCalendar(undefined)).toBe("standard");
    expect(parseCalendar("GREGORIAN")).toBe("standard");
  });
});
