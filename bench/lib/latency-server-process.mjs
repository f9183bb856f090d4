/**
 * The latency server in a process of its own, so that its work is not counted against the
 * client being measured (and Python clients can use it):
 *
 *   node bench/lib/latency-server-process.mjs ROOT [--delay MS] [--bandwidth BYTES_PER_S]
 *
 * prints `{"url": ...}` on its first line, then answers one command per stdin line:
 * `counts` (prints the totals and per-object counts as JSON and resets them), `delay MS`,
 * `quit`.
 */
import { createInterface } from "node:readline";
import { startLatencyServer } from "./latency-server.mjs";

const [root, ...rest] = process.argv.slice(2);
if (root === undefined) throw new Error("usage: latency-server-process.mjs ROOT [--delay MS] [--bandwidth BYTES_PER_S]");
const flag = (/** @type {string} */ name) => {
  const at = rest.indexOf(name);
  return at < 0 ? undefined : Number(rest[at + 1]);
};
const server = await startLatencyServer(root, { delayMs: flag("--delay") ?? 0, bytesPerSecond: flag("--bandwidth") ?? 0 });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const [command, arg] = line.trim().split(/\s+/);
  if (command === "counts") {
    process.stdout.write(`${JSON.stringify({ totals: server.totals, objects: Object.fromEntries(server.objects()) })}\n`);
    server.reset();
  } else if (command === "delay") server.setDelay(Number(arg));
  else if (command === "quit") break;
}
await server.close();
