/** Browser substitute for `icechunk/local-storage.ts`: Icechunk repositories in local directories. */

import type * as Real from "../../formats/icechunk/local-storage.js";
import type { LocalStorageOptions } from "../../formats/icechunk/local-storage.js";
import { noLocalFiles } from "./no-local-files.js";

export type { LocalStorageOptions };

export class LocalStorage {
  constructor(path: string, _options: LocalStorageOptions = {}) {
    throw noLocalFiles(`cannot open the Icechunk repository ${path}`, path);
  }
}

type SameParameters = new (...args: ConstructorParameters<typeof Real.LocalStorage>) => LocalStorage;
export const constructorMatches: SameParameters = LocalStorage;
