/**
 * Browser substitute for `io/local-file.ts` (swapped in by scripts/build-browser.mjs): same
 * exports, no `node:fs`. The compile-time checks below keep the signatures in step.
 */
import type { ByteRange, ByteSource, SourceIdentity } from "../../io/byte-source.js";
import type * as Real from "../../io/local-file.js";
import { noLocalFiles } from "./no-local-files.js";

export const localPath: typeof Real.localPath = (input) => {
  throw noLocalFiles(`cannot read the local path ${input}`, input);
};

/** Browsers have no local directories. */
export const isLocalDirectory: typeof Real.isLocalDirectory = () => false;

export class LocalFileSource implements ByteSource {
  readonly url: string;
  readonly path: string;

  constructor(input: string) {
    throw noLocalFiles(`cannot open the local file ${input}`, input);
  }

  stat(): Promise<SourceIdentity> {
    return Promise.reject(noLocalFiles("LocalFileSource.stat"));
  }

  read(_offset: number, _length: number): Promise<Uint8Array> {
    return Promise.reject(noLocalFiles("LocalFileSource.read"));
  }

  readRanges(_ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    return Promise.reject(noLocalFiles("LocalFileSource.readRanges"));
  }
}

type SameConstructor = new (...args: ConstructorParameters<typeof Real.LocalFileSource>) => ByteSource;
export const constructorMatches: SameConstructor = LocalFileSource;
