/**
 * The `vzarr.grib` codec: the core decodes every GRIB packing itself except JPEG 2000,
 * whose codestream it locates for the host to decode (`jpeg2000.ts`) before it applies the
 * scaling, bitmap and scan order.
 */
import type { Core } from "../backend/core.js";
import type { BytesDecoder, ChunkContext } from "./codec.js";
import { checkCodestreamSize, jpeg2000Decoder } from "./jpeg2000.js";

const SPEC = JSON.stringify({ name: "vzarr.grib", configuration: {} });

export async function decodeGrib(core: Core, message: Uint8Array, ctx: ChunkContext): Promise<Uint8Array> {
  const shape = Float64Array.from(ctx.chunkShape);
  const stream = core.gribJpeg2000Codestream(message);
  if (stream.length === 0) return core.codecDecode(SPEC, message, ctx.dtype, shape);
  const [offset = 0, length = 0, count = 0] = stream;
  if (length > 0) checkCodestreamSize(message.subarray(offset, offset + length), count, ctx.variable);
  const samples = length === 0 ? new Uint32Array(0) : (await jpeg2000Decoder()).decode(message.subarray(offset, offset + length));
  return core.gribDecodeSamples(message, samples, ctx.dtype, shape);
}

export function gribDecoder(core: Core): BytesDecoder {
  return { name: "vzarr.grib", decode: (b, ctx) => decodeGrib(core, b, ctx) };
}
