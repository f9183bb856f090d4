/**
 * Where the built core artifacts live, found from this module's location so the same code
 * works from `ts/src` (tests) and from `dist/` (the built package).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "vzarr") {
      root = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the vzarr package root from " + import.meta.url);
    dir = parent;
  }
}

export const nativeAddonPath = (): string => join(packageRoot(), "dist", "native", "vzarr.node");
export const wasmModulePath = (): string => join(packageRoot(), "dist", "wasm", "vzarr.wasm");
