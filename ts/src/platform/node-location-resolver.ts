/**
 * Node's part of reference authorization (`io/authorize.ts`): local paths through their
 * symlinks to the real file, and host names to the addresses they resolve to (cached per
 * host: a reference set names thousands of files on a handful of hosts).
 */
import { lookup } from "node:dns/promises";
import { realpathSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { LocationResolver } from "../io/authorize.js";

/** The real path of `path`, or of its nearest existing ancestor with the rest appended. */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(realPath(parent), basename(path));
  }
}

export function nodeLocationResolver(): LocationResolver {
  const hosts = new Map<string, Promise<string[]>>();
  return {
    realFileUrl(url) {
      const real = pathToFileURL(realPath(fileURLToPath(url))).href;
      return url.endsWith("/") && !real.endsWith("/") ? `${real}/` : real;
    },
    lookup(host) {
      let found = hosts.get(host);
      if (found === undefined) {
        found = lookup(host, { all: true }).then(
          (list) => list.map((a) => a.address),
          () => [],
        );
        hosts.set(host, found);
      }
      return found;
    },
  };
}
