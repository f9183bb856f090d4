/**
 * Registers the core's codecs (HDF5 filters, GRIB) with zarrita, so arrays read through
 * `openStore` + zarrita decode exactly as through `readArray`.
 */
import type * as Zarrita from "zarrita";
import type { Core } from "../backend/core.js";
import { dtypeFromZarrV3 } from "../metadata/dtype.js";
import { decodeGrib } from "./grib.js";

type ChunkMeta = { dataType: unknown; shape: number[] };

const registered = new WeakSet<Core>();

/** Format codecs that turn bytes into values (array→bytes in Zarr terms). */
const ARRAY_TO_BYTES = new Set(["vzarr.grib"]);

function strides(shape: readonly number[]): number[] {
  const out = shape.map(() => 1);
  for (let a = shape.length - 2; a >= 0; a--) out[a] = (out[a + 1] as number) * (shape[a + 1] as number);
  return out;
}

/** zarrita loads on first use: ~15 ms of modules that opening and scanning files never need. */
export async function registerZarritaCodecs(core: Core): Promise<typeof Zarrita> {
  const zarr = await import("zarrita");
  if (registered.has(core)) return zarr;
  registered.add(core);
  for (const name of core.codecSupported()) {
    // zarrita's own implementations of numcodecs names stay; the core adds what it lacks.
    if (zarr.registry.has(name) && !name.startsWith("vzarr.")) continue;
    const kind = ARRAY_TO_BYTES.has(name) ? "array_to_bytes" : "bytes_to_bytes";
    zarr.registry.set(name, async () => ({
      kind,
      fromConfig: (config: unknown, meta: ChunkMeta) => {
        const spec = JSON.stringify({ name, configuration: config ?? {} });
        const dtype = dtypeFromZarrV3(meta.dataType).text;
        const shape = Float64Array.from(meta.shape);
        const decodeBytes = (bytes: Uint8Array) =>
          name === "vzarr.grib" ? decodeGrib(core, bytes, { dtype, chunkShape: meta.shape }) : core.codecDecode(spec, bytes, dtype, shape);
        return {
          kind,
          encode: () => {
            throw new Error(`vzarr cannot encode ${name}`);
          },
          decode:
            kind === "bytes_to_bytes"
              ? decodeBytes
              : async (bytes: Uint8Array) => {
                  const out = await decodeBytes(bytes);
                  return {
                    data: new Float64Array(out.buffer, out.byteOffset, out.byteLength / 8),
                    shape: meta.shape,
                    stride: strides(meta.shape),
                  };
                },
        } as never;
      },
    }));
  }
  return zarr;
}
