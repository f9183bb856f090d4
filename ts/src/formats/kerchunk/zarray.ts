/**
 * Checks a `.zarray` document read from a reference set and converts it to the internal
 * model, naming the variable in every error: readers get a clear message instead of a
 * TypeError deep in a writer.
 */
import { CorruptFileError, makeError, UnsupportedFeatureError, VzarrError } from "../../errors/vzarr-error.js";
import type { ArrayMetadata } from "../../metadata/array-metadata.js";
import { fromZarray, type NumcodecsConfig, type Zarray } from "../../metadata/zarr-v2.js";

export function arrayMetadataFromZarray(doc: unknown, variable: string, file?: string): ArrayMetadata {
  const corrupt = (why: string): never => {
    throw new CorruptFileError(`invalid .zarray: ${why}`, { file, variable });
  };
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return corrupt("not a JSON object");
  const z = doc as Record<string, unknown>;
  if (z.zarr_format !== undefined && z.zarr_format !== 2) {
    throw new UnsupportedFeatureError(`zarr_format ${JSON.stringify(z.zarr_format)} in a .zarray`, { file, variable });
  }
  if (typeof z.dtype !== "string") {
    throw new UnsupportedFeatureError(`dtype ${JSON.stringify(z.dtype)} (structured or missing) is not supported`, { file, variable });
  }
  const codec = (c: unknown, what: string): NumcodecsConfig => {
    if (c === null || typeof c !== "object" || typeof (c as { id?: unknown }).id !== "string") {
      return corrupt(`${what} ${JSON.stringify(c)} is not a numcodecs config {"id": ...}`);
    }
    return c as NumcodecsConfig;
  };
  const filters = z.filters ?? null;
  if (filters !== null && !Array.isArray(filters)) corrupt('"filters" must be a list or null');
  const order = z.order ?? "C";
  if (order !== "C" && order !== "F") corrupt(`order ${JSON.stringify(order)}`);
  const zarray: Zarray = {
    zarr_format: 2,
    shape: z.shape as number[],
    chunks: z.chunks as number[],
    dtype: z.dtype,
    compressor: z.compressor === undefined || z.compressor === null ? null : codec(z.compressor, "compressor"),
    filters: filters === null ? null : (filters as unknown[]).map((f) => codec(f, "filter")),
    fill_value: (z.fill_value ?? null) as Zarray["fill_value"],
    order: order as "C" | "F",
  };
  try {
    return fromZarray(zarray);
  } catch (e) {
    if (e instanceof VzarrError && e.variable === undefined) {
      throw makeError(e.kind, e.message, { file, variable, cause: e });
    }
    throw e;
  }
}
