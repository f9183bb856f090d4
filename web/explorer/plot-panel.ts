/**
 * The plot panel of a variable: choose the two plotted dimensions, step through the others
 * with sliders, and see the slice as a heatmap with a colorbar (or a line for 1-D data).
 */
import { decodeCf, type ReadResult, readArray, type Selection, type VirtualVariable } from "../../ts/src/browser.js";
import { drawColorbar } from "./colormap.js";
import { formatNumber, h } from "./dom.js";
import type { Entry } from "./inspect.js";
import { drawHeatmap, drawLine, numericValues, type Slice, sliceSelection, toSlice } from "./plot.js";

/** What the panel last drew (kept for scripts and tests: `window.vzarrExplorer.lastPlot`). */
export interface PlotResult {
  variable: string;
  selection: Selection;
  /** The stored values read (before CF decoding), as `readArray` returned them. */
  raw: ReadResult;
  slice: Slice;
  decoded: boolean;
  ms: number;
}

export interface PlotPanelEvents {
  onStart(): void;
  onDone(result: PlotResult): void;
  onError(error: unknown): void;
}

const MAX_SAMPLES = 1024;

const coordCache = new WeakMap<VirtualVariable, Promise<ReadResult | undefined>>();

/** Values of the 1-D coordinate variable named like `dim` in this group, if there is one. */
function coordinateValues(entry: Entry, groupPath: string, dim: string): Promise<ReadResult | undefined> {
  const coord = entry.ds.group(groupPath).variables.get(dim);
  if (coord === undefined || coord.dims.length !== 1 || coord.dims[0] !== dim) return Promise.resolve(undefined);
  let cached = coordCache.get(coord);
  if (cached === undefined) {
    const path = groupPath === "" ? dim : `${groupPath}/${dim}`;
    cached = readArray(entry.ds, path).catch(() => undefined);
    coordCache.set(coord, cached);
  }
  return cached;
}

function defaultAxes(ndim: number): [number, number] {
  if (ndim <= 0) return [-1, -1];
  if (ndim === 1) return [-1, 0];
  return [ndim - 2, ndim - 1];
}

export function createPlotPanel(entry: Entry, path: string, v: VirtualVariable, events: PlotPanelEvents): HTMLElement {
  const groupPath = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
  const ndim = v.dims.length;
  let [yAxis, xAxis] = defaultAxes(ndim);
  const indices = v.shape.map(() => 0);
  let decode = true;
  let flipY = false;
  let generation = 0;

  const canvas = h("canvas", { id: "heatmap", class: ndim === 1 ? "line" : "heatmap", "aria-label": `plot of ${path}` });
  const colorbar = h("canvas", { id: "colorbar", class: "colorbar" });
  drawColorbar(colorbar);
  const minLabel = h("span", { id: "plot-min", class: "min" });
  const maxLabel = h("span", { id: "plot-max", class: "max" });
  const nanKey = h("span", { class: "nan-key", hidden: true }, h("i"), "NaN / fill");
  const info = h("p", { id: "plot-info", class: "plot-info" });
  const readout = h("p", { id: "plot-readout", class: "readout" }, "\u00a0");
  const sliders = h("div", { class: "sliders" });
  let last: Slice | undefined;

  const axisSelect = (id: string, label: string, value: number, onChange: (axis: number) => void) => {
    const select = h("select", { id }, ...v.dims.map((d, a) => h("option", { value: a, selected: a === value }, d)));
    select.addEventListener("change", () => onChange(Number(select.value)));
    return h("label", {}, `${label} `, select);
  };

  const renderSliders = () => {
    sliders.replaceChildren();
    v.dims.forEach((dim, axis) => {
      if (axis === yAxis || axis === xAxis) return;
      const len = v.shape[axis] as number;
      const value = h("output", { id: `value-${dim}` }, `${indices[axis]}`);
      const input = h("input", {
        type: "range",
        min: 0,
        max: Math.max(0, len - 1),
        value: indices[axis] as number,
        id: `slider-${dim}`,
        "data-dim": dim,
      });
      const showValue = async () => {
        const i = indices[axis] as number;
        const coord = await coordinateValues(entry, groupPath, dim);
        const c = coord === undefined || Array.isArray(coord.data) ? undefined : (coord.data as ArrayLike<number | bigint>)[i];
        value.textContent = `${i} / ${len - 1}${c === undefined ? "" : ` (${dim} = ${formatCoordinate(Number(c), coordUnits(entry, groupPath, dim))})`}`;
      };
      input.addEventListener("input", () => {
        indices[axis] = Number(input.value);
        void showValue();
        void redraw();
      });
      void showValue();
      sliders.append(h("label", { class: "slider" }, h("span", { class: "dim" }, dim), input, value));
    });
  };

  const controls = h("div", { class: "plot-controls" });
  if (ndim >= 2) {
    controls.append(
      axisSelect("axis-y", "rows", yAxis, (a) => {
        if (a === xAxis) xAxis = yAxis;
        yAxis = a;
        rebuildControls();
      }),
      axisSelect("axis-x", "columns", xAxis, (a) => {
        if (a === yAxis) yAxis = xAxis;
        xAxis = a;
        rebuildControls();
      }),
    );
  }
  const decodeBox = h("input", { type: "checkbox", id: "decode", checked: true });
  decodeBox.addEventListener("change", () => {
    decode = decodeBox.checked;
    void redraw();
  });
  controls.append(h("label", { title: "mask _FillValue/missing_value, apply scale_factor/add_offset" }, decodeBox, " CF decode"));
  if (ndim >= 2) {
    const flipBox = h("input", { type: "checkbox", id: "flip-y" });
    flipBox.addEventListener("change", () => {
      flipY = flipBox.checked;
      void redraw();
    });
    controls.append(h("label", {}, flipBox, " first row at bottom"));
  }

  function rebuildControls(): void {
    const ySel = controls.querySelector<HTMLSelectElement>("#axis-y");
    const xSel = controls.querySelector<HTMLSelectElement>("#axis-x");
    if (ySel !== null) ySel.value = String(yAxis);
    if (xSel !== null) xSel.value = String(xAxis);
    renderSliders();
    void redraw();
  }

  canvas.addEventListener("mousemove", (ev) => {
    if (last === undefined || ndim < 1) return;
    const s = last;
    const col = Math.min(s.nx - 1, Math.max(0, Math.floor((ev.offsetX / canvas.clientWidth) * s.nx)));
    let row = 0;
    if (ndim >= 2) {
      const r = Math.min(s.ny - 1, Math.max(0, Math.floor((ev.offsetY / canvas.clientHeight) * s.ny)));
      row = flipY ? s.ny - 1 - r : r;
    }
    const value = s.values[row * s.nx + col] as number;
    const where =
      ndim >= 2 ? `${v.dims[yAxis]} = ${row * s.yStep}, ${v.dims[xAxis]} = ${col * s.xStep}` : `${v.dims[xAxis]} = ${col * s.xStep}`;
    readout.textContent = `${where}: ${Number.isFinite(value) ? formatNumber(value) : "NaN"}`;
  });

  async function redraw(): Promise<void> {
    const mine = ++generation;
    events.onStart();
    const req = { shape: v.shape, yAxis, xAxis, indices, maxSamples: MAX_SAMPLES };
    const selection = sliceSelection(req);
    const t0 = performance.now();
    try {
      const raw = await readArray(entry.ds, path, selection);
      if (mine !== generation) return;
      const shown = decode ? decodeCf(raw, v.attrs) : raw;
      const values = numericValues(shown);
      if (values === undefined) {
        info.textContent = `${raw.dtype} values are not numbers: ${preview(raw)}`;
        events.onDone({
          variable: path,
          selection,
          raw,
          slice: toSlice(new Float64Array(0), [0], req),
          decoded: decode,
          ms: performance.now() - t0,
        });
        return;
      }
      const slice = toSlice(values, raw.shape, req);
      last = slice;
      if (ndim >= 2) drawHeatmap(canvas, slice, flipY);
      else drawLine(canvas, slice);
      const ms = performance.now() - t0;
      const empty = slice.invalid === slice.values.length;
      minLabel.textContent = empty ? "–" : formatNumber(slice.min);
      maxLabel.textContent = empty ? "–" : formatNumber(slice.max);
      nanKey.hidden = slice.invalid === 0;
      const strided =
        slice.yStep > 1 || slice.xStep > 1 ? ` (every ${slice.yStep > 1 ? `${slice.yStep}th row, ` : ""}${slice.xStep}th column)` : "";
      info.textContent =
        ndim === 0
          ? `value: ${formatNumber(slice.values[0] as number)}`
          : `${slice.ny > 1 || ndim >= 2 ? `${slice.ny} × ` : ""}${slice.nx} values${strided}, min ${minLabel.textContent}, max ${maxLabel.textContent}` +
            `${slice.invalid > 0 ? `, ${slice.invalid} NaN/fill` : ""}; read in ${ms.toFixed(0)} ms`;
      canvas.dataset.state = "ready";
      events.onDone({ variable: path, selection, raw, slice, decoded: decode, ms });
    } catch (e) {
      if (mine !== generation) return;
      canvas.dataset.state = "error";
      info.textContent = `cannot read ${path}: ${(e as Error).message}`;
      events.onError(e);
    }
  }

  renderSliders();
  void redraw();
  const figure =
    ndim === 0
      ? h("div", { class: "plot-area scalar" })
      : h(
          "div",
          { class: "plot-area" },
          canvas,
          ndim >= 2 ? h("div", { class: "colorbar-row" }, minLabel, colorbar, maxLabel, nanKey) : null,
        );
  return h("section", { class: "plot", "aria-label": "plot" }, h("h3", {}, "Plot"), controls, sliders, figure, info, readout);
}

function coordUnits(entry: Entry, groupPath: string, dim: string): string | undefined {
  const units = entry.ds.group(groupPath).variables.get(dim)?.attrs.units;
  return typeof units === "string" ? units : undefined;
}

const UNIT_MS: Record<string, number> = { second: 1e3, minute: 60e3, hour: 3600e3, day: 86400e3 };

/** CF times (`hours since 2000-01-01`) as ISO dates; other values as numbers with units. */
export function formatCoordinate(value: number, units: string | undefined): string {
  const m =
    units === undefined
      ? null
      : /^\s*(second|minute|hour|day)s?\s+since\s+(\d{1,4}-\d{1,2}-\d{1,2})(?:[ T](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?/i.exec(units);
  if (m !== null) {
    const [, unit = "", date = "", time = "00:00:00"] = m;
    const [y = "", mo = "", d = ""] = date.split("-");
    const origin = Date.parse(
      `${y.padStart(4, "0")}-${mo.padStart(2, "0")}-${d.padStart(2, "0")}T${time.length === 5 ? `${time}:00` : time}Z`,
    );
    const ms = origin + value * (UNIT_MS[unit.toLowerCase()] ?? Number.NaN);
    if (Number.isFinite(ms) && Math.abs(ms) < 8.64e15)
      return new Date(ms)
        .toISOString()
        .replace(/T00:00:00\.000Z$/, "")
        .replace(/\.000Z$/, "Z");
  }
  return `${formatNumber(value)}${units === undefined ? "" : ` ${units}`}`;
}

function preview(r: ReadResult): string {
  if (Array.isArray(r.data))
    return r.data
      .slice(0, 8)
      .map((s) => JSON.stringify(s))
      .join(", ");
  const bytes = r.data as Uint8Array;
  return new TextDecoder().decode(bytes.subarray(0, 64)).replace(/\0/g, "");
}
