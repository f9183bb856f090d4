import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = join(dirname(fileURLToPath(import.meta.url)), "..", "ts", "src");

/** Packages and modules reached from `entry` by static imports (type-only imports excluded). */
function staticGraph(entry: string): { packages: Set<string>; modules: Set<string> } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (modules.has(file)) return;
    modules.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'";]*?\s+from\s+)?["']([^"']+)["']/gm)) {
      const spec = m[1] as string;
      if (spec.startsWith("node:")) continue;
      if (spec.startsWith(".")) visit(resolve(dirname(file), spec).replace(/\.js$/, ".ts"));
      else packages.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : (spec.split("/")[0] as string));
    }
  };
  visit(join(SRC, entry));
  return { packages, modules };
}

// Heavy packages load on first use (dynamic import): importing vzarr, starting the CLI and
// starting each scan worker must not pay for Parquet or zarrita.
const LAZY = ["hyparquet", "hyparquet-writer", "hyparquet-compressors", "zarrita"];

describe("static import graph", () => {
  it("keeps Parquet and zarrita out of the package index and the CLI", () => {
    for (const entry of ["index.ts", "cli/main.ts"]) {
      const { packages } = staticGraph(entry);
      expect(
        LAZY.filter((p) => packages.has(p)),
        entry,
      ).toEqual([]);
    }
  });

  it("keeps scan workers to the modules that open files", () => {
    const { packages, modules } = staticGraph("dataset/pool/worker.ts");
    expect([...packages].filter((p) => LAZY.includes(p))).toEqual([]);
    // Icechunk's FlexBuffers package is CommonJS: importing it runs Node's module lexer over
    // it in every worker, ~30 ms of compiling before the first file.
    expect(packages.has("flatbuffers")).toBe(false);
    expect([...modules].some((m) => m.includes("/icechunk/write"))).toBe(false);
    // Every built-in parser is registered in each worker (11 formats by now); the guard is
    // against whole subsystems (writers, Parquet, Icechunk) creeping in, not a parser each.
    expect(modules.size).toBeLessThan(120);
  });
});
