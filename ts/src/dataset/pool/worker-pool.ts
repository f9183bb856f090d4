/**
 * A pool of scan workers (`worker_threads`). Each worker holds at most two files — one being
 * scanned, one queued so it never idles while the main thread rebuilds the previous result —
 * so at most 2 × size payloads are in flight and memory stays bounded however many files
 * there are. Results arrive in completion order through a callback.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { packageRoot } from "../../backend/artifacts.js";
import type { BackendKind } from "../../backend/core.js";
import { makeError } from "../../errors/vzarr-error.js";
import type { FileQueue } from "./file-queue.js";
import type { OpenFileOptions, OpenReply, OpenRequest, WorkerInit } from "./protocol.js";

const PER_WORKER = 2;

/** The compiled worker script: next to this module in dist/, or dist/ when running from sources. */
export function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  const sibling = here.replace(/worker-pool\.(ts|js)$/, "worker.js");
  if (here.endsWith(".js") && existsSync(sibling)) return sibling;
  const built = join(packageRoot(), "dist", "dataset", "pool", "worker.js");
  if (!existsSync(built)) throw makeError("Internal", `the scan worker ${built} is missing: build the package first (npm run build)`);
  return built;
}

interface Slot {
  worker: Worker;
  busy: Map<number, string>;
}

export type TaskResult = { index: number; url: string; reply: OpenReply };

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private closed = false;

  constructor(
    readonly size: number,
    private readonly backend: BackendKind,
  ) {
    if (!Number.isInteger(size) || size < 1) throw makeError("InvalidArgument", `jobs must be a positive integer, got ${size}`);
  }

  private spawn(): Slot {
    const init: WorkerInit = { backend: this.backend };
    const worker = new Worker(workerScript(), { workerData: init });
    const slot: Slot = { worker, busy: new Map() };
    return slot;
  }

  /**
   * Opens files from `queue` on the workers, calling `onResult` as each finishes (completion
   * order). Stops taking files when `onResult` returns `false` (and stops the queue, so other
   * takers stop too). Resolves when the queue is empty and nothing is in flight.
   */
  run(queue: FileQueue, options: OpenFileOptions, onResult: (r: TaskResult) => boolean | undefined): Promise<void> {
    if (this.closed) throw makeError("InvalidArgument", "this worker pool is closed");
    while (this.slots.length < Math.min(this.size, Math.max(queue.urls.length, 1))) this.slots.push(this.spawn());
    return new Promise<void>((resolve, reject) => {
      let inFlight = 0;
      let crashes = 0;
      const finish = () => {
        if (inFlight === 0 && queue.empty) resolve();
      };
      const dispatch = (slot: Slot) => {
        while (slot.busy.size < PER_WORKER) {
          const file = queue.take();
          if (file === undefined) return;
          slot.busy.set(file.index, file.url);
          inFlight++;
          const req: OpenRequest = { id: file.index, url: file.url, options };
          slot.worker.postMessage(req);
        }
      };
      const deliver = (r: TaskResult) => {
        inFlight--;
        let more: boolean | undefined;
        try {
          more = onResult(r);
        } catch (e) {
          queue.stop();
          reject(e);
          return;
        }
        if (more === false) queue.stop();
      };
      const attach = (slot: Slot) => {
        const w = slot.worker;
        w.removeAllListeners();
        w.on("message", (reply: OpenReply) => {
          const url = slot.busy.get(reply.id) as string;
          slot.busy.delete(reply.id);
          crashes = 0;
          deliver({ index: reply.id, url, reply });
          dispatch(slot);
          finish();
        });
        const crash = (why: string) => {
          if (slot.worker !== w) return; // already replaced ('error' is followed by 'exit')
          // A dead worker fails the files it held; a fresh one takes its place.
          const lost = [...slot.busy];
          slot.busy.clear();
          for (const [index, url] of lost) {
            deliver({
              index,
              url,
              reply: { id: index, ok: false, error: { kind: "Internal", message: `the scan worker ${why}`, file: url } },
            });
          }
          if (++crashes > 3) {
            // Workers that die before finishing anything (a broken build) would respawn forever.
            queue.stop();
            reject(makeError("Internal", `scan workers keep failing; the last one ${why}`));
            return;
          }
          slot.worker = this.spawn().worker;
          attach(slot);
          dispatch(slot);
          finish();
        };
        w.on("error", (e) => crash(`failed: ${e.message}`));
        w.on("exit", (code) => {
          if (!this.closed) crash(`exited with code ${code}`);
        });
      };
      for (const slot of this.slots) {
        attach(slot);
        dispatch(slot);
      }
      finish();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}
