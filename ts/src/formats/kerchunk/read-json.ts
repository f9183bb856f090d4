/**
 * Reads a kerchunk reference set in JSON — version 0 (a flat object of keys) or version 1
 * (`{"version": 1, "templates", "gen", "refs"}`) — into a VirtualDataset.
 *
 * Reference values: metadata as JSON text or objects; inline data as `"base64:…"` or a
 * plain string (its UTF-8 bytes); `[url]` for a whole file; `[url, offset, length]` for a
 * byte range; `url` may be `null` (the `target` option), hold `{{template}}` holes, or be
 * relative (resolved against `baseUrl`, by default the reference file's directory).
 * Whole-file references get their length from the file's size when the set is opened
 * (`statSize`), since manifests record byte ranges.
 *
 * The text is parsed from bytes in one pass (see `json-cursor.ts`), so multi-gigabyte
 * reference sets with tens of millions of keys load without building a string or an
 * object per reference.
 */
import type { Core } from "../../backend/core.js";
import { currentBackend } from "../../backend/load.js";
import type { VirtualDataset } from "../../dataset/virtual-dataset.js";
import { CorruptFileError, UnsupportedFeatureError } from "../../errors/vzarr-error.js";
import { decodeBase64 } from "../../io/base64.js";
import { parseJsonLenient } from "../../metadata/json-lenient.js";
import { datasetFromHierarchy } from "./dataset-from-refs.js";
import { expandGen } from "./gen.js";
import { JsonCursor, type StringSpan, sameBytes } from "./json-cursor.js";
import { ReferenceCollector, WHOLE_FILE } from "./reference-collector.js";
import { resolveReferenceUrl } from "./reference-urls.js";
import type { TemplateValue } from "./template.js";

export interface KerchunkReadOptions {
  /** Directory URL (or absolute path) that relative reference URLs are resolved against. */
  baseUrl?: string;
  /** The URL meant by references whose url is `null`. */
  target?: string;
  /** Replace or add `templates` of a version 1 set (fsspec's `template_overrides`). */
  templates?: Readonly<Record<string, string>>;
  /** Open only this group and below. */
  group?: string;
  dropVariables?: readonly string[];
  /** File sizes for whole-file references (`[url]`). */
  statSize?: (url: string) => Promise<number>;
  /** Checks the locations the set references before any of them is touched (NotAllowed). */
  authorize?: (urls: readonly string[]) => Promise<void>;
  /** Refuse sets with more chunk references than this (default 2^31). */
  maxReferences?: number;
  core?: Core;
}

const KEY_VERSION = bytesOf("version");
const KEY_TEMPLATES = bytesOf("templates");
const KEY_GEN = bytesOf("gen");
const KEY_REFS = bytesOf("refs");
const BASE64 = bytesOf("base64:");

/** Parses reference JSON bytes. `file` names the source in errors. */
export async function readKerchunkJson(
  input: Uint8Array | string,
  options: KerchunkReadOptions & { file?: string } = {},
): Promise<VirtualDataset> {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  const file = options.file;
  const collector = new ReferenceCollector(file, options.maxReferences ?? 2 ** 31);
  const cur = new JsonCursor(bytes, file);
  const entries = new EntryReader(cur, collector);
  const top = new Map<string, unknown>();
  cur.expect(0x7b);
  if (!cur.accept(0x7d)) {
    do {
      const key = cur.string();
      cur.expect(0x3a);
      const special = specialKey(cur, key);
      if (special === "refs" && cur.peek() === 0x7b) entries.object();
      else if (special !== undefined) top.set(special, parseTopLevel(cur, special));
      else entries.entry(key);
    } while (cur.separator(0x7d));
  }
  if (cur.peek() !== -1) cur.fail("unexpected text after the reference object");

  if (top.has("refs")) throw new CorruptFileError('"refs" must be an object', { file });
  const version = top.get("version");
  if (version !== undefined && version !== 1) {
    throw new UnsupportedFeatureError(`reference set version ${JSON.stringify(version)}; versions 0 and 1 are supported`, { file });
  }
  const templates = templateVariables(top.get("templates"), options.templates, file);
  const urlOptions = { baseUrl: options.baseUrl, target: options.target, templates, file };
  const gen = top.get("gen");
  if (gen !== undefined) {
    const encoder = new TextEncoder();
    expandGen(
      gen,
      templates,
      (ref) => {
        const key = encoder.encode(ref.key);
        const id = collector.urlId(ref.url);
        if (ref.offset === undefined) collector.addRef(key, 0, key.length, id, 0, WHOLE_FILE);
        else collector.addRef(key, 0, key.length, id, ref.offset, ref.length ?? 0);
      },
      { file, maxReferences: (options.maxReferences ?? 2 ** 31) - collector.references },
    );
  }
  // A consolidated `.zmetadata` fills in metadata documents the set does not list by key.
  const consolidated = (collector.metadata.get(".zmetadata") as { metadata?: unknown } | undefined)?.metadata;
  if (consolidated !== null && typeof consolidated === "object") {
    for (const [key, doc] of Object.entries(consolidated)) if (!collector.metadata.has(key)) collector.addMetadata(key, doc);
  }
  const arrays = collector.finish();
  const urls = collector.urls.map((u) => resolveReferenceUrl(u, urlOptions));
  return datasetFromHierarchy(
    { metadata: collector.metadata, arrays, urls },
    {
      group: options.group,
      dropVariables: options.dropVariables,
      statSize: options.statSize,
      authorize: options.authorize,
      core: options.core ?? currentBackend(),
      format: "kerchunk-json",
      file,
    },
  );
}

/** Reads the entries of a reference object into the collector. */
class EntryReader {
  /** The previous URL literal: consecutive keys mostly repeat it, so it is not decoded again. */
  #lastUrl = { start: 0, end: -1, id: 0 };
  /** Keys with escaped slashes (ujson writes `\/`) are unescaped here, not into a new buffer each. */
  readonly #keyScratch = new Uint8Array(4096);

  constructor(
    private readonly cur: JsonCursor,
    private readonly collector: ReferenceCollector,
  ) {}

  /** The whole `refs` object. */
  object(): void {
    const cur = this.cur;
    cur.expect(0x7b);
    if (cur.accept(0x7d)) return;
    do {
      const key = cur.string();
      cur.expect(0x3a);
      this.entry(key);
    } while (cur.separator(0x7d));
  }

  /** One `"key": value` (the key and colon already read). */
  entry(key: StringSpan): void {
    const { cur, collector } = this;
    let buf = cur.buf;
    let kStart = key.start;
    let kEnd = key.end;
    if (key.escaped) {
      buf = cur.unescapeSlashes(key, this.#keyScratch) ?? cur.bytes(key);
      kStart = 0;
      kEnd = buf.length;
    }
    const isMetadata = ReferenceCollector.isMetadataKey(buf, kStart, kEnd);
    const c = cur.peek();
    if (c === 0x22) {
      const value = cur.string();
      if (isMetadata) collector.addMetadata(cur.text(key), cur.text(value));
      else collector.addInline(buf, kStart, kEnd, this.inlineBytes(value));
    } else if (c === 0x5b) {
      if (isMetadata) {
        throw new UnsupportedFeatureError(`metadata ${cur.text(key)} is given as a reference to another file`, { file: cur.file });
      }
      this.list(buf, kStart, kEnd);
    } else if (c === 0x7b) {
      const start = cur.skipValue();
      // fsspec serves an object value as its JSON text.
      if (isMetadata) collector.addMetadata(cur.text(key), cur.slice(start));
      else collector.addInline(buf, kStart, kEnd, cur.buf.slice(start, cur.pos));
    } else {
      cur.fail(`the value of ${JSON.stringify(cur.text(key))} must be a string, a list or an object${cur.found()}`);
    }
  }

  private list(buf: Uint8Array, kStart: number, kEnd: number): void {
    const { cur, collector } = this;
    cur.expect(0x5b);
    let id: number;
    if (cur.acceptNull()) id = collector.urlId(null);
    else {
      const url = cur.string();
      const last = this.#lastUrl;
      // equal literal bytes (escapes included) are equal values
      if (sameBytes(cur.buf, url.start, url.end, last.start, last.end)) id = last.id;
      else {
        id = collector.urlId(cur.text(url));
        this.#lastUrl = { start: url.start, end: url.end, id };
      }
    }
    if (!cur.separator(0x5d)) {
      collector.addRef(buf, kStart, kEnd, id, 0, WHOLE_FILE);
      return;
    }
    const offset = cur.unsignedInteger("offset");
    cur.expect(0x2c);
    const length = cur.unsignedInteger("length");
    cur.expect(0x5d);
    collector.addRef(buf, kStart, kEnd, id, offset, length);
  }

  /** Inline data: `base64:` + base64, or the string's own UTF-8 bytes. */
  private inlineBytes(value: StringSpan): Uint8Array {
    const raw = this.cur.bytes(value);
    if (startsWith(raw, BASE64)) {
      try {
        return decodeBase64(new TextDecoder().decode(raw.subarray(BASE64.length)));
      } catch (e) {
        throw new CorruptFileError("invalid base64 inline data", { file: this.cur.file, offset: value.start, cause: e });
      }
    }
    return raw.slice();
  }
}

function parseTopLevel(cur: JsonCursor, name: string): unknown {
  const start = cur.skipValue();
  try {
    return parseJsonLenient(cur.slice(start));
  } catch (e) {
    return cur.fail(`"${name}" is not valid JSON: ${(e as Error).message}`, start);
  }
}

function specialKey(cur: JsonCursor, key: StringSpan): "version" | "templates" | "gen" | "refs" | undefined {
  if (key.escaped) return undefined;
  const b = cur.buf;
  const is = (name: Uint8Array) => key.end - key.start === name.length && name.every((x, i) => b[key.start + i] === x);
  if (is(KEY_REFS)) return "refs";
  if (is(KEY_VERSION)) return "version";
  if (is(KEY_TEMPLATES)) return "templates";
  if (is(KEY_GEN)) return "gen";
  return undefined;
}

function templateVariables(
  declared: unknown,
  overrides: Readonly<Record<string, string>> | undefined,
  file: string | undefined,
): Map<string, TemplateValue> {
  if (declared !== undefined && (declared === null || typeof declared !== "object" || Array.isArray(declared))) {
    throw new CorruptFileError('"templates" must be an object of strings', { file });
  }
  const out = new Map<string, TemplateValue>();
  for (const [name, value] of Object.entries({ ...(declared as Record<string, unknown> | undefined), ...overrides })) {
    if (typeof value !== "string") throw new CorruptFileError(`template ${name} is not a string`, { file });
    if (value.includes("{{")) {
      throw new UnsupportedFeatureError(
        `template ${name} is itself a template (a Jinja macro); only plain string templates are supported`,
        {
          file,
        },
      );
    }
    out.set(name, value);
  }
  return out;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
