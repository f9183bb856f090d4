/** Picks the byte source for an input: local path / `file://` (more schemes as they land). */
import { UnsupportedFeatureError } from "../errors/vzarr-error.js";
import type { ByteSource } from "./byte-source.js";
import { LocalFileSource } from "./local-file.js";

export function openSource(input: string): ByteSource {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(input)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === "file") return new LocalFileSource(input);
  throw new UnsupportedFeatureError(`cannot read ${scheme}:// URLs yet`, { file: input });
}
