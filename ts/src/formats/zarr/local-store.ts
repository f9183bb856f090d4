/** A Zarr store in a local directory (Node): listed with its sizes, read with fs. */
import { readdirSync, statSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { makeError } from "../../errors/vzarr-error.js";
import type { ByteRange } from "../../io/byte-source.js";
import { localPath } from "../../io/local-file.js";
import { keyUrl, type StoreObject, type ZarrStore } from "./store.js";

export class LocalStore implements ZarrStore {
  readonly url: string;
  readonly listable = true;
  readonly #root: string;

  constructor(input: string) {
    this.#root = localPath(input);
    this.url = pathToFileURL(this.#root).href.replace(/\/+$/, "");
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const file = join(this.#root, key);
    try {
      return await readFile(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return undefined;
      throw makeError("Io", `cannot read ${file}: ${(e as Error).message}`, { file, cause: e });
    }
  }

  async list(prefix: string): Promise<StoreObject[]> {
    const out: StoreObject[] = [];
    // The directory that holds every key with this prefix.
    const slash = prefix.lastIndexOf("/");
    const start = join(this.#root, slash < 0 ? "" : prefix.slice(0, slash));
    const walk = (dir: string) => {
      let entries: import("node:fs").Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") return;
        throw makeError("Io", `cannot list ${dir}: ${(e as Error).message}`, { file: dir, cause: e });
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        const key = relative(this.#root, path).split(sep).join("/");
        if (!key.startsWith(prefix) && !prefix.startsWith(`${key}/`)) continue;
        if (entry.isDirectory()) walk(path);
        else if (entry.isFile() && key.startsWith(prefix)) out.push({ key, size: statSync(path).size });
      }
    };
    walk(start);
    return out;
  }

  async size(key: string): Promise<number | undefined> {
    const s = statSync(join(this.#root, key), { throwIfNoEntry: false });
    return s?.isFile() === true ? s.size : undefined;
  }

  async readRanges(key: string, ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    const file = join(this.#root, key);
    const handle = await open(file, "r").catch((e: unknown) => {
      throw makeError("Io", `cannot open ${file}: ${(e as Error).message}`, { file, cause: e });
    });
    try {
      const out: Uint8Array[] = [];
      for (const r of ranges) {
        const buf = new Uint8Array(r.length);
        const { bytesRead } = await handle.read(buf, 0, r.length, r.offset);
        if (bytesRead !== r.length)
          throw makeError("CorruptFile", `${file} ends before byte ${r.offset + r.length}`, { file, offset: r.offset });
        out.push(buf);
      }
      return out;
    } finally {
      await handle.close();
    }
  }

  locate(key: string): { url: string; offset: number } {
    return { url: keyUrl(this.url, key), offset: 0 };
  }
}
