/**
 * Moving read results out of a page: values as their raw little-endian bytes (exact for NaN,
 * bigints and every dtype), compared with what Node reads from the same file.
 */
import type { Page } from "playwright-core";
import type { ReadResult } from "../../ts/src/store/read-variable.js";
import type { Selection } from "../../ts/src/store/selection.js";

export interface PageValues {
  dtype: string;
  shape: number[];
  /** Typed array class (`Float32Array`…), or `strings`. */
  kind: string;
  bytes: number[];
  strings?: string[];
}

/** The same shape of data from a Node read result. */
export function nodeValues(r: ReadResult): PageValues {
  if (Array.isArray(r.data)) return { dtype: r.dtype, shape: r.shape, kind: "strings", bytes: [], strings: r.data };
  const d = r.data as ArrayBufferView;
  return {
    dtype: r.dtype,
    shape: r.shape,
    kind: d.constructor.name,
    bytes: Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)),
  };
}

/** A typed array rebuilt from page bytes (to digest it like Node results). */
export function asReadResult(v: PageValues): ReadResult {
  if (v.kind === "strings") return { dtype: v.dtype, shape: v.shape, data: v.strings ?? [] };
  const ctor = (globalThis as unknown as Record<string, new (b: ArrayBuffer) => ReadResult["data"]>)[v.kind];
  if (ctor === undefined) throw new Error(`unknown array kind ${v.kind}`);
  return { dtype: v.dtype, shape: v.shape, data: new ctor(Uint8Array.from(v.bytes).buffer) };
}

/** The bundle as a page that loaded it with `<script type="module">` exposes it. */
export type BrowserApi = typeof import("../../ts/src/browser.js");
declare global {
  interface Window {
    vz: BrowserApi;
  }
}

/**
 * Runs `readArray` of the bundle (loaded by the page as `window.vz`) inside the page. `input` is a URL, or
 * `{ blobOf: url }` to fetch the file first and read it as a local `File`.
 */
export function pageRead(
  page: Page,
  input: string | { blobOf: string; name: string },
  variable: string,
  selection?: Selection,
): Promise<PageValues> {
  return page.evaluate(
    async ({ input, variable, selection }) => {
      const vz = window.vz;
      let source: string | File;
      if (typeof input === "string") source = input;
      else source = new File([await (await fetch(input.blobOf)).arrayBuffer()], input.name);
      const r = await vz.readArray(source, variable, selection ?? undefined);
      if (Array.isArray(r.data)) return { dtype: r.dtype, shape: r.shape, kind: "strings", bytes: [], strings: r.data };
      const d = r.data as ArrayBufferView;
      return {
        dtype: r.dtype,
        shape: r.shape,
        kind: d.constructor.name,
        bytes: Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)),
      };
    },
    { input, variable, selection: selection ?? null },
  );
}
