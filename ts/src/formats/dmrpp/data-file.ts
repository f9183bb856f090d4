/**
 * Which file a DMR++ sidecar's chunks are in. The core reports each chunk's `href` as
 * written (the Dataset's `dmrpp:href` unless a chunk names its own); here they become URLs:
 * relative hrefs against the sidecar's URL, Hyrax's placeholder (or no href at all) as the
 * file beside the sidecar (its name without `.dmrpp`), and the dataset's href replaced by
 * the caller's `dataFile` when given.
 */
import { isLocalInput } from "../../io/url-scheme.js";

/** What Hyrax writes when the data URL is filled in by the server that serves the sidecar. */
export const DATA_ACCESS_PLACEHOLDER = "OPeNDAP_DMRpp_DATA_ACCESS_URL";

/** The file beside the sidecar: its URL without the `.dmrpp` suffix. */
export function besideSidecar(sidecarUrl: string): string {
  return sidecarUrl.replace(/\.dmrpp$/i, "");
}

/** A local path or URL as the URL the dataset's manifests use. */
export function asUrl(input: string): string {
  if (!isLocalInput(input) || input.startsWith("file:")) return input;
  const cwd = typeof process !== "undefined" && typeof process.cwd === "function" ? process.cwd() : "/";
  return new URL(input, `file://${cwd.endsWith("/") ? cwd : `${cwd}/`}`).href;
}

/** An href of the sidecar as a URL. */
export function resolveHref(href: string, sidecarUrl: string): string {
  if (href === "" || href === DATA_ACCESS_PLACEHOLDER) return besideSidecar(sidecarUrl);
  try {
    return new URL(href, sidecarUrl).href;
  } catch {
    return href;
  }
}

/**
 * The Dataset element's `dmrpp:href` from the sidecar's first bytes (the element comes
 * before any content), or the placeholder when it has none.
 */
export function datasetHref(head: Uint8Array): string {
  const text = new TextDecoder("latin1").decode(head);
  const tag = /<(?:[\w.-]+:)?Dataset\b[^>]*>/.exec(text)?.[0];
  const href = tag === undefined ? undefined : /\s[\w.-]*:?href\s*=\s*("([^"]*)"|'([^']*)')/.exec(tag);
  const raw = href?.[2] ?? href?.[3];
  return raw === undefined ? DATA_ACCESS_PLACEHOLDER : unescapeXml(raw);
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, r: string) => {
    const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
    if (r[0] !== "#") return named[r.toLowerCase()] ?? "";
    return String.fromCodePoint(r[1] === "x" || r[1] === "X" ? Number.parseInt(r.slice(2), 16) : Number(r.slice(1)));
  });
}
