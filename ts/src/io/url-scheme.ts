/**
 * The scheme of an input (`s3` for `s3://bucket/key`), the one rule every module uses to tell
 * URLs from local paths. Kept apart from the stores that act on schemes so that probing an
 * input (done for every file) loads none of them.
 */
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** The lower-case scheme of a URL, or `""` for a plain path. */
export function schemeOf(input: string): string {
  return SCHEME.exec(input)?.[1]?.toLowerCase() ?? "";
}

/** A plain path or a `file://` URL. */
export function isLocalInput(input: string): boolean {
  const scheme = schemeOf(input);
  return scheme === "" || scheme === "file";
}
