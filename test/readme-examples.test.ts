/**
 * The README's TypeScript blocks marked `<!-- readme-test: run -->` work as printed: they
 * type-check against the library's types and run on this Node (20 in CI) against the built
 * package, in a folder with the files they name generated here (a small ERA5-like netCDF-4
 * made by netCDF4-python, a "myraw" file).
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { transform } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot } from "../ts/src/backend/artifacts.js";
import { hasPython, runPython } from "./helpers/python.js";

const run = promisify(execFile);
const root = packageRoot();
const MARK = "<!-- readme-test: run -->";

/** The marked blocks, each with the heading it is under (for messages). */
function runnableBlocks(): { heading: string; code: string }[] {
  const lines = readFileSync(join(root, "README.md"), "utf8").split("\n");
  const out: { heading: string; code: string }[] = [];
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith("#")) heading = line;
    if (line.trim() !== MARK) continue;
    expect(lines[i + 1], `the line after ${MARK} (${heading})`).toBe("```ts");
    const end = lines.indexOf("```", i + 2);
    out.push({ heading, code: lines.slice(i + 2, end).join("\n") });
  }
  return out;
}

// An hourly-ERA5-shaped month, small: t2m(time, latitude, longitude) float32, shuffle + zlib.
const MAKE_ERA5 = `
import sys, numpy as np, netCDF4
rng = np.random.default_rng(2024)
with netCDF4.Dataset(sys.argv[1], "w") as f:
    f.createDimension("time", 6); f.createDimension("latitude", 5); f.createDimension("longitude", 240)
    t = f.createVariable("time", "i8", ("time",)); t.units = "hours since 1900-01-01"; t[:] = 1087008 + np.arange(6)
    f.createVariable("latitude", "f4", ("latitude",))[:] = np.linspace(90, 89, 5)
    f.createVariable("longitude", "f4", ("longitude",))[:] = np.arange(240) * 0.25
    v = f.createVariable("t2m", "f4", ("time", "latitude", "longitude"), zlib=True, shuffle=True, chunksizes=(1, 5, 240))
    v.units = "K"; v[:] = (250 + 30 * rng.random((6, 5, 240))).astype("f4")
`;

const dir = mkdtempSync(join(tmpdir(), "vzarr-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("README examples", () => {
  const blocks = runnableBlocks();

  it("marks the library examples, and none uses `using` (Node 20 has no such declaration)", () => {
    expect(blocks.map((b) => b.heading)).toContain("## Using the library");
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const b of blocks) expect(b.code, b.heading).not.toMatch(/^\s*(await\s+)?using\s/m);
  });

  it("type-check against the library's types", async () => {
    const check = join(root, "test", ".readme-check");
    rmSync(check, { recursive: true, force: true });
    mkdirSync(check, { recursive: true });
    try {
      const files = blocks.map((b, i) => {
        const name = `block${i}.ts`;
        writeFileSync(join(check, name), `${b.code.replaceAll('from "vzarr"', 'from "../../ts/src/index.js"')}\nexport {};\n`);
        return name;
      });
      writeFileSync(
        join(check, "tsconfig.json"),
        JSON.stringify({
          extends: "../../tsconfig.json",
          compilerOptions: { noEmit: true, noUnusedLocals: false, rootDir: "../.." },
          files,
        }),
      );
      const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
      const result = await run(process.execPath, [tsc, "-p", join(check, "tsconfig.json")], { cwd: root }).catch((e) => e);
      expect(`${result.stdout ?? ""}${result.stderr ?? ""}`).toBe("");
    } finally {
      rmSync(check, { recursive: true, force: true });
    }
  }, 180_000);

  it.skipIf(!hasPython)(
    "run on this Node against the built package",
    async () => {
      await runPython({ code: MAKE_ERA5 }, [join(dir, "era5-2024-01.nc")]);
      const samples = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i));
      const head = Buffer.alloc(10);
      head.write("MYRAW1", 0, "latin1");
      head.writeUInt32LE(samples.length, 6);
      writeFileSync(join(dir, "run.myraw"), Buffer.concat([head, Buffer.from(samples.buffer)]));
      const entry = pathToFileURL(join(root, "dist", "index.js")).href;
      for (const [i, b] of blocks.entries()) {
        // Types stripped, nothing lowered: syntax Node lacks fails here as it would for a reader.
        const { code } = await transform(b.code, { loader: "ts", format: "esm", target: "esnext" });
        const file = join(dir, `block${i}.mjs`);
        writeFileSync(file, code.replaceAll('from "vzarr"', `from ${JSON.stringify(entry)}`));
        const result = await run(process.execPath, [file], { cwd: dir }).catch((e) => e);
        expect(result.stderr ?? "", `${b.heading}: ${result.message ?? ""}`).toBe("");
        if (b.code.includes("era5-2024-01.nc")) {
          // console.log(ds) printed the dataset's summary, and the outputs were written.
          expect(result.stdout).toMatch(/<vzarr\.VirtualDataset> \(netcdf4\)\nDimensions: {2}\(time: 6, latitude: 5, longitude: 240\)/);
          expect(result.stdout).toMatch(/t2m +\(time, latitude, longitude\) <f4 chunks=\(1, 5, 240\)/);
          expect(result.stdout).toMatch(/^[0-9A-Z]{20} <f4 \[ 5, 100 \] 500$/m); // a scalar index drops its axis
          const mirrored = JSON.parse(readFileSync(join(dir, "2024-01-mirror.json"), "utf8"));
          expect(JSON.stringify(mirrored)).toContain("https://mirror.example/era5/era5-2024-01.nc");
        }
      }
    },
    120_000,
  );
});
