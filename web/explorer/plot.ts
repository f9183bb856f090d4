/**
 * What the explorer plots: a 2-D slice (or a 1-D line) of a variable, chosen by two plotted
 * dimensions and an index for every other one, read with a stride so no axis exceeds the
 * screen, then drawn on a canvas.
 */
import type { ReadResult, Selection } from "../../ts/src/browser.js";
import { colorize } from "./colormap.js";

export interface SliceRequest {
  shape: readonly number[];
  /** Axis drawn top to bottom (-1 for a 1-D line plot). */
  yAxis: number;
  /** Axis drawn left to right. */
  xAxis: number;
  /** Index along every axis that is not plotted. */
  indices: readonly number[];
  /** Most samples per plotted axis; longer axes are strided. */
  maxSamples: number;
}

export interface Slice {
  /** Row-major values, `ny` rows of `nx` (ny = 1 for a line). */
  values: Float64Array;
  ny: number;
  nx: number;
  /** Stride used along y and x (1 = every element). */
  yStep: number;
  xStep: number;
  min: number;
  max: number;
  /** Values that are NaN or infinite (masked fill values among them). */
  invalid: number;
}

export function strideFor(length: number, maxSamples: number): number {
  return Math.max(1, Math.ceil(length / maxSamples));
}

/** The selection `readArray` takes for this request. */
export function sliceSelection(req: SliceRequest): Selection {
  return req.shape.map((len, axis) => {
    if (axis === req.xAxis || axis === req.yAxis) return { start: 0, stop: len, step: strideFor(len, req.maxSamples) };
    return Math.min(Math.max(req.indices[axis] ?? 0, 0), len - 1);
  });
}

/**
 * Values as float64 — complex numbers as their magnitude — or undefined when they are not
 * numbers (strings, raw bytes of |S/|V).
 */
export function numericValues(r: ReadResult): Float64Array | undefined {
  if (Array.isArray(r.data)) return undefined;
  if (/^[<>|]?[SUVO]/.test(r.dtype)) return undefined;
  if (/^[<>]c/.test(r.dtype)) {
    const parts = r.data as Float32Array | Float64Array;
    const out = new Float64Array(parts.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = Math.hypot(parts[2 * i] as number, parts[2 * i + 1] as number);
    return out;
  }
  const data = r.data as ArrayLike<number | bigint>;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

/** Arranges a read result as y rows × x columns (transposing when y comes after x). */
export function toSlice(values: Float64Array, resultShape: readonly number[], req: SliceRequest): Slice {
  const yStep = req.yAxis < 0 ? 1 : strideFor(req.shape[req.yAxis] as number, req.maxSamples);
  const xStep = req.xAxis < 0 ? 1 : strideFor(req.shape[req.xAxis] as number, req.maxSamples);
  let ny = 1;
  let nx = resultShape[0] ?? 1;
  let ordered = values;
  if (req.yAxis >= 0) {
    const [a = 1, b = 1] = resultShape;
    if (req.yAxis < req.xAxis) {
      ny = a;
      nx = b;
    } else {
      ny = b;
      nx = a;
      ordered = new Float64Array(values.length);
      for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) ordered[j * a + i] = values[i * b + j] as number;
    }
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let invalid = 0;
  for (const v of ordered) {
    if (!Number.isFinite(v)) {
      invalid++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { values: ordered, ny, nx, yStep, xStep, min, max, invalid };
}

/** Draws the slice one canvas pixel per sample; CSS scales it up without smoothing. */
export function drawHeatmap(canvas: HTMLCanvasElement, s: Slice, flipY: boolean): void {
  canvas.width = s.nx;
  canvas.height = s.ny;
  const ctx = canvas.getContext("2d");
  if (ctx === null) return;
  const img = ctx.createImageData(s.nx, s.ny);
  colorize(s.values, s.min, s.max, img.data);
  if (flipY) {
    const row = s.nx * 4;
    const flipped = new Uint8ClampedArray(img.data.length);
    for (let y = 0; y < s.ny; y++) flipped.set(img.data.subarray(y * row, (y + 1) * row), (s.ny - 1 - y) * row);
    img.data.set(flipped);
  }
  ctx.putImageData(img, 0, 0);
}

/** Draws a 1-D slice as a line (gaps at invalid values) on a fixed-size canvas. */
export function drawLine(canvas: HTMLCanvasElement, s: Slice): void {
  const width = 720;
  const height = 280;
  const pad = 8;
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  if (ctx === null) return;
  ctx.clearRect(0, 0, width, height);
  const span = s.max > s.min ? s.max - s.min : 1;
  const x = (i: number) => pad + (s.nx <= 1 ? 0.5 : i / (s.nx - 1)) * (width - 2 * pad);
  const y = (v: number) => height - pad - ((v - s.min) / span) * (height - 2 * pad);
  ctx.strokeStyle = "#21918c";
  ctx.fillStyle = "#21918c";
  ctx.lineWidth = 2;
  ctx.beginPath();
  let drawing = false;
  for (let i = 0; i < s.nx; i++) {
    const v = s.values[i] as number;
    if (!Number.isFinite(v)) {
      drawing = false;
      continue;
    }
    if (drawing) ctx.lineTo(x(i), y(v));
    else ctx.moveTo(x(i), y(v));
    drawing = true;
    if (s.nx <= 64) ctx.fillRect(x(i) - 2, y(v) - 2, 4, 4);
  }
  ctx.stroke();
}
