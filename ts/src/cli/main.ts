#!/usr/bin/env node
/**
 * The `vzarr` command. Errors print one line (`vzarr: <Kind>: message`) and exit non-zero;
 * a stack trace is only printed with VZARR_DEBUG=1.
 */
import "../platform/node.js";

// vzarr's own warnings (the WebAssembly fallback) as one line in the CLI's style; Node's
// default printer adds a pid and a --trace-warnings hint meant for developers.
process.removeAllListeners("warning");
process.on("warning", (w: Error & { code?: string }) => {
  if (w.code?.startsWith("VZARR_") === true) process.stderr.write(`vzarr: warning: ${w.message}\n`);
  else process.stderr.write(`${w.name}: ${w.message}\n`);
});

import { VzarrError } from "../errors/vzarr-error.js";
import { catCommand, catUsage } from "./cat.js";
import { infoCommand, infoUsage } from "./info.js";
import { refsCommand, refsUsage } from "./refs.js";
import { repoCommand, repoUsage } from "./repo.js";

const usage = `vzarr — virtual Zarr stores from netCDF, HDF5 and GRIB

usage:
  ${infoUsage}
  ${refsUsage}
  ${catUsage}
  ${repoUsage}

environment: VZARR_BACKEND=native|wasm forces a backend (default: the native addon where it loads —
linux-x64-gnu, glibc 2.34+ — else WebAssembly, with a warning); VZARR_NATIVE_ADDON=PATH loads the
addon from PATH; VZARR_DEBUG=1 prints stack traces.`;

type Command = (argv: readonly string[], out: (text: string) => void, err: (text: string) => void) => Promise<void>;

const commands: Record<string, Command> = {
  info: infoCommand,
  refs: refsCommand,
  cat: catCommand,
  repo: repoCommand,
};

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    process.stdout.write(`${usage}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V") {
    const { currentBackend } = await import("../backend/load.js");
    const core = currentBackend();
    process.stdout.write(`vzarr ${core.version()} (${core.kind} backend)\n`);
    return 0;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`vzarr: unknown command ${JSON.stringify(name)}\n\n${usage}\n`);
    return 2;
  }
  const line = (stream: NodeJS.WriteStream) => (text: string) => void stream.write(text.endsWith("\n") ? text : `${text}\n`);
  await command(rest, line(process.stdout), line(process.stderr));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (process.env.VZARR_DEBUG === "1") console.error(e);
    const line =
      e instanceof VzarrError
        ? `${e.kind}: ${e.message}`
        : e instanceof Error
          ? `Internal: ${e.message.split("\n")[0]}`
          : `Internal: ${String(e)}`;
    process.stderr.write(`vzarr: ${line}\n`);
    process.exitCode = e instanceof VzarrError && e.kind === "InvalidArgument" ? 2 : 1;
  },
);
