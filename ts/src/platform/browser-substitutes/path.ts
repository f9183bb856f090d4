/**
 * Browser substitute for the `node:path` function `icechunk/write-dataset.ts` calls on local
 * paths only (to record them as file:// URLs): in a browser a path cannot name a file.
 */
import { noLocalFiles } from "./no-local-files.js";

export function resolve(...paths: string[]): never {
  throw noLocalFiles(`cannot resolve the local path ${paths.join("/")}`, paths.at(-1));
}
