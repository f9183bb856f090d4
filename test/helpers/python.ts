/**
 * Runs the Python reference stack (kerchunk, fsspec, zarr, xarray, VirtualiZarr, h5py,
 * netCDF4, eccodes, icechunk) as an independent oracle, and the built CLI. The interpreter is
 * `.venv/bin/python` in the checkout, created by `scripts/setup-python.sh` (from
 * `VZARR_PYTHON` or another Python >= 3.12 it finds).
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { packageRoot } from "../../ts/src/backend/artifacts.js";

const run = promisify(execFile);

export function pythonPath(): string {
  return join(packageRoot(), ".venv/bin/python");
}

export const python = pythonPath();
/**
 * False when `scripts/setup-python.sh` found no Python >= 3.12 (`VZARR_NO_PYTHON`, set by
 * `scripts/test.sh`): the tests that need the reference stack are skipped — vitest lists them
 * as skipped — and the test script fails at the end saying they were not run.
 */
export const hasPython = !process.env.VZARR_NO_PYTHON && existsSync(python);

/** Path of a committed Python test script (`test/python/<name>`). */
export function pythonScript(name: string): string {
  return join(packageRoot(), "test", "python", name);
}

/**
 * icechunk's native runtime sometimes crashes (SIGSEGV) while the interpreter shuts down under
 * load, after the answer is printed; a snippet that finished ends here without finalization.
 * An exception still propagates before this line and fails the run.
 */
const exitWithoutFinalization = "\nimport os as _os, sys as _sys\n_sys.stdout.flush(); _sys.stderr.flush(); _os._exit(0)\n";

/** Runs a script (path) or a snippet (`-c` code) with arguments; resolves with stdout. */
export function runPython(script: { file: string } | { code: string }, args: readonly string[] = []): Promise<string> {
  const argv = "file" in script ? [script.file, ...args] : ["-c", script.code + exitWithoutFinalization, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(pythonPath(), argv, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PYTHONWARNINGS: "ignore" } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
      else
        reject(
          new Error(
            `python ${argv.slice(0, 2).join(" ")} exited with ${code ?? signal}:\n${Buffer.concat(err).toString("utf8").slice(-4000)}`,
          ),
        );
    });
  });
}

/** Runs a script and parses the last line of its stdout as JSON. */
export async function runPythonJson<T = unknown>(script: { file: string } | { code: string }, args: readonly string[] = []): Promise<T> {
  const text = (await runPython(script, args)).trim();
  const last = text.slice(text.lastIndexOf("\n") + 1);
  return JSON.parse(last) as T;
}

/** Runs `test/python/<script>` with args and parses its stdout as JSON. */
export function pythonJson<T = unknown>(script: string, args: readonly string[] = []): Promise<T> {
  return runPythonJson<T>({ file: pythonScript(script) }, args);
}

/** Runs the built CLI (`dist/cli/main.js`). */
export async function vzarr(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(packageRoot(), "dist", "cli", "main.js"), ...args], {
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}
