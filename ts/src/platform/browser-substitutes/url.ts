/** Browser substitute for the `node:url` functions portable modules call on local paths only. */
import { noLocalFiles } from "./no-local-files.js";

export function pathToFileURL(path: string): never {
  throw noLocalFiles(`cannot make a file:// URL of ${path}`, path);
}

export function fileURLToPath(url: string | URL): never {
  throw noLocalFiles(`cannot read ${String(url)}`, String(url));
}
