/**
 * Runs the Python reference stack (kerchunk, fsspec, zarr, xarray, VirtualiZarr, h5py) as
 * an independent oracle. The interpreter is `VZARR_PYTHON`, else `.venv/bin/python` in the
 * checkout (created by `scripts/setup-python.sh`).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { packageRoot } from "../../ts/src/backend/artifacts.js";

export function pythonPath(): string {
  return process.env.VZARR_PYTHON ?? join(packageRoot(), ".venv/bin/python");
}

/** Path of a committed Python test script (`test/python/<name>`). */
export function pythonScript(name: string): string {
  return join(packageRoot(), "test", "python", name);
}

/** Runs a script (path) or a snippet (`-c` code) with arguments; resolves with stdout. */
export function runPython(script: { file: string } | { code: string }, args: readonly string[] = []): Promise<string> {
  const argv = "file" in script ? [script.file, ...args] : ["-c", script.code, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(pythonPath(), argv, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PYTHONWARNINGS: "ignore" } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
      else
        reject(new Error(`python ${argv.slice(0, 2).join(" ")} exited with ${code}:\n${Buffer.concat(err).toString("utf8").slice(-4000)}`));
    });
  });
}

/** Runs a script and parses the last line of its stdout as JSON. */
export async function runPythonJson<T = unknown>(script: { file: string } | { code: string }, args: readonly string[] = []): Promise<T> {
  const text = (await runPython(script, args)).trim();
  const last = text.slice(text.lastIndexOf("\n") + 1);
  return JSON.parse(last) as T;
}
