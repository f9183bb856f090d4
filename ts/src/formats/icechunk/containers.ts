/**
 * Virtual chunk containers: the URL prefixes a repository declares for its virtual refs,
 * each with the kind of store that serves it. Readers (Python icechunk) refuse to fetch a
 * virtual chunk unless the container that matches its URL (longest `url_prefix` match) is
 * declared in the config *and* authorized by the caller under exactly that `url_prefix`
 * (`authorize_virtual_chunk_access={prefix: …}` is a dictionary lookup, not a prefix test).
 *
 * Default rule (when the caller passes no containers), per distinct location:
 * * `file://` — one container at the deepest directory shared by all local files; if the
 *   only shared directory is the root (`file:///` is rejected by icechunk: "must include a
 *   path"), one per top-level directory, each at the deepest directory its files share;
 * * `s3://bucket/…`, `gs://…`, `az://…` — one per bucket (`s3://bucket/`);
 * * `http(s)://host/…` — one per scheme + host (+ port).
 */
import { encode as flexEncode } from "flatbuffers/js/flexbuffers.js";
import { InvalidArgumentError, UnsupportedFeatureError } from "../../errors/vzarr-error.js";
import { schemeOf } from "../../io/url-scheme.js";
import { decodeFlex } from "./metadata-values.js";

export type ContainerStore =
  | { kind: "local_file_system"; path: string }
  | {
      kind: "s3" | "s3_compatible" | "tigris";
      region?: string;
      endpointUrl?: string;
      anonymous?: boolean;
      allowHttp?: boolean;
      forcePathStyle?: boolean;
    }
  | { kind: "http" }
  | { kind: "gcs" }
  | { kind: "azure"; account?: string };

export interface VirtualChunkContainer {
  /** Must end in `/`. */
  urlPrefix: string;
  /** Optional name, for `vcc://<name>/…` locations. */
  name?: string;
  store: ContainerStore;
}

/** S3 settings used for `s3://` containers that are given by prefix only. */
export interface S3ContainerOptions {
  region?: string;
  endpointUrl?: string;
  allowHttp?: boolean;
  anonymous?: boolean;
  forcePathStyle?: boolean;
}

/** A container for a bare URL prefix, with the store its scheme implies. */
export function containerForPrefix(prefix: string, s3: S3ContainerOptions = {}): VirtualChunkContainer {
  const urlPrefix = prefix.endsWith("/") ? prefix : `${prefix}/`;
  const scheme = schemeOf(urlPrefix);
  switch (scheme) {
    case "file": {
      const path = decodeURIComponent(urlPrefix.slice("file://".length));
      if (path.length < 2 || !path.startsWith("/")) {
        throw new InvalidArgumentError(`a file:// container needs an absolute directory below the root, got ${JSON.stringify(prefix)}`);
      }
      return { urlPrefix, store: { kind: "local_file_system", path } };
    }
    case "s3":
      return {
        urlPrefix,
        store: {
          kind: s3.endpointUrl === undefined ? "s3" : "s3_compatible",
          ...(s3.region === undefined ? {} : { region: s3.region }),
          ...(s3.endpointUrl === undefined ? {} : { endpointUrl: s3.endpointUrl }),
          anonymous: s3.anonymous ?? false,
          allowHttp: s3.allowHttp ?? false,
          forcePathStyle: s3.forcePathStyle ?? s3.endpointUrl !== undefined,
        },
      };
    case "http":
    case "https":
      return { urlPrefix, store: { kind: "http" } };
    case "gs":
    case "gcs":
      return { urlPrefix, store: { kind: "gcs" } };
    case "az":
    case "azure":
    case "abfs":
      return { urlPrefix, store: { kind: "azure" } };
    case "tigris":
      return { urlPrefix, store: { kind: "tigris", anonymous: s3.anonymous ?? false, allowHttp: s3.allowHttp ?? false } };
    default:
      throw new UnsupportedFeatureError(`no Icechunk virtual chunk container kind for ${JSON.stringify(prefix)}`);
  }
}

/** The default containers for a set of chunk locations (absolute URLs); see the module doc. */
export function defaultContainerPrefixes(locations: Iterable<string>): string[] {
  const out = new Set<string>();
  const files: string[][] = [];
  for (const url of locations) {
    const scheme = schemeOf(url);
    if (scheme === "file") {
      const path = decodeURIComponent(url.slice("file://".length));
      files.push(path.split("/").slice(1, -1)); // directory segments
    } else if (scheme !== "") {
      const m = /^([a-z][a-z0-9+.-]*:\/\/[^/]*)/i.exec(url);
      if (m !== null) out.add(`${scheme}${(m[1] as string).slice(scheme.length)}/`);
    }
  }
  const byTop = new Map<string, string[][]>();
  for (const dirs of files) {
    const top = dirs[0];
    if (top === undefined) throw new InvalidArgumentError("a virtual chunk in a file directly under / cannot have an Icechunk container");
    const group = byTop.get(top) ?? [];
    group.push(dirs);
    byTop.set(top, group);
  }
  for (const group of byTop.values()) {
    const first = group[0] as string[];
    let n = first.length;
    for (const dirs of group) {
      let k = 0;
      while (k < n && k < dirs.length && dirs[k] === first[k]) k++;
      n = k;
    }
    out.add(`file:///${first.slice(0, n).join("/")}/`);
  }
  return [...out].sort();
}

/** The container whose prefix is the longest match of `url` (how icechunk resolves). */
export function matchContainer(containers: readonly VirtualChunkContainer[], url: string): VirtualChunkContainer | undefined {
  let best: VirtualChunkContainer | undefined;
  for (const c of containers) {
    if (url.startsWith(c.urlPrefix) && (best === undefined || c.urlPrefix.length > best.urlPrefix.length)) best = c;
  }
  return best;
}

/** `vcc://name/rel` → the container's prefix + `rel`; other locations unchanged. */
export function resolveLocation(containers: readonly VirtualChunkContainer[], location: string): string {
  if (!location.startsWith("vcc://")) return location;
  const rest = location.slice("vcc://".length);
  const slash = rest.indexOf("/");
  const name = slash < 0 ? rest : rest.slice(0, slash);
  const c = containers.find((x) => x.name === name);
  if (c === undefined || slash < 0)
    throw new InvalidArgumentError(`no virtual chunk container named ${JSON.stringify(name)} for ${location}`);
  return c.urlPrefix + rest.slice(slash + 1);
}

function storeToSerde(store: ContainerStore): Record<string, unknown> {
  switch (store.kind) {
    case "local_file_system":
      return { local_file_system: store.path };
    case "http":
      return { http: {} };
    case "gcs":
      return { gcs: {} };
    case "azure":
      return { azure: store.account === undefined ? {} : { account: store.account } };
    default: {
      const opts: Record<string, unknown> = {
        anonymous: store.anonymous ?? false,
        allow_http: store.allowHttp ?? false,
        force_path_style: store.forcePathStyle ?? false,
        requester_pays: false,
      };
      if (store.region !== undefined) opts.region = store.region;
      if (store.endpointUrl !== undefined) opts.endpoint_url = store.endpointUrl;
      return { [store.kind]: opts };
    }
  }
}

function storeFromSerde(value: unknown): ContainerStore | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const [kind, body] = Object.entries(value as Record<string, unknown>)[0] ?? [];
  const o = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  switch (kind) {
    case "local_file_system":
      return { kind, path: String(body) };
    case "http":
    case "gcs":
      return { kind };
    case "azure":
      return { kind, ...(typeof o.account === "string" ? { account: o.account } : {}) };
    case "s3":
    case "s3_compatible":
    case "tigris":
      return {
        kind,
        ...(typeof o.region === "string" ? { region: o.region } : {}),
        ...(typeof o.endpoint_url === "string" ? { endpointUrl: o.endpoint_url } : {}),
        anonymous: o.anonymous === true,
        allowHttp: o.allow_http === true,
        forcePathStyle: o.force_path_style === true,
      };
    default:
      return undefined;
  }
}

/** The repository config as stored (a serde map), with our containers merged in. */
export function configWithContainers(
  existing: Record<string, unknown> | null,
  containers: readonly VirtualChunkContainer[],
): Record<string, unknown> {
  const config: Record<string, unknown> = { ...(existing ?? {}) };
  const map: Record<string, unknown> = { ...((config.virtual_chunk_containers as Record<string, unknown> | undefined) ?? {}) };
  for (const c of containers) {
    map[c.urlPrefix] = { ...(c.name === undefined ? {} : { name: c.name }), url_prefix: c.urlPrefix, store: storeToSerde(c.store) };
  }
  config.virtual_chunk_containers = map;
  return config;
}

export function encodeConfig(config: Record<string, unknown>): Uint8Array {
  return flexEncode(config);
}

export function decodeConfig(bytes: Uint8Array | null, file: string): Record<string, unknown> | null {
  if (bytes === null) return null;
  const value = decodeFlex(bytes, file);
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** Containers declared in a config (invalid entries are skipped, as icechunk does). */
export function containersOf(config: Record<string, unknown> | null): VirtualChunkContainer[] {
  const map = config?.virtual_chunk_containers;
  if (typeof map !== "object" || map === null) return [];
  const out: VirtualChunkContainer[] = [];
  for (const entry of Object.values(map as Record<string, unknown>)) {
    if (typeof entry !== "object" || entry === null) continue;
    const e = entry as Record<string, unknown>;
    const store = storeFromSerde(e.store);
    if (typeof e.url_prefix !== "string" || store === undefined) continue;
    const urlPrefix = e.url_prefix.endsWith("/") ? e.url_prefix : `${e.url_prefix}/`;
    out.push({ urlPrefix, store, ...(typeof e.name === "string" ? { name: e.name } : {}) });
  }
  return out;
}

/**
 * The `url_prefix` of each virtual chunk container in a spec-1 repository's `config.yaml`
 * (icechunk 1 wrote its config as YAML: `virtual_chunk_containers:` maps names to entries
 * with a `url_prefix:` line). Only that block is read; the rest of the file is ignored.
 */
export function spec1ContainerPrefixes(yaml: string): string[] {
  const lines = yaml.split(/\r?\n/);
  const start = lines.findIndex((l) => /^virtual_chunk_containers:\s*$/.test(l));
  if (start < 0) return [];
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break; // the next top-level key
    const m = /^\s+url_prefix:\s*(.+?)\s*$/.exec(line);
    if (m !== null) out.push((m[1] as string).replace(/^(['"])(.*)\1$/, "$2"));
  }
  return out;
}
