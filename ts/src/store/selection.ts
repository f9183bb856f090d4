/**
 * Selections: per axis an integer (the axis is dropped, as in NumPy), `null` (everything),
 * `[start, stop]`, or `{start, stop, step}`; negative indices count from the end. The CLI
 * writes them as `0:10,:,5` or `::2`.
 */
import { InvalidArgumentError } from "../errors/vzarr-error.js";

export type AxisSelection =
  | number
  | null
  | readonly [number | null, number | null]
  | { start?: number | null; stop?: number | null; step?: number | null };
export type Selection = readonly AxisSelection[];

export interface AxisRange {
  start: number;
  stop: number;
  step: number;
  /** Number of selected positions. */
  count: number;
  /** An integer index: the axis does not appear in the result. */
  drop: boolean;
}

function clampIndex(i: number, length: number, what: string): number {
  const j = i < 0 ? i + length : i;
  if (!Number.isInteger(i)) throw new InvalidArgumentError(`${what} ${i} is not an integer`);
  return Math.min(Math.max(j, 0), length);
}

export function normalizeAxis(sel: AxisSelection | undefined, length: number, axis: number): AxisRange {
  if (sel === undefined || sel === null) return { start: 0, stop: length, step: 1, count: length, drop: false };
  if (typeof sel === "number") {
    const i = sel < 0 ? sel + length : sel;
    if (!Number.isInteger(sel) || i < 0 || i >= length) {
      throw new InvalidArgumentError(`index ${sel} is out of bounds for axis ${axis} of length ${length}`);
    }
    return { start: i, stop: i + 1, step: 1, count: 1, drop: true };
  }
  const [rawStart, rawStop, rawStep] = Array.isArray(sel)
    ? [sel[0], sel[1], 1]
    : [(sel as { start?: number | null }).start, (sel as { stop?: number | null }).stop, (sel as { step?: number | null }).step];
  const step = rawStep ?? 1;
  if (!Number.isInteger(step) || step < 1) throw new InvalidArgumentError(`step ${step} on axis ${axis} must be a positive integer`);
  const start = rawStart === null || rawStart === undefined ? 0 : clampIndex(rawStart, length, "start");
  const stop = rawStop === null || rawStop === undefined ? length : clampIndex(rawStop, length, "stop");
  const count = stop > start ? Math.ceil((stop - start) / step) : 0;
  return { start, stop: Math.max(stop, start), step, count, drop: false };
}

export function normalizeSelection(selection: Selection | undefined, shape: readonly number[]): AxisRange[] {
  if (selection !== undefined && selection.length > shape.length) {
    throw new InvalidArgumentError(`a selection of ${selection.length} axes for an array with ${shape.length}`);
  }
  return shape.map((len, a) => normalizeAxis(selection?.[a], len, a));
}

/** Parses `0:10,:,5,::2` (the CLI's `--slice`). */
export function parseSelection(text: string): AxisSelection[] {
  return text.split(",").map((part, axis) => {
    const p = part.trim();
    const num = (s: string | undefined): number | null => {
      if (s === undefined || s.trim() === "") return null;
      const n = Number(s);
      if (!Number.isInteger(n)) throw new InvalidArgumentError(`bad --slice component ${JSON.stringify(part)} for axis ${axis}`);
      return n;
    };
    if (!p.includes(":")) {
      const n = num(p);
      if (n === null) throw new InvalidArgumentError(`empty --slice component for axis ${axis}`);
      return n;
    }
    const [a, b, c, extra] = p.split(":");
    if (extra !== undefined) throw new InvalidArgumentError(`bad --slice component ${JSON.stringify(part)}`);
    return { start: num(a), stop: num(b), step: num(c) };
  });
}
