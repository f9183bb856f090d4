/**
 * HTTP request counts (issue 4): one kerchunk reference set over files of many small chunks,
 * served by a local counting range server, read whole by zarrita's own ReferenceStore and by
 * vzarr's `readArray` (which batches a read's chunks by file and coalesces their ranges).
 * The reference set is written by vzarr from the local files, paths rewritten to the server.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ReferenceStore } from "@zarrita/storage";
import * as zarr from "zarrita";
import { openVirtualMfdataset, readArray } from "../../../dist/index.js";
import { valueDigest } from "./digest.mjs";
import { startCountingServer } from "./range-server.mjs";

/** @param {Record<string, any>} a @param {string} serverUrl @param {string} dir */
async function referenceSet(a, serverUrl, dir) {
  const ds = await openVirtualMfdataset(a.files, { concatDim: a.concat_dim, parallel: false, loadableVariables: [] });
  const local = join(dir, "local.json");
  await ds.toKerchunk(local);
  ds.free();
  const root = dirname(a.files[0]);
  const text = readFileSync(local, "utf8").replaceAll(`file://${root}/`, serverUrl).replaceAll(`"${root}/`, `"${serverUrl}`);
  const path = join(dir, "refs.json");
  writeFileSync(path, text);
  return path;
}

/** @param {import("./clock.mjs").Clock} clock @param {Record<string, any>} a */
async function httpRead(clock, a) {
  const server = await startCountingServer(dirname(a.files[0]));
  const dir = mkdtempSync(join(tmpdir(), "vzarr-bench-http-"));
  try {
    const refs = await referenceSet(a, server.url, dir);
    server.counter.requests = 0;
    server.counter.bytes = 0;
    /** @type {ArrayBufferView} */
    let data;
    if (a.client === "zarrita") {
      const store = ReferenceStore.fromSpec(JSON.parse(readFileSync(refs, "utf8")));
      const arr = await zarr.open.v2(zarr.root(store).resolve(a.variable), { kind: "array" });
      data = (await clock.measure(() => zarr.get(arr))).data;
    } else {
      data = (await clock.measure(() => readArray(refs, a.variable))).data;
    }
    return { info: { requests: server.counter.requests, bytes: server.counter.bytes, digest: valueDigest(data) } };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const HTTP_OPS = { "http.read": httpRead };
