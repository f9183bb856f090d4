/**
 * A scan worker: loads its own backend (the kind the main thread uses), opens the files it
 * is sent and posts each dataset back as a transferable payload, then frees it.
 */
import "../../platform/node.js";
import { parentPort, workerData } from "node:worker_threads";
import { loadBackend } from "../../backend/load.js";
import { VzarrError } from "../../errors/vzarr-error.js";
import { openVirtualDataset } from "../open-virtual-dataset.js";
import type { ErrorPayload, OpenReply, OpenRequest, WorkerInit } from "./protocol.js";
import { toPayload } from "./transfer.js";

const port = parentPort;
if (port === null) throw new Error("worker.ts runs as a worker thread");
const init = workerData as WorkerInit;
const core = await loadBackend(init.backend);

function errorPayload(e: unknown, url: string): ErrorPayload {
  if (e instanceof VzarrError) return { kind: e.kind, message: e.message, file: e.file ?? url, variable: e.variable, offset: e.offset };
  return { kind: "Internal", message: e instanceof Error ? e.message : String(e), file: url };
}

port.on("message", async (req: OpenRequest) => {
  let reply: OpenReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const ds = await openVirtualDataset(req.url, { ...req.options, core });
    try {
      const out = toPayload(ds);
      transfer = out.transfer;
      reply = { id: req.id, ok: true, dataset: out.payload, stats: out.stats };
    } finally {
      ds.free();
    }
  } catch (e) {
    reply = { id: req.id, ok: false, error: errorPayload(e, req.url) };
  }
  port.postMessage(reply, transfer);
});
