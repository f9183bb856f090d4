/** Runs the Python reference stack (the project's .venv, or VZARR_PYTHON) as an oracle. */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./paths.js";

const run = promisify(execFile);

export const python = process.env.VZARR_PYTHON ?? join(repoRoot, ".venv", "bin", "python");
export const hasPython = existsSync(python);

/** Runs `test/python/<script>` with args and parses its stdout as JSON. */
export async function pythonJson<T = unknown>(script: string, args: readonly string[] = [], timeoutMs = 120_000): Promise<T> {
  const { stdout } = await run(python, [join(repoRoot, "test", "python", script), ...args], {
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PYTHONWARNINGS: "ignore" },
  });
  return JSON.parse(stdout) as T;
}

/** Runs the built CLI (`dist/cli/main.js`). */
export async function vzarr(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(repoRoot, "dist", "cli", "main.js"), ...args], {
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
