/** What the results were measured on: the machine, its load, and every tool's version. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";

const PY_PACKAGES = [
  "kerchunk",
  "virtualizarr",
  "xarray",
  "zarr",
  "icechunk",
  "fsspec",
  "h5py",
  "netCDF4",
  "eccodes",
  "numpy",
  "pandas",
  "pyarrow",
  "obstore",
];

/**
 * @param {import("./config.mjs").Config} cfg
 * @returns {{ cpu: string; cores: number; ramGiB: number; kernel: string; loadStart: number[];
 *   node: string; python: string; packages: Record<string, string>; vzarr: string; commit: string }}
 */
export function machineInfo(cfg) {
  const script = `import importlib.metadata as m, json, platform
names = ${JSON.stringify(PY_PACKAGES)}
print(json.dumps({"python": platform.python_version(), "packages": {n: m.version(n) for n in names}}))`;
  const py = JSON.parse(execFileSync(cfg.python, ["-c", script], { encoding: "utf8" }));
  const git = (/** @type {string[]} */ args) => {
    try {
      return execFileSync("git", args, { cwd: cfg.repo, encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  };
  const dirty = git(["status", "--porcelain", "--untracked-files=no"]) !== "";
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    ramGiB: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()}`,
    loadStart: os.loadavg(),
    node: process.version,
    python: py.python,
    packages: py.packages,
    vzarr: JSON.parse(readFileSync(join(cfg.repo, "package.json"), "utf8")).version,
    commit: `${git(["rev-parse", "--short", "HEAD"]) || "unknown"}${dirty ? " (with local changes)" : ""}`,
  };
}
