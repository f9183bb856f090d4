/**
 * The URL a reference names, as manifests record it: templates rendered, `null` replaced
 * by the target, local absolute paths as `file://` URLs (what scanners record, so datasets
 * from files and from reference sets combine), relative paths resolved against a base.
 */
import { CorruptFileError, InvalidArgumentError } from "../../errors/vzarr-error.js";
import { compileTemplate, hasTemplate, type TemplateVariables } from "./template.js";

export interface ReferenceUrlOptions {
  /** Directory URL that relative paths are resolved against. */
  baseUrl?: string;
  /** URL of references whose url is `null` (fsspec's `target`). */
  target?: string;
  /** `templates` of a version 1 reference set (plus overrides). */
  templates: TemplateVariables;
  /** Named in errors. */
  file?: string;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** `file://` URL of an absolute POSIX path, percent-encoded like Node's `pathToFileURL`. */
export function fileUrlFromPath(path: string): string {
  const escaped = path.replace(/%/g, "%25").replace(/\?/g, "%3F").replace(/#/g, "%23");
  return new URL(`file://${escaped}`).href;
}

/** A directory URL (ending in `/`) for a base given as URL or absolute path. */
export function directoryUrl(base: string): string {
  const url = SCHEME.test(base) ? base : base.startsWith("/") ? fileUrlFromPath(base) : undefined;
  if (url === undefined) throw new InvalidArgumentError(`base URL ${JSON.stringify(base)} must be a URL or an absolute path`);
  return url.endsWith("/") ? url : `${url}/`;
}

/** The directory of a file URL or path (where its sibling files are). */
export function parentUrl(fileUrl: string): string {
  return new URL(".", SCHEME.test(fileUrl) ? fileUrl : fileUrlFromPath(fileUrl)).href;
}

export function resolveReferenceUrl(raw: string | null, options: ReferenceUrlOptions): string {
  if (raw === null) {
    if (options.target === undefined) {
      throw new InvalidArgumentError(
        "the reference set has references with a null URL; pass the `target` option to say which file they mean",
        {
          file: options.file,
        },
      );
    }
    return resolveReferenceUrl(options.target, { ...options, target: undefined });
  }
  // fsspec renders templates only when the reference set defines some.
  const url = options.templates.size > 0 && hasTemplate(raw) ? compileTemplate(raw)(options.templates) : raw;
  if (SCHEME.test(url)) return url;
  if (url.startsWith("/")) return fileUrlFromPath(url);
  if (url === "") throw new CorruptFileError("a reference has an empty URL", { file: options.file });
  if (options.baseUrl === undefined) {
    throw new InvalidArgumentError(`relative URL ${JSON.stringify(url)} in a reference set read without a base URL (option baseUrl)`, {
      file: options.file,
    });
  }
  return new URL(url, directoryUrl(options.baseUrl)).href;
}
