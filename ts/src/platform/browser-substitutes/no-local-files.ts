/** The one error every browser substitute raises: a browser has no local file system. */
import { UnsupportedFeatureError } from "../../errors/vzarr-error.js";

export function noLocalFiles(what: string, path?: string): UnsupportedFeatureError {
  return new UnsupportedFeatureError(
    `${what}: browsers have no local file system; open a File or Blob, or an http(s):// or s3:// URL`,
    path === undefined ? {} : { file: path },
  );
}
