/** Picks the byte source for an input by its scheme: local path / `file://`, `http(s)://`, `s3://`. */
import { UnsupportedFeatureError } from "../errors/vzarr-error.js";
import type { ByteSource } from "./byte-source.js";
import { HttpSource } from "./http.js";
import { LocalFileSource } from "./local-file.js";
import { S3Source } from "./s3.js";

export function openSource(input: string): ByteSource {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(input)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === "file") return new LocalFileSource(input);
  if (scheme === "http" || scheme === "https") return new HttpSource(input);
  if (scheme === "s3") return new S3Source(input);
  throw new UnsupportedFeatureError(`cannot read ${scheme}:// URLs (supported: local paths, file://, http(s)://, s3://)`, { file: input });
}
