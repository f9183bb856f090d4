/**
 * CF encoding of a variable. The attributes stay where the file put them (`attrs`, written
 * back unchanged); this is a typed view of the ones that change what stored values mean,
 * plus the stored (packed) dtype. Combining refuses to join variables whose encodings differ:
 * the joined array has one set of attributes, so the other files' values would be silently
 * decoded wrongly (VirtualiZarr keeps the first file's, its issue #1004).
 */
import { parseDType } from "../../metadata/dtype.js";
import type { VirtualVariable } from "../virtual-variable.js";
import { type Calendar, parseCalendar } from "./calendar.js";
import { type CfTimeUnits, isTimeUnits, parseTimeUnits } from "./time-units.js";

/** Attributes that change how stored values decode; they must agree to join arrays. */
export const PACKING_ATTRS = ["scale_factor", "add_offset", "_FillValue", "missing_value"] as const;

export interface CfEncoding {
  /** NumPy dtype of the stored (packed) values, little-endian form. */
  dtype: string;
  scaleFactor?: number;
  addOffset?: number;
  /** `_FillValue` attribute (not the Zarr fill value, which describes missing chunks). */
  fillValue?: unknown;
  missingValue?: unknown;
  units?: string;
  calendar?: string;
}

function firstNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v) && v.length > 0) return firstNumber(v[0]);
  return undefined;
}

export function cfEncoding(v: VirtualVariable): CfEncoding {
  const a = v.attrs;
  const d = parseDType(v.dtype);
  const out: CfEncoding = { dtype: d.byteOrder === ">" ? `<${d.kind}${d.itemSize}` : d.text };
  const scale = firstNumber(a.scale_factor);
  const offset = firstNumber(a.add_offset);
  if (scale !== undefined) out.scaleFactor = scale;
  if (offset !== undefined) out.addOffset = offset;
  if ("_FillValue" in a) out.fillValue = a._FillValue;
  if ("missing_value" in a) out.missingValue = a.missing_value;
  if (typeof a.units === "string") out.units = a.units;
  if (typeof a.calendar === "string") out.calendar = a.calendar;
  return out;
}

/** The time units of a variable when its `units` are CF time units, else undefined. */
export function timeUnitsOf(v: VirtualVariable): CfTimeUnits | undefined {
  const units = v.attrs.units;
  return isTimeUnits(units) ? parseTimeUnits(units, v.attrs.calendar) : undefined;
}

/** The calendar of a time variable (`standard` when the attribute is missing). */
export function calendarOf(v: VirtualVariable): Calendar {
  return parseCalendar(v.attrs.calendar);
}

/** A packing attribute in canonical form for comparison (NaN-safe, arrays kept). */
export function attrKey(v: unknown): string {
  if (v === undefined) return "(absent)";
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === "number" && !Number.isFinite(x) ? String(x) : typeof x === "bigint" ? `${x}n` : x,
  );
}
