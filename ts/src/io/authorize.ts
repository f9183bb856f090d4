/**
 * Which locations references may make vzarr read. A reference set (kerchunk JSON/Parquet, an
 * Icechunk repository, a Zarr store) is data from elsewhere: the byte ranges it names are
 * followed only where the caller authorized.
 *
 * * With an explicit allow-list (`allow`, CLI `--allow`): only locations under one of its
 *   prefixes, wherever the reference set came from.
 * * Otherwise by where the reference set was opened from: a local one may name any location
 *   (the everyday `refs /data/*.nc -o ~/x.json`, then `cat ~/x.json`); a remote one
 *   (http(s), s3, …) never names local files, nor loopback, link-local or private-network
 *   hosts other than its own origin (a reference set served by a web page must not make a
 *   notebook server or service read `/etc/passwd` or call `http://127.0.0.1:…`).
 *
 * Locations are compared in canonical form (`canonicalLocation`): percent-decoded, `.`/`..`
 * resolved, local symlinks resolved, encoded path separators refused — so spellings cannot
 * slip past a prefix.
 */
import { InvalidArgumentError, NotAllowedError } from "../errors/vzarr-error.js";
import { isLocalInput, schemeOf } from "./url-scheme.js";

export interface ReferencePolicy {
  /** Where the reference set was opened from (its path or URL). */
  origin: string;
  /** Only locations under these prefixes (canonical or not: they are canonicalised). */
  allow?: readonly string[];
}

/** Platform hooks (Node): local paths resolved through symlinks, host names to addresses. */
export interface LocationResolver {
  /** `file://` URL → canonical `file://` URL (real path of the file or of its nearest existing parent). */
  realFileUrl(url: string): string;
  /** The addresses a host name resolves to (empty when it cannot be resolved). */
  lookup?(host: string): Promise<string[]>;
}

let resolver: LocationResolver | undefined;

export function setLocationResolver(r: LocationResolver): void {
  resolver = r;
}

const ENCODED_SEPARATOR = /%(2f|5c)/i;

/**
 * A location in canonical form: an absolute URL (`file://` for local paths), with `.`/`..`
 * and percent-encoded dots resolved, and for local files the real path. Encoded separators
 * (`%2F`, `%5C`) are refused: readers would decode them into path separators a prefix check
 * did not see.
 */
export function canonicalLocation(location: string): string {
  if (ENCODED_SEPARATOR.test(location)) {
    throw new NotAllowedError(`${location}: encoded path separators (%2F, %5C) are not accepted in a location`, { file: location });
  }
  if (isLocalInput(location)) {
    let url: URL;
    try {
      url = schemeOf(location) === "file" ? new URL(location) : new URL(`file://${encodePath(absolute(location))}`);
    } catch {
      throw new InvalidArgumentError(`not a valid path or file URL: ${location}`, { file: location });
    }
    // new URL resolves `.`/`..` (also spelled %2e); decoding happens where the path is opened.
    const href = `file://${url.pathname}`;
    if (resolver === undefined) return href;
    try {
      return resolver.realFileUrl(href);
    } catch (e) {
      // a percent-escape that is no UTF-8 (`%E0`): the URL parses, its path does not decode
      if (e instanceof URIError) throw new InvalidArgumentError(`not a valid path or file URL: ${location}`, { file: location });
      throw e;
    }
  }
  try {
    const url = new URL(location);
    url.hash = "";
    return url.href;
  } catch {
    throw new InvalidArgumentError(`not a valid URL: ${location}`, { file: location });
  }
}

function absolute(path: string): string {
  if (path.startsWith("/")) return path;
  const cwd = typeof process !== "undefined" && typeof process.cwd === "function" ? process.cwd() : "/";
  return `${cwd.replace(/\/+$/, "")}/${path}`;
}

function encodePath(path: string): string {
  return path
    .split("/")
    .map((s) => encodeURIComponent(s))
    .join("/");
}

/** Is `location` (canonical) under `prefix` (canonical), at a path-segment boundary? */
export function underPrefix(location: string, prefix: string): boolean {
  if (location === prefix) return true;
  if (!location.startsWith(prefix)) return false;
  return prefix.endsWith("/") || location[prefix.length] === "/";
}

/** Loopback, link-local, private-network and unspecified addresses (IPv4, IPv6). */
export function isPrivateAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(h.replace(/^::ffff:/, ""));
  if (v4 !== null) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (h.includes(":")) {
    return h === "::" || h === "::1" || /^f[cd]/.test(h) || /^fe[89ab]/.test(h);
  }
  return false;
}

function describeOrigin(policy: ReferencePolicy): string {
  return policy.allow === undefined ? `opened from ${policy.origin}` : `with the allowed prefixes ${JSON.stringify(policy.allow)}`;
}

function refuse(location: string, why: string, policy: ReferencePolicy): never {
  throw new NotAllowedError(
    `refusing to read ${location}: ${why} (reference set ${describeOrigin(policy)}); to allow it, pass --allow ${JSON.stringify(allowHint(location))} (the library's \`allow\` option)`,
    { file: location },
  );
}

function allowHint(location: string): string {
  const slash = location.lastIndexOf("/");
  return slash > location.indexOf("//") + 1 ? location.slice(0, slash + 1) : location;
}

/**
 * Checks one location a reference set names against the policy; throws NotAllowed. Async
 * because a remote reference set's host names are resolved (where the platform can) to
 * catch names that point at private addresses.
 */
export async function authorizeLocation(location: string, policy: ReferencePolicy): Promise<void> {
  const canonical = canonicalLocation(location);
  if (policy.allow !== undefined) {
    const prefixes = policy.allow.map(canonicalLocation);
    if (!prefixes.some((p) => underPrefix(canonical, p))) refuse(canonical, "it is outside the allowed prefixes", policy);
    return;
  }
  if (isLocalInput(policy.origin)) return;
  if (isLocalInput(canonical)) refuse(canonical, "a reference set from a remote location may not name local files", policy);
  const scheme = schemeOf(canonical);
  if (scheme !== "http" && scheme !== "https") return;
  const target = new URL(canonical);
  const origin = schemeOf(policy.origin) === "http" || schemeOf(policy.origin) === "https" ? new URL(policy.origin) : undefined;
  if (origin !== undefined && origin.origin === target.origin) return;
  if (isPrivateAddress(target.hostname)) {
    refuse(
      canonical,
      "a remote reference set may not name loopback, link-local or private-network hosts other than its own origin",
      policy,
    );
  }
  const addresses = (await resolver?.lookup?.(target.hostname.replace(/^\[|\]$/g, ""))) ?? [];
  if (addresses.some(isPrivateAddress)) {
    refuse(canonical, `its host ${target.hostname} resolves to a private address (${addresses.join(", ")})`, policy);
  }
}

/** Checks every distinct location; resolves when all are allowed. */
export async function authorizeLocations(locations: Iterable<string>, policy: ReferencePolicy): Promise<void> {
  const seen = new Set<string>();
  for (const location of locations) {
    if (seen.has(location)) continue;
    seen.add(location);
    await authorizeLocation(location, policy);
  }
}
