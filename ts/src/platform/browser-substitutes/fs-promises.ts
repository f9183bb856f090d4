/**
 * Browser substitute for the `node:fs/promises` functions portable modules call on local
 * paths only (`kerchunk/open-references.ts` probes whether a path is a directory): they
 * reject, as a missing file would, and the callers take their non-local path.
 */
import { noLocalFiles } from "./no-local-files.js";

export async function stat(path: string): Promise<never> {
  throw noLocalFiles(`cannot stat ${path}`, path);
}
