/**
 * Starts `latency-server-process.mjs` as a child process and talks to it: the benchmarks'
 * handle on a latency server whose CPU is not the measured client's.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/**
 * @param {string} root
 * @param {{ delayMs?: number; bytesPerSecond?: number }} [options]
 * @returns {Promise<{ url: string; counts(): Promise<{ totals: import("./latency-server.d.mts").LatencyServer["totals"];
 *   objects: Record<string, import("./latency-server.d.mts").ObjectCounts> }>; close(): Promise<void> }>}
 */
export async function spawnLatencyServer(root, options = {}) {
  const script = fileURLToPath(new URL("./latency-server-process.mjs", import.meta.url));
  const child = spawn(
    process.execPath,
    [script, root, "--delay", String(options.delayMs ?? 0), "--bandwidth", String(options.bytesPerSecond ?? 0)],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: /** @type {import("node:stream").Readable} */ (child.stdout) })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error("the latency server exited");
    return JSON.parse(r.value);
  };
  const { url } = await next();
  return {
    url,
    async counts() {
      child.stdin?.write("counts\n");
      return next();
    },
    async close() {
      child.stdin?.end("quit\n");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}
