/**
 * Picks the byte source for an input by its scheme. `http(s)://` and `s3://` work everywhere
 * (fetch); local paths and `file://` are registered by the Node platform.
 */
import { UnsupportedFeatureError } from "../errors/vzarr-error.js";
import type { ByteSource } from "./byte-source.js";
import { HttpSource } from "./http.js";
import { S3Source } from "./s3.js";
import { schemeOf } from "./url-scheme.js";

type Opener = (url: string) => ByteSource;

const openers = new Map<string, Opener>([
  ["http", (u) => new HttpSource(u)],
  ["https", (u) => new HttpSource(u)],
  ["s3", (u) => new S3Source(u)],
]);

export function registerSourceOpener(scheme: string, open: Opener): void {
  openers.set(scheme, open);
}

export function openSource(input: string): ByteSource {
  // A bare path (no scheme) is a local file.
  const scheme = schemeOf(input) || "file";
  const open = openers.get(scheme);
  if (open === undefined) {
    const known = [...openers.keys()].map((s) => `${s}://`).join(", ");
    throw new UnsupportedFeatureError(
      `cannot read ${scheme === "file" ? "local files in this environment" : `${scheme}:// URLs`} (supported: ${known})`,
      {
        file: input,
      },
    );
  }
  return open(input);
}
