/** A viridis colormap (perceptually uniform, colour-blind safe) and its colorbar. */

// Matplotlib's viridis sampled at 11 evenly spaced points; linear interpolation between them
// stays within a few units of the full 256-entry table.
const STOPS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [72, 36, 117],
  [65, 68, 135],
  [53, 95, 141],
  [42, 120, 142],
  [33, 145, 140],
  [34, 168, 132],
  [68, 191, 112],
  [122, 209, 81],
  [189, 223, 38],
  [253, 231, 37],
];

/** 256 RGB triples, index 0 = minimum. */
export const VIRIDIS: Uint8Array = (() => {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (STOPS.length - 1);
    const k = Math.min(Math.floor(t), STOPS.length - 2);
    const f = t - k;
    const a = STOPS[k] as readonly [number, number, number];
    const b = STOPS[k + 1] as readonly [number, number, number];
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round((a[c] as number) + f * ((b[c] as number) - (a[c] as number)));
  }
  return lut;
})();

/** Fills RGBA pixels from values; NaN (and ±Infinity) become transparent. */
export function colorize(values: Float64Array, min: number, max: number, rgba: Uint8ClampedArray): void {
  const span = max > min ? max - min : 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const o = i * 4;
    if (!Number.isFinite(v)) {
      rgba[o + 3] = 0;
      continue;
    }
    const k = Math.max(0, Math.min(255, Math.round(((v - min) / span) * 255))) * 3;
    rgba[o] = VIRIDIS[k] as number;
    rgba[o + 1] = VIRIDIS[k + 1] as number;
    rgba[o + 2] = VIRIDIS[k + 2] as number;
    rgba[o + 3] = 255;
  }
}

/** Draws the colormap left (min) to right (max) across the canvas. */
export function drawColorbar(canvas: HTMLCanvasElement): void {
  canvas.width = 256;
  canvas.height = 1;
  const ctx = canvas.getContext("2d");
  if (ctx === null) return;
  const img = ctx.createImageData(256, 1);
  for (let i = 0; i < 256; i++) {
    img.data.set([VIRIDIS[i * 3] as number, VIRIDIS[i * 3 + 1] as number, VIRIDIS[i * 3 + 2] as number, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
}
