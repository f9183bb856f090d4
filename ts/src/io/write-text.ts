/** Streams text pieces to a local file (Node), creating parent directories. */

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { makeError } from "../errors/vzarr-error.js";

export async function writeTextPieces(path: string, pieces: AsyncIterable<string>): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  let failure: Error | undefined;
  out.on("error", (e) => {
    failure = e;
  });
  let bytes = 0;
  try {
    for await (const piece of pieces) {
      if (failure !== undefined) break;
      bytes += Buffer.byteLength(piece);
      if (!out.write(piece)) await once(out, "drain");
    }
  } finally {
    out.end();
    await once(out, "close").catch(() => undefined);
  }
  if (failure !== undefined) throw makeError("Io", `cannot write ${path}: ${failure.message}`, { file: path, cause: failure });
  return bytes;
}
