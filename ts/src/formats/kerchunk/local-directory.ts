/** A reference set's directory on the local disk (Node): the Parquet writer's sink and the lazy reader's files. */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { makeError } from "../../errors/vzarr-error.js";
import { localPath } from "../../io/local-file.js";
import type { ReferenceDirectory } from "./reference-directory.js";
import type { ReferenceSink } from "./write-parquet.js";

export class LocalDirectory implements ReferenceSink, ReferenceDirectory {
  readonly path: string;
  readonly url: string;
  readonly #made = new Set<string>();

  constructor(input: string) {
    this.path = localPath(input);
    this.url = new URL(`file://${this.path.endsWith("/") ? this.path : `${this.path}/`}`).href;
  }

  async write(relativePath: string, bytes: Uint8Array): Promise<void> {
    const file = join(this.path, relativePath);
    const dir = dirname(file);
    try {
      if (!this.#made.has(dir)) {
        await mkdir(dir, { recursive: true });
        this.#made.add(dir);
      }
      await writeFile(file, bytes);
    } catch (e) {
      throw makeError("Io", `cannot write ${file}: ${(e as Error).message}`, { file, cause: e });
    }
  }

  async read(relativePath: string): Promise<Uint8Array | undefined> {
    const file = join(this.path, relativePath);
    try {
      return await readFile(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
      throw makeError("Io", `cannot read ${file}: ${(e as Error).message}`, { file, cause: e });
    }
  }
}
