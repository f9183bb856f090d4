/** Browser substitute for `kerchunk/local-directory.ts`: Parquet reference sets in local directories. */
import type * as Real from "../../formats/kerchunk/local-directory.js";
import { noLocalFiles } from "./no-local-files.js";

export class LocalDirectory {
  constructor(input: string) {
    throw noLocalFiles(`cannot open the directory ${input}`, input);
  }
}

type SameParameters = new (...args: ConstructorParameters<typeof Real.LocalDirectory>) => LocalDirectory;
export const constructorMatches: SameParameters = LocalDirectory;
